"""Every write to the library, by feature: articles and revisions, proposed edits,
the glossary, resources, references and collections.
"""
