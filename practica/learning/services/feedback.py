"""“Send us your comments”: feedback on a module, emailed to its owners, handled by them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from practica.learning.access import check_live, require_author, require_read
from practica.learning.models import FEEDBACK_MAX_CHARS, Feedback, Module
from practica.privacy.guard import screen
from practica.site import site_url


def send_feedback(*, actor, module: Module, text: str, confirm_guard: bool = False) -> Feedback:
    """Store a comment and email it to the module's owners once it is saved.

    Raises PatientDataFound (see privacy.guard)."""
    require_read(actor, module)
    check_live(actor, module)
    if actor is None or not actor.is_authenticated:
        raise ValidationError("Log in to send your comments.")
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write your comments before sending them.")
    if len(text) > FEEDBACK_MAX_CHARS:
        raise ValidationError(
            f"Your comments are {len(text):,} characters long; the limit is {FEEDBACK_MAX_CHARS:,}. "
            "Shorten them and send again: your text is kept below."
        )
    screening = screen(
        actor=actor,
        community=module.community,
        where="module feedback",
        texts={"text": text},
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        feedback = Feedback(module=module, author=actor, text=text)
        feedback.full_clean()
        feedback.save()
        screening.record(feedback)
        feedback_id = feedback.pk
        transaction.on_commit(lambda: email_owners(feedback_id=feedback_id))
    return feedback


def email_owners(*, feedback_id: int) -> int:
    feedback = Feedback.objects.select_related("module", "author").get(pk=feedback_id)
    module = feedback.module
    recipients = [u.email for u in module.owners.all() if u.email and u.pk != feedback.author_id]
    if not recipients:
        return 0
    context = {"feedback": feedback, "module": module, "base_url": site_url()}
    return send_mail(
        subject=f"Comments on your module “{module.title}”",
        message=render_to_string("learning/email/feedback.txt", context),
        from_email=None,
        recipient_list=recipients,
    )


def mark_feedback_handled(*, actor, feedback: Feedback, handled: bool = True) -> Feedback:
    require_author(actor, feedback.module)
    with transaction.atomic():
        feedback.handled_at = timezone.now() if handled else None
        feedback.handled_by = actor if handled else None
        feedback.save(update_fields=["handled_at", "handled_by"])
    return feedback
