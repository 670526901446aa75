import pytest

from practica.badges.models import Assertion
from practica.demo import badges, communities, learning, library, people, trajectory

pytestmark = pytest.mark.django_db


def test_badges_demo_awards_module_and_stage_badges_once_with_one_revoked():
    for seeder in (people, communities, trajectory, library, learning):
        seeder.seed()
    summary = badges.seed()
    assert "1 revoked" in summary
    counts = (Assertion.objects.count(), Assertion.objects.filter(revoked_at__isnull=False).count())
    assert badges.seed() == summary
    assert (
        Assertion.objects.count(),
        Assertion.objects.filter(revoked_at__isnull=False).count(),
    ) == counts
    assert counts[1] == 1
    held = set(
        Assertion.objects.filter(recipient__email="full@example.com").values_list(
            "badge_class__name", flat=True
        )
    )
    assert {"Communities of practice", "Full member · Interprofessional ward care"} <= held
    steward = Assertion.objects.filter(recipient__email="steward@example.com")
    assert steward.filter(badge_class__stage=40).exists()
    revoked = Assertion.objects.get(revoked_at__isnull=False)
    assert revoked.badge_class.kind == "module"
    assert not revoked.recipient.email.endswith("@example.com")
