"""Every write to conversations. Each function checks the capability gate first."""

from practica.conversations.services.common import PatientDataFound, settings_for
from practica.conversations.services.marks import (
    accept_answer,
    endorse_answer,
    mark_helpful,
    may_endorse,
    unaccept_answer,
    unmark_helpful,
)
from practica.conversations.services.moderation import (
    dismiss_flag,
    flag_post,
    hide_post,
    move_thread,
    set_locked,
    set_pinned,
    unhide_post,
)
from practica.conversations.services.staging import (
    approve_staged,
    comment_on_staged,
    publish_own_staged,
)
from practica.conversations.services.threads import (
    delete_post,
    edit_post,
    may_delete,
    reply,
    start_thread,
)
from practica.conversations.services.watching import set_watching_thread, set_watching_topic

__all__ = [
    "PatientDataFound",
    "accept_answer",
    "approve_staged",
    "comment_on_staged",
    "delete_post",
    "dismiss_flag",
    "edit_post",
    "endorse_answer",
    "flag_post",
    "hide_post",
    "mark_helpful",
    "may_delete",
    "may_endorse",
    "move_thread",
    "publish_own_staged",
    "reply",
    "set_locked",
    "set_pinned",
    "set_watching_thread",
    "set_watching_topic",
    "settings_for",
    "start_thread",
    "unaccept_answer",
    "unhide_post",
    "unmark_helpful",
]
