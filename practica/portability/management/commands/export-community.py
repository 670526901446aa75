"""`practica export-community <slug> <file.zip>`: write a community, whole, to an archive.

The format is described in docs/community-archive.md.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from practica.communities.models import Community
from practica.portability.exporting import export_community
from practica.portability.progressbar import ProgressBar


class Command(BaseCommand):
    help = "Export a community (members, conversations, library, learning, evidence, events, bulletin) to a zip archive."

    def add_arguments(self, parser):
        parser.add_argument("community_slug")
        parser.add_argument("path", help="The .zip file to write.")

    def handle(self, *args, community_slug, path, **options):
        community = Community.objects.filter(slug=community_slug).first()
        if community is None:
            raise CommandError(f"There is no community “{community_slug}”.")

        show = ProgressBar(self.stderr, "Exporting")

        try:
            result = export_community(community, path, on_progress=show)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror or error}.") from None
        show.close()
        self.stdout.write(f"{community.slug} → {path}: {result.summary()}")
