import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from practica.badges.models import Assertion, BadgeClass, BadgeKind
from practica.badges.openbadges import hash_identity
from practica.badges.services import issue_module_badge, revoke_assertion
from practica.badges.tests.factories import complete, module_badge, one_section_module, stage_badge
from practica.communities.models import Membership
from practica.communities.services.membership import join_community
from practica.communities.services.progression import change_stage
from practica.communities.stages import Stage
from practica.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_completing_a_module_awards_its_badge_once_it_commits(
    community, member_at, django_capture_on_commit_callbacks
):
    module = one_section_module(community)
    learner = member_at(Stage.PERIPHERAL)
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, module)
    assertion = Assertion.objects.get(recipient=learner)
    assert assertion.badge_class.kind == BadgeKind.MODULE
    assert assertion.badge_class.module == module
    assert assertion.badge_class.community == community
    assert "Complete the learning module “Handover with ISBAR”" in assertion.badge_class.criteria
    assert "1 section read" in assertion.evidence


def test_the_recipient_email_is_hashed_with_its_own_salt(community, member_at):
    module = one_section_module(community)
    first, second = member_at(Stage.PERIPHERAL), member_at(Stage.PERIPHERAL)
    a, b = module_badge(first, module), module_badge(second, module)
    assert a.identity == hash_identity(first.email, a.salt)
    assert a.salt != b.salt and len(a.salt) == 32
    assert first.email not in a.identity


def test_awarding_is_idempotent_one_assertion_per_recipient_and_badge_class(community, member_at):
    module = one_section_module(community)
    learner = member_at(Stage.PERIPHERAL)
    first = module_badge(learner, module)
    progress_id = learner.module_progress.get().pk
    assert issue_module_badge(progress_id=progress_id) == first
    assert stage_badge(learner, community, Stage.PARTICIPANT) is not None
    assert stage_badge(learner, community, Stage.PARTICIPANT) is not None
    assert Assertion.objects.filter(recipient=learner).count() == 2
    assert BadgeClass.objects.count() == 2


def test_an_unfinished_module_earns_nothing(community, member_at):
    module = one_section_module(community)
    learner = member_at(Stage.PERIPHERAL)
    from practica.learning.services.progress import start_module

    progress = start_module(actor=learner, module=module)
    assert issue_module_badge(progress_id=progress.pk) is None
    assert not module.badge_classes.exists()


def test_promotion_to_participant_and_beyond_awards_the_stage_badge(
    community, member_at, django_capture_on_commit_callbacks
):
    steward = member_at(Stage.STEWARD)
    learner = member_at(Stage.PERIPHERAL)
    membership = Membership.objects.get(user=learner, community=community)
    with django_capture_on_commit_callbacks(execute=True):
        change_stage(actor=steward, membership=membership, to_stage=Stage.PARTICIPANT, reason="Ok")
        change_stage(actor=steward, membership=membership, to_stage=Stage.FULL, reason="Well done")
    names = sorted(
        Assertion.objects.filter(recipient=learner).values_list("badge_class__name", flat=True)
    )
    assert names == [f"Full member · {community.name}", f"Participant · {community.name}"]
    full = Assertion.objects.get(recipient=learner, badge_class__stage=Stage.FULL)
    assert (
        full.evidence
        == f"Promoted to Full member in {community.name} on meeting the community's trajectory."
    )


def test_joining_as_a_learner_and_being_demoted_award_nothing(
    community, member_at, django_capture_on_commit_callbacks
):
    steward = member_at(Stage.STEWARD)
    full = member_at(Stage.FULL)
    newcomer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        join_community(actor=newcomer, community=community)
        change_stage(
            actor=steward,
            membership=Membership.objects.get(user=full, community=community),
            to_stage=Stage.PARTICIPANT,
            reason="Stepping back",
        )
    assert not Assertion.objects.exists()


def test_stage_badge_uses_the_community_stage_label(community, member_at):
    community.stage_labels = {"30": "Senior colleague"}
    community.save()
    member = member_at(Stage.FULL)
    assertion = stage_badge(member, community, Stage.FULL)
    assert assertion.badge_class.name == f"Senior colleague · {community.name}"
    assert stage_badge(member, community, Stage.PERIPHERAL) is None


@pytest.mark.parametrize(
    ("stage", "allowed"),
    [
        (Stage.PERIPHERAL, False),
        (Stage.PARTICIPANT, False),
        (Stage.FULL, False),
        (Stage.STEWARD, True),
    ],
)
def test_only_stewards_revoke_stage_badges(community, member_at, stage, allowed):
    holder = member_at(Stage.PARTICIPANT)
    assertion = stage_badge(holder, community, Stage.PARTICIPANT)
    actor = member_at(stage)
    if allowed:
        revoke_assertion(actor=actor, assertion=assertion, reason="Awarded in error")
        assertion.refresh_from_db()
        assert assertion.is_revoked and assertion.revoked_by == actor
    else:
        with pytest.raises(PermissionDenied, match="Only the stewards"):
            revoke_assertion(actor=actor, assertion=assertion, reason="No")


def test_module_owners_and_staff_revoke_module_badges_and_no_one_else(community, member_at):
    module = one_section_module(community)
    owner = module.owners.get()
    another_author = member_at(Stage.STEWARD)
    staff = UserFactory(is_staff=True)
    first = module_badge(member_at(Stage.PERIPHERAL), module)
    second = module_badge(member_at(Stage.PERIPHERAL), module)
    with pytest.raises(PermissionDenied, match="module's owners"):
        revoke_assertion(actor=another_author, assertion=first, reason="No")
    revoke_assertion(actor=owner, assertion=first, reason="Copied the reflection")
    revoke_assertion(actor=staff, assertion=second, reason="Duplicate account")
    assert Assertion.objects.filter(revoked_at__isnull=False).count() == 2


def test_revoking_needs_a_reason_and_a_revoked_badge_is_never_awarded_again(community, member_at):
    module = one_section_module(community)
    learner = member_at(Stage.PERIPHERAL)
    assertion = module_badge(learner, module)
    with pytest.raises(ValidationError, match="Say why"):
        revoke_assertion(actor=module.owners.get(), assertion=assertion, reason="  ")
    revoke_assertion(actor=module.owners.get(), assertion=assertion, reason="Shared answers")
    again = issue_module_badge(progress_id=learner.module_progress.get().pk)
    assert again.pk == assertion.pk and again.is_revoked
    assert again.revocation_reason == "Shared answers"
