"""A learner's way through a module: starting it, reading sections, writing reflections."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practica.learning.access import require_take
from practica.learning.models import (
    REFLECTION_MAX_CHARS,
    Attempt,
    Module,
    ModuleProgress,
    Reflection,
)
from practica.privacy.guard import screen


def start_module(*, actor, module: Module) -> ModuleProgress:
    """The member's progress in `module`, pinned to the current version when first started."""
    require_take(actor, module)
    progress = (
        ModuleProgress.objects.filter(user=actor, module=module).select_related("version").first()
    )
    if progress is not None:
        return progress
    if module.current_version_id is None:
        raise ValidationError("This module has no published version to start.")
    with transaction.atomic():
        progress, _ = ModuleProgress.objects.get_or_create(
            user=actor, module=module, defaults={"version_id": module.current_version_id}
        )
    return progress


def mark_section_read(*, actor, module: Module, section_id: int) -> ModuleProgress:
    progress = start_module(actor=actor, module=module)
    if progress.version.section(section_id) is None:
        raise ValidationError("That section is not part of the version you are reading.")
    with transaction.atomic():
        progress = (
            ModuleProgress.objects.select_for_update(of=("self",))
            .select_related("version")
            .get(pk=progress.pk)
        )
        if section_id not in progress.read_section_ids:
            progress.read_section_ids = [*progress.read_section_ids, section_id]
        progress.last_section_id = section_id
        progress.updated_at = timezone.now()
        progress.save(update_fields=["read_section_ids", "last_section_id", "updated_at"])
        refresh_completion(progress)
    return progress


