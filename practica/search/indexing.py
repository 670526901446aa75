"""Keeping SearchEntry in step with the things it indexes. Called from tasks, on commit.

Each `index_*` function writes the one entry for one object (or marks it not public);
each `remove_*` deletes it. `INDEXERS` maps a label to its model, its indexer and its
remover, for the background task and for `practica reindex`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone

from practica.search.models import SearchEntry

BODY_INDEX_CHARS = 20_000
Kind = SearchEntry.Kind
Audience = SearchEntry.Audience
# Snippets mark matches with these two characters; they are removed from indexed text so
# nothing a member writes can open or close a highlight.
MARK_START = "\ue000"
MARK_END = "\ue001"
THREAD_KINDS = [Kind.QUESTION, Kind.DISCUSSION]


def _clean(text: str, limit: int) -> str:
    return (text or "").replace(MARK_START, "").replace(MARK_END, "")[:limit]


def _join(*parts) -> str:
    return "\n\n".join(str(part) for part in parts if part)


def _topics(topics) -> tuple[str, str]:
    """(names, " slug slug ") of community topics, for display/search and for filters."""
    topics = list(topics)
    names = ", ".join(t.name for t in topics)
    slugs = " ".join(t.slug for t in topics)
    return names[:1000], (f" {slugs} " if slugs else "")[:1000]


def _write(kind: str, object_id: int, *, title: str, body: str, author=None, **fields):
    fields.setdefault("topics", "")
    fields.setdefault("topic_slugs", "")
    entry, _ = SearchEntry.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={
            "title": _clean(title, 300),
            "body": _clean(body, BODY_INDEX_CHARS),
            "author_id": getattr(author, "pk", None),
            "author_profession": getattr(author, "profession", "") or "",
            "updated_at": timezone.now(),
            **fields,
        },
    )
    return entry


def _remove(kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


# --- conversations ---------------------------------------------------------------------------


def index_thread(thread) -> SearchEntry:
    """Create or update the entry for a thread (title and opening post) and its replies'."""
    opening = thread.posts.filter(is_opening=True).only("body").first()
    topics, slugs = _topics(thread.topics.all())
    entry = _write(
        thread.kind,
        thread.pk,
        title=thread.title,
        body=opening.body if opening else "",
        author=thread.author,
        community_id=thread.community_id,
        audience=Audience.COMMUNITY,
        url=thread.get_absolute_url(),
        external_id=thread.external_id or "",
        topics=topics,
        topic_slugs=slugs,
        is_public=thread.is_public,
        created_at=thread.created_at,
    )
    # A thread that changed kind leaves its old entry behind: remove it.
    SearchEntry.objects.filter(object_id=thread.pk, kind__in=THREAD_KINDS).exclude(
        kind=thread.kind
    ).delete()
    # Replies are only as readable as their thread.
    replies = SearchEntry.objects.filter(kind=Kind.REPLY, parent_id=thread.pk)
    replies.update(
        context=_clean(thread.title, 300),
        topics=topics,
        topic_slugs=slugs,
        community_id=thread.community_id,
    )
    readable = thread.posts.filter(
        is_opening=False, hidden_at__isnull=True, deleted_at__isnull=True
    ).values("pk")
    replies.exclude(object_id__in=readable).update(is_public=False)
    replies.filter(object_id__in=readable).update(is_public=thread.is_public)
    return entry


def remove_thread(thread_id: int) -> None:
    SearchEntry.objects.filter(object_id=thread_id, kind__in=THREAD_KINDS).delete()
    SearchEntry.objects.filter(kind=Kind.REPLY, parent_id=thread_id).delete()


def index_post(post) -> SearchEntry | None:
    """Index a reply; an opening post is the thread's own text, so its thread is indexed."""
    thread = post.thread
    if post.is_opening:
        return index_thread(thread)
    topics, slugs = _topics(thread.topics.all())
    return _write(
        Kind.REPLY,
        post.pk,
        title="",
        body=post.body,
        author=post.author,
        community_id=thread.community_id,
        audience=Audience.COMMUNITY,
        parent_id=thread.pk,
        context=_clean(thread.title, 300),
        url=f"{thread.get_absolute_url()}#post-{post.pk}",
        topics=topics,
        topic_slugs=slugs,
        is_public=thread.is_public and not (post.is_hidden or post.is_deleted),
        created_at=post.created_at,
    )


