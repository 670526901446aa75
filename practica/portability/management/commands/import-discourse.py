"""`practica import-discourse <dir> [--community SLUG]`: import a Discourse site from saved
JSON API pages (see practica/portability/discourse.py and docs/discourse-import.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from practica.portability.discourse import DiscourseError, import_site, read_site


class Command(BaseCommand):
    help = "Import categories, topics, posts, users, likes, solved answers and tags saved from a Discourse site's JSON API."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A directory of saved Discourse JSON pages.")
        parser.add_argument(
            "--community",
            help="Import everything into this community, its categories becoming topics "
            "(by default each top-level category becomes a community).",
        )

    def handle(self, *args, directory, community, **options):
        try:
            site = read_site(directory)
            self.stderr.write(
                f"Read {site.files} files: {len(site.categories)} categories, "
                f"{len(site.topics)} topics, {sum(len(p) for p in site.posts.values())} posts, "
                f"{len(site.users)} users."
            )
            result = import_site(site, community_slug=community)
        except DiscourseError as error:
            raise CommandError(str(error)) from None
        for message in result.errors:
            self.stderr.write(self.style.ERROR(message))
        self.stdout.write(result.summary())
        if result.errors:
            raise CommandError(f"{len(result.errors)} topic(s) could not be imported; see above.")
