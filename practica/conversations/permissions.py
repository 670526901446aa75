"""Who may choose a question's accepted answer (the Stack Overflow rule).

The asker chooses. Members whose stage holds ACCEPT_ANSWER (full members and stewards by
default) may choose only once the question has gone `accept_after_days` days without the
asker choosing, and never over the asker's own choice. Stage rules come from
`practica.communities.capabilities`; this module adds the part that depends on the thread.
The accept service, the thread page and its template all ask `accept_refusal`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import formats, timezone

from practica.communities.capabilities import (
    Capability,
    CapabilityDenied,
    can,
    denial_reason,
    minimum_stage,
)
from practica.conversations.models import Thread
from practica.words import counted


def accept_after_days(thread: Thread) -> int:
    from practica.conversations.services.common import settings_for

    return settings_for(thread.community).accept_after_days


def others_may_accept_from(thread: Thread) -> datetime:
    """When members other than the asker may first choose an answer for this question."""
    asked = thread.published_at or thread.created_at
    return asked + timedelta(days=accept_after_days(thread))


def is_asker(user, thread: Thread) -> bool:
    return bool(user is not None and user.is_authenticated and thread.author_id == user.pk)


def accept_refusal(user, thread: Thread, *, now: datetime | None = None) -> str:
    """Why `user` may not accept or unaccept an answer on `thread`; "" when they may.

    Only the stage part needs `can`; the rest is about the thread and the asker's choice.
    """
    community = thread.community
    if not can(user, Capability.ACCEPT_ANSWER, community=community, obj=thread):
        return (
            denial_reason(user, Capability.ACCEPT_ANSWER, community=community)
            + " The asker chooses the accepted answer of their own question."
        )
    if is_asker(user, thread):
        return ""
    asker_chose = thread.author_id is not None and thread.accepted_by_id == thread.author_id
    if thread.accepted_post_id and asker_chose:
        return "The asker chose this answer: only they can change it."
    opens = others_may_accept_from(thread)
    if (now or timezone.now()) < opens:
        days = accept_after_days(thread)
        when = formats.date_format(timezone.localtime(opens), "j F Y")
        return (
            f"The asker chooses the accepted answer. If they haven’t within "
            f"{counted(days, 'day')} of asking, full members and stewards may choose "
            f"one: from {when} for this question."
        )
    return ""


def may_accept(user, thread: Thread) -> bool:
    """For views and templates: may `user` accept or unaccept answers on `thread` now?"""
    return accept_refusal(user, thread) == ""


def require_accept(user, thread: Thread) -> None:
    """Raise CapabilityDenied with a reason unless `user` may choose the accepted answer."""
    reason = accept_refusal(user, thread)
    if reason:
        raise CapabilityDenied(
            reason,
            capability=Capability.ACCEPT_ANSWER,
            needed_stage=minimum_stage(thread.community, Capability.ACCEPT_ANSWER),
            community=thread.community,
        )


# --- what a reader may do with each post -------------------------------------------------------

POST_ACTION_CAPABILITIES = [
    Capability.REPLY,
    Capability.MARK_HELPFUL,
    Capability.FLAG,
    Capability.MODERATE,
    Capability.ENDORSE_MEMBER,
]


def post_action_caps(user, thread: Thread) -> dict[str, bool]:
    """The stage answers `decorate_posts` needs, asked once per page (`can_map` keys)."""
    from practica.communities.capabilities import can_map

    caps = can_map(user, thread.community, POST_ACTION_CAPABILITIES)
    caps["can_accept_answer"] = may_accept(user, thread)
    return caps


def decorate_posts(user, thread: Thread, posts, caps: dict[str, bool]) -> None:
    """Give each post the flags saying what `user` may do with it: `can_edit`, `can_delete`,
    `can_redact`, `can_mark`, `can_flag`, `can_accept`, `can_endorse`, and `show_body`.

    The thread page and the API both ask this; `caps` is `post_action_caps(user, thread)`
    (the page may pass a larger map).
    """
    from practica.conversations.services import may_endorse

    for post in posts:
        mine = user.is_authenticated and post.author_id == user.pk
        shown = not post.is_deleted and not post.is_hidden
        post.can_edit = bool(shown and ((mine and caps["can_reply"]) or caps["can_moderate"]))
        post.can_delete = bool(shown and mine and thread.accepted_post_id != post.pk)
        # The same rule as privacy.redaction.may_redact: stewards, or the author.
        post.can_redact = bool(not post.is_deleted and (mine or caps["can_moderate"]))
        post.can_mark = bool(shown and not mine and caps["can_mark_helpful"] and thread.is_public)
        post.can_flag = bool(shown and not mine and caps["can_flag"])
        post.can_accept = bool(
            shown
            and thread.is_question
            and not post.is_opening
            and caps["can_accept_answer"]
            and thread.is_public
        )
        post.can_endorse = bool(shown and caps["can_endorse_member"] and may_endorse(user, post))
        # A post held as possible patient data stays readable to its author.
        post.show_body = shown or caps["can_moderate"] or (mine and post.held_for_review)