def remove_post(post_id: int) -> None:
    _remove(Kind.REPLY, post_id)


# --- library ---------------------------------------------------------------------------------


def index_article(article) -> SearchEntry:
    """An article as its current revision reads; drafts and archived articles are not found."""
    revision = article.current_revision
    source = revision or article
    topics, slugs = _topics(article.topics.all())
    return _write(
        Kind.ARTICLE,
        article.pk,
        title=source.title,
        body=_join(source.summary, source.body),
        author=(revision.author if revision else None) or article.created_by,
        community_id=article.community_id,
        audience=Audience.COMMUNITY,
        url=article.get_absolute_url(),
        topics=topics,
        topic_slugs=slugs,
        is_public=article.status == "published",
        created_at=article.created_at,
    )


def remove_article(article_id: int) -> None:
    _remove(Kind.ARTICLE, article_id)


def index_resource(resource) -> SearchEntry:
    topics, slugs = _topics(resource.topics.all())
    return _write(
        Kind.RESOURCE,
        resource.pk,
        title=resource.title,
        body=_join(resource.description, resource.url),
        author=resource.added_by,
        community_id=resource.community_id,
        audience=Audience.COMMUNITY,
        url=resource.get_absolute_url(),
        topics=topics,
        topic_slugs=slugs,
        is_public=True,
        created_at=resource.created_at,
    )


def remove_resource(resource_id: int) -> None:
    _remove(Kind.RESOURCE, resource_id)


def index_glossary_term(term) -> SearchEntry:
    from django.urls import reverse

    url = reverse("library:glossary", kwargs={"community_slug": term.community.slug})
    synonyms = ", ".join(str(s) for s in term.synonyms or [])
    return _write(
        Kind.GLOSSARY,
        term.pk,
        title=term.term,
        body=_join(term.definition, f"Also: {synonyms}" if synonyms else ""),
        author=term.created_by,
        community_id=term.community_id,
        audience=Audience.COMMUNITY,
        url=f"{url}#{term.anchor}",
        is_public=True,
        created_at=term.updated_at,
    )


def remove_glossary_term(term_id: int) -> None:
    _remove(Kind.GLOSSARY, term_id)


# --- evidence, learning, events, bulletin, people --------------------------------------------


def index_evidence_summary(summary) -> SearchEntry:
    return _write(
        Kind.EVIDENCE,
        summary.pk,
        title=summary.title,
        body=_join(
            summary.question,
            summary.citation_title,
            summary.population,
            summary.intervention,
            summary.comparison,
            summary.outcome,
            summary.key_findings,
            summary.implications,
        ),
        author=summary.created_by,
        community_id=summary.community_id,
        audience=Audience.COMMUNITY,
        url=summary.get_absolute_url(),
        is_public=True,
        created_at=summary.created_at,
    )


def remove_evidence_summary(summary_id: int) -> None:
    _remove(Kind.EVIDENCE, summary_id)


def index_module(module) -> SearchEntry:
    """A module is found once it is live; one with no community is for anyone logged in."""
    owner = module.owners.order_by("pk").first()
    return _write(
        Kind.MODULE,
        module.pk,
        title=module.title,
        body=_join(module.overview, module.outcomes),
        author=owner,
        community_id=module.community_id,
        audience=Audience.COMMUNITY if module.community_id else Audience.SIGNED_IN,
        url=module.get_absolute_url(),
        is_public=module.is_live,
        created_at=module.created_at,
    )


def remove_module(module_id: int) -> None:
    _remove(Kind.MODULE, module_id)


def index_event(event) -> SearchEntry:
    return _write(
        Kind.EVENT,
        event.pk,
        title=event.title,
        body=_join(
            event.get_kind_display(),
            event.description,
            event.case_summary,
            event.location,
            event.notes,
        ),
        author=event.created_by,
        community_id=event.community_id,
        audience=Audience.COMMUNITY,
        url=event.get_absolute_url(),
        context="Cancelled" if event.cancelled_at else "",
        is_public=True,
        created_at=event.starts_at,
    )


def remove_event(event_id: int) -> None:
    _remove(Kind.EVENT, event_id)


