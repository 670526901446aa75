"""Badges earned the way members earn them: by completing modules and changing stage."""

from __future__ import annotations

from practica.badges.models import Assertion
from practica.badges.services import issue_module_badge, issue_stage_badge
from practica.communities.models import Membership
from practica.learning.models import ModuleProgress
from practica.learning.services.progress import mark_section_read
from practica.learning.tests.factories import make_module


def one_section_module(community, **kwargs):
    return make_module(
        community=community, sections=1, activities=0, readings=0, questions=0, **kwargs
    )


def complete(user, module) -> ModuleProgress:
    """Read the module's one section, which completes it."""
    section_id = module.current_version.snapshot["sections"][0]["id"]
    return mark_section_read(actor=user, module=module, section_id=section_id)


def module_badge(user, module) -> Assertion:
    progress = complete(user, module)
    return issue_module_badge(progress_id=progress.pk)


def stage_badge(user, community, stage) -> Assertion:
    membership = Membership.objects.get(user=user, community=community)
    return issue_stage_badge(membership_id=membership.pk, stage=stage)