def check_reflection(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write your reflection before saving it.")
    if len(text) > REFLECTION_MAX_CHARS:
        raise ValidationError(
            f"Your reflection is {len(text):,} characters long; the limit is "
            f"{REFLECTION_MAX_CHARS:,}. Shorten it and save again: your text is kept below."
        )
    return text


def save_reflection(
    *, actor, module: Module, activity_id: int, text: str, confirm_guard: bool = False
) -> Reflection:
    """Write or rewrite the member's reflection on one activity. Reflections stay private,
    but may be shared later, so the guard reads them too (raises PatientDataFound)."""
    progress = start_module(actor=actor, module=module)
    if progress.version.activity(activity_id) is None:
        raise ValidationError("That activity is not part of the version you are working on.")
    text = check_reflection(text)
    screening = screen(
        actor=actor,
        community=module.community,
        where="reflection",
        texts={"text": text},
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        reflection = (
            Reflection.objects.select_for_update(of=("self",))
            .filter(progress=progress, activity_id=activity_id)
            .first()
        )
        if reflection is None:
            reflection = Reflection(progress=progress, activity_id=activity_id)
        reflection.text = text
        reflection.updated_at = timezone.now()
        reflection.full_clean()
        reflection.save()
        screening.record(reflection)
        progress.updated_at = timezone.now()
        progress.save(update_fields=["updated_at"])
        refresh_completion(progress)
    return reflection


def steps_done(progress: ModuleProgress, *, reflections: int, passed: bool) -> int:
    version = progress.version
    read = sum(1 for s in version.snapshot["sections"] if s["id"] in progress.read_section_ids)
    return (
        read
        + min(reflections, version.activity_count)
        + (1 if passed and version.has_assessment else 0)
    )


def refresh_completion(progress: ModuleProgress) -> None:
    """Mark the module complete once every step is done. Call inside a transaction."""
    if progress.completed_at is not None:
        return
    version = progress.version
    passed = (
        version.has_assessment
        and Attempt.objects.filter(
            user_id=progress.user_id, assessment__module_id=progress.module_id, passed=True
        ).exists()
    )
    activity_ids = {a["id"] for a in version.snapshot["activities"]}
    reflections = progress.reflections.filter(activity_id__in=activity_ids).count()
    if steps_done(progress, reflections=reflections, passed=passed) >= version.steps:
        progress.completed_at = timezone.now()
        progress.save(update_fields=["completed_at"])
        from practica.badges.services import issue_module_badge

        progress_id = progress.pk
        transaction.on_commit(lambda: issue_module_badge(progress_id=progress_id), robust=True)
        from practica.api.webhooks.services import emit

        module = progress.module
        emit(
            "module.completed",
            community=module.community,
            data={
                "module": module.slug,
                "title": module.title,
                "member": progress.user.username,
                "completed_at": progress.completed_at.isoformat(),
            },
        )


def share_reflection(
    *, actor, module: Module, activity_id: int, confirm_guard: bool = False
) -> Reflection:
    """Start a discussion in the module's community from the learner's reflection.

    The conversations service checks START_DISCUSSION and the patient-data guard; its
    PatientDataFound and CapabilityDenied reach the caller unchanged. Sharing twice
    returns the reflection already shared.
    """
    from practica.conversations.models import ThreadKind
    from practica.conversations.services.threads import start_thread

    progress = start_module(actor=actor, module=module)
    activity = progress.version.activity(activity_id)
    reflection = Reflection.objects.filter(progress=progress, activity_id=activity_id).first()
    if activity is None or reflection is None:
        raise ValidationError("Save your reflection before sharing it.")
    if module.community is None:
        raise ValidationError(
            "Reflections on organisation-wide modules have no community to share with."
        )
    if reflection.shared_thread_id:
        return reflection
    with transaction.atomic():
        thread = start_thread(
            actor=actor,
            community=module.community,
            kind=ThreadKind.DISCUSSION,
            title=f"Reflection on “{module.title}”: {activity['title']}"[:200],
            body=reflection.text,
            confirm_guard=confirm_guard,
        )
        reflection.shared_thread = thread
        reflection.save(update_fields=["shared_thread"])
    return reflection


def active_mentors(*, mentee, community):
    """The members mentoring `mentee` in `community` now (accepted, not ended)."""
    from practica.communities.models import Mentorship
    from practica.people.models import User

    return User.objects.filter(
        mentees_links__community=community,
        mentees_links__mentee=mentee,
        mentees_links__status=Mentorship.Status.ACTIVE,
    ).distinct()


def share_reflection_with_mentors(
    *, actor, module: Module, activity_id: int, shared: bool = True
) -> Reflection:
    """Let the member's mentors in the module's community read a saved reflection, or stop.

    Open to anyone who may take the module (a learner included): it is their own text,
    shown only to the people mentoring them. Refused without a saved reflection or, when
    sharing, without an active mentor.
    """
    progress = start_module(actor=actor, module=module)
    if module.community is None:
        raise ValidationError(
            "Reflections on organisation-wide modules have no mentors to share with."
        )
    with transaction.atomic():
        reflection = (
            Reflection.objects.select_for_update(of=("self",))
            .filter(progress=progress, activity_id=activity_id)
            .first()
        )
        if reflection is None:
            raise ValidationError("Save your reflection before sharing it.")
        if shared and not active_mentors(mentee=actor, community=module.community).exists():
            raise ValidationError(
                f"You have no mentor in {module.community.name} yet: ask a full member to "
                "mentor you, or a steward to find you one."
            )
        if shared and reflection.shared_with_mentors_at is None:
            reflection.shared_with_mentors_at = timezone.now()
        elif not shared:
            reflection.shared_with_mentors_at = None
        reflection.save(update_fields=["shared_with_mentors_at"])
    return reflection


def reflections_shared_with(*, mentor, module: Module, activity_id: int):
    """Reflections on one activity that `mentor`'s active mentees shared with their mentors."""
    from practica.communities.models import Mentorship

    if module.community is None:
        return Reflection.objects.none()
    mentees = Mentorship.objects.filter(
        community=module.community, mentor=mentor, status=Mentorship.Status.ACTIVE
    ).values("mentee_id")
    return (
        Reflection.objects.filter(
            progress__module=module,
            progress__user__in=mentees,
            activity_id=activity_id,
            shared_with_mentors_at__isnull=False,
        )
        .select_related("progress__user")
        .order_by("-updated_at")
    )
