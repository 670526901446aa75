"""What every conversation write shares: settings, text checks and follow-ups."""

from __future__ import annotations

import re
import time

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from practica.communities.capabilities import Capability, can
from practica.conversations.models import (
    BODY_MAX_CHARS,
    TITLE_MAX_CHARS,
    TITLE_MIN_CHARS,
    ConversationSettings,
)
from practica.markdown import render_markdown

# The shared guard, re-exported for the conversation services and their callers.
from practica.privacy.guard import PatientDataFound, screen  # noqa: F401
from practica.site import absolute_url

MAX_NESTING_DEPTH = 12
MAX_TABLE_ROWS = 300
MAX_TABLE_COLUMNS = 30
RATE_WINDOW_SECONDS = 600

MENTION = re.compile(r"(?<![\w@/\[])@([A-Za-z0-9_][A-Za-z0-9_.-]{0,148}[A-Za-z0-9_])")


def settings_for(community) -> ConversationSettings:
    """The community's conversation settings (unsaved defaults if it has none), cached on it."""
    cached = getattr(community, "_conversation_settings", None)
    if cached is None:
        cached = ConversationSettings.objects.filter(community=community).first()
        if cached is None:
            cached = ConversationSettings(community=community)
        community._conversation_settings = cached
    return cached


def clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": "Give your post a title."})
    if len(title) < TITLE_MIN_CHARS:
        raise ValidationError(
            {"title": f"Make the title at least {TITLE_MIN_CHARS} characters long."}
        )
    if len(title) > TITLE_MAX_CHARS:
        raise ValidationError(
            {"title": f"Keep the title to {TITLE_MAX_CHARS} characters (it has {len(title)})."}
        )
    return title


def clean_body(body: str, *, required: bool = True) -> str:
    """Check the Markdown source's size and shape; returns it with line endings normalised."""
    body = (body or "").replace("\r\n", "\n").strip()
    if required and not body:
        raise ValidationError({"body": "Write something before posting."})
    if len(body) > BODY_MAX_CHARS:
        raise ValidationError(
            {"body": f"Keep it to {BODY_MAX_CHARS:,} characters (this has {len(body):,})."}
        )
    depth = 0
    table_rows = 0
    widest = 0
    for line in body.split("\n"):
        prefix = re.match(r"^[\s>*+\-\d.)]*", line).group(0)
        depth = max(
            depth, prefix.count(">") + len(re.findall(r"(?:^|\s)(?:[*+\-]|\d+[.)])\s", prefix))
        )
        if line.lstrip().startswith("|"):
            table_rows += 1
            widest = max(widest, line.count("|") - 1)
    if depth > MAX_NESTING_DEPTH:
        raise ValidationError(
            {
                "body": f"Quotes or lists are nested {depth} levels deep; keep them to "
                f"{MAX_NESTING_DEPTH} or fewer."
            }
        )
    if table_rows > MAX_TABLE_ROWS or widest > MAX_TABLE_COLUMNS:
        raise ValidationError(
            {
                "body": f"Tables can have up to {MAX_TABLE_ROWS} rows and {MAX_TABLE_COLUMNS} "
                "columns; share bigger data as a link or an attachment."
            }
        )
    return body


def mentioned_usernames(body: str) -> list[str]:
    names = []
    for match in MENTION.finditer(body or ""):
        name = match.group(1)
        if name not in names:
            names.append(name)
    return names[:50]


def _mentionable(names, community) -> dict:
    from practica.people.models import User

    if not names:
        return {}
    return {
        user.username: user
        for user in User.objects.filter(
            username__in=names, memberships__community=community, memberships__suspended=False
        )
    }


def _link_mentions(body: str, known: dict) -> str:
    def link(match: re.Match) -> str:
        user = known.get(match.group(1))
        return f"[@{user.username}]({user.get_absolute_url()})" if user else match.group(0)

    return MENTION.sub(link, body) if known else body


def render_body(body: str, *, community) -> tuple[str, list]:
    """Rendered HTML for `body` with @mentions of members linked, and the members mentioned."""
    known = _mentionable(mentioned_usernames(body), community)
    return render_markdown(_link_mentions(body, known)), list(known.values())


def render_bodies(bodies: list[str], *, community, renderer=None) -> list[str]:
    """`render_body`'s HTML for many bodies, with one query for every mention among them.

    `renderer` maps a list of Markdown sources to their HTML (`render_markdown` on each by
    default; an import may hand the list to a process pool).
    """
    names = {name for body in bodies for name in mentioned_usernames(body)}
    known = _mentionable(sorted(names), community)
    sources = [_link_mentions(body, known) for body in bodies]
    if renderer is not None:
        return renderer(sources)
    return [render_markdown(source) for source in sources]


def check_rate(actor, community) -> None:
    """Refuse a post when the member has posted too often lately; stewards are exempt."""
    if can(actor, Capability.MODERATE, community=community):
        return
    limit = settings_for(community).posts_per_ten_minutes
    if cache.get(_rate_key(actor, community), 0) >= limit:
        raise ValidationError(
            f"You have posted {limit} times in the last ten minutes, which is this community's "
            "limit. Please wait a few minutes and post again; what you wrote is kept below."
        )


def count_post(actor, community) -> None:
    key = _rate_key(actor, community)
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW_SECONDS)


def _rate_key(actor, community) -> str:
    return (
        f"conversations:posts:{community.pk}:{actor.pk}:{int(time.time() // RATE_WINDOW_SECONDS)}"
    )


def after_commit_index(thread_id: int) -> None:
    """Re-index the thread and its replies once this transaction commits (coalesced)."""
    from practica.search.receivers import schedule

    schedule("thread", thread_id)


def after_commit_reevaluate(*, user_ids, community_id: int) -> None:
    """Ask the trajectory engine to re-evaluate these members once this transaction commits."""
    ids = sorted({pk for pk in user_ids if pk})
    if ids:
        from practica.conversations.trajectory import request_reevaluation

        request_reevaluation(user_ids=ids, community_id=community_id)


def announce_thread(thread) -> None:
    """Tell webhooks a thread is published (call inside the write's transaction)."""
    from practica.api.webhooks.services import emit

    emit(
        "thread.created",
        community=thread.community,
        data={
            "thread": {
                "id": thread.pk,
                "kind": thread.kind,
                "title": thread.title,
                "author": thread.author.username if thread.author else None,
                "url": absolute_url(thread.get_absolute_url()),
            }
        },
    )


def announce_post(post, thread) -> None:
    from practica.api.webhooks.services import emit

    emit(
        "post.created",
        community=thread.community,
        data={
            "post": {
                "id": post.pk,
                "thread_id": thread.pk,
                "thread_title": thread.title,
                "author": post.author.username if post.author else None,
                "reply_to_id": post.reply_to_id,
                "url": absolute_url(f"{thread.get_absolute_url()}#post-{post.pk}"),
            }
        },
    )


def after_commit_notify(task, *args) -> None:
    from practica.reliability.worker import once_more_after_a_cut

    transaction.on_commit(lambda: once_more_after_a_cut(task.enqueue, *args))
