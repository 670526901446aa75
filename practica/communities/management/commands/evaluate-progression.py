"""`practica evaluate-progression [community-slug]`: apply the progression rules to everyone.

Run nightly (cron) or on demand after changing rules. Events re-evaluate single members as
they happen; this sweep catches what only time changes, such as days since joining.
"""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from practica.communities.models import Community, Membership
from practica.communities.services.progression import evaluate_membership
from practica.progress import progress


class Command(BaseCommand):
    help = "Evaluate every member (or every member of one community) against the progression rules."

    def add_arguments(self, parser):
        parser.add_argument("community", nargs="?", help="Only this community (its slug).")

    def handle(self, *args, community=None, **options):
        memberships = Membership.objects.filter(suspended=False).order_by("community_id", "pk")
        if community:
            found = Community.objects.filter(slug=community).first()
            if found is None:
                raise CommandError(f"No community with the slug {community!r}.")
            memberships = memberships.filter(community=found)
        ids = list(memberships.values_list("pk", flat=True))
        outcomes = Counter()
        for membership_id in progress(ids, total=len(ids), label="Evaluating", stream=self.stderr):
            outcomes[evaluate_membership(membership_id=membership_id)] += 1
        self.stdout.write(
            f"Evaluated {len(ids)} members: {outcomes['promoted']} promoted, "
            f"{outcomes['requested']} newly waiting for a steward, "
            f"{outcomes['waiting']} already waiting, {outcomes['unchanged']} unchanged."
        )