def index_bulletin_article(article) -> SearchEntry:
    """A bulletin article is found once its issue is published."""
    issue = article.issue
    bulletin = issue.bulletin
    topics = list(article.topics.select_related("community_topic"))
    names = ", ".join(t.name for t in topics)[:1000]
    slugs = " ".join(t.community_topic.slug for t in topics if t.community_topic_id)
    by_line = ", ".join(a.name for a in article.authors.all())
    return _write(
        Kind.BULLETIN,
        article.pk,
        title=article.title,
        body=_join(article.summary, by_line, article.body),
        community_id=bulletin.community_id,
        audience=Audience.COMMUNITY if bulletin.community_id else Audience.EVERYONE,
        url=article.get_absolute_url(),
        context=f"{bulletin.name}, {issue.citation}",
        topics=names,
        topic_slugs=f" {slugs} " if slugs else "",
        is_public=issue.is_published,
        created_at=issue.published_at or article.created_at,
    )


def remove_bulletin_article(article_id: int) -> None:
    _remove(Kind.BULLETIN, article_id)


def sync_bulletin_issue(issue) -> int:
    """Show or hide an issue's articles as it is published or withdrawn: one UPDATE.

    Run inside the write's own transaction (not as a task): it is a single cheap statement,
    and it keeps publishing to the one follow-up task the bulletin itself enqueues.
    """
    return SearchEntry.objects.filter(
        kind=Kind.BULLETIN, object_id__in=issue.articles.values("pk")
    ).update(is_public=issue.is_published)


def index_person(person) -> SearchEntry:
    """A member's directory card: found only while they are active and listed."""
    expertise = ", ".join(person.expertise.values_list("name", flat=True))
    organisation = person.organisation.name if person.organisation_id else ""
    return _write(
        Kind.PERSON,
        person.pk,
        title=person.name,
        body=_join(
            person.get_profession_display(),
            f"Expertise: {expertise}" if expertise else "",
            organisation,
            person.location,
            person.bio,
        ),
        author=person,
        audience=Audience.EVERYONE,
        url=person.get_absolute_url(),
        context=person.get_profession_display(),
        is_public=person.is_active and person.show_in_directory,
        created_at=person.date_joined,
    )


def remove_person(person_id: int) -> None:
    _remove(Kind.PERSON, person_id)


# --- the registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Indexer:
    model: str
    index: Callable
    remove: Callable
    # What `practica reindex` loads with each object, to keep its query count low.
    select_related: tuple[str, ...] = ()


INDEXERS: dict[str, Indexer] = {
    "thread": Indexer("conversations.Thread", index_thread, remove_thread, ("community", "author")),
    "post": Indexer("conversations.Post", index_post, remove_post, ("thread__community", "author")),
    "article": Indexer(
        "library.Article",
        index_article,
        remove_article,
        ("community", "current_revision__author", "created_by"),
    ),
    "resource": Indexer(
        "library.Resource", index_resource, remove_resource, ("community", "added_by")
    ),
    "glossary": Indexer(
        "library.GlossaryTerm",
        index_glossary_term,
        remove_glossary_term,
        ("community", "created_by"),
    ),
    "evidence": Indexer(
        "evidence.EvidenceSummary",
        index_evidence_summary,
        remove_evidence_summary,
        ("community", "created_by"),
    ),
    "module": Indexer("learning.Module", index_module, remove_module, ("community",)),
    "event": Indexer("events.Event", index_event, remove_event, ("community", "created_by")),
    "bulletin_article": Indexer(
        "bulletin.Article",
        index_bulletin_article,
        remove_bulletin_article,
        ("issue__bulletin",),
    ),
    "person": Indexer("people.User", index_person, remove_person, ("organisation",)),
}


def available(label: str) -> bool:
    """Whether the app behind `label` is installed (evidence arrived later than the rest)."""
    app_label, _model = INDEXERS[label].model.split(".")
    return apps.is_installed(f"practica.{app_label}")


def model_for(label: str):
    return apps.get_model(INDEXERS[label].model)


def index_object(label: str, object_id: int) -> str:
    """Index the object behind (label, id), or remove its entry if it no longer exists."""
    indexer = INDEXERS[label]
    model = model_for(label)
    obj = model._default_manager.select_related(*indexer.select_related).filter(pk=object_id)
    obj = obj.first()
    if obj is None:
        indexer.remove(object_id)
        return "removed"
    indexer.index(obj)
    return "indexed"
