"""Importing threads from another system, one JSON record at a time (see import-threads).

An operator's action: no capability check and no guard or rate limit, but the same
validation of titles and bodies as members get, and the record's `id` kept as the
thread's external id so importing again updates rather than duplicates.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from practica.communities.models import Membership, Topic
from practica.conversations.models import Post, PostRevision, Thread, ThreadKind, ThreadStatus
from practica.conversations.services.common import (
    after_commit_reevaluate,
    clean_body,
    clean_title,
    render_body,
)

MAX_REPLIES = 2000


class BadRecord(ValueError):
    """A line that cannot be imported; the message says why."""


def _text(record: dict, key: str, *, required: bool) -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise BadRecord(f"“{key}” is missing")
        return ""
    if not isinstance(value, str):
        raise BadRecord(f"“{key}” must be a string")
    return value


def _when(value, what: str) -> dt.datetime:
    if value in (None, ""):
        return timezone.now()
    if not isinstance(value, str):
        raise BadRecord(f"{what} must be an ISO 8601 date-time string")
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise BadRecord(f"{what} “{value}” is not an ISO 8601 date-time")
        moment = dt.datetime.combine(day, dt.time(12, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


def _checked(fn, value, what: str):
    try:
        return fn(value)
    except ValidationError as error:
        raise BadRecord(f"{what}: {' '.join(error.messages)}") from None


def _author(community, who, cache: dict):
    from practica.people.models import User

    if not isinstance(who, str) or not who.strip():
        raise BadRecord("“author” must be an email address or a username")
    who = who.strip()
    if who in cache:
        return cache[who]
    if "@" in who:
        user = User.objects.filter(email__iexact=who).first()
    else:
        user = User.objects.filter(username=who).first()
    if user is None:
        base = slugify(who.split("@")[0]).replace("-", ".")[:100] or "member"
        username, n = base, 1
        while User.objects.filter(username=username).exists():
            n += 1
            username = f"{base}{n}"
        email = who if "@" in who else f"{username}@imported.invalid"
        user = User(username=username, email=email.lower(), display_name=who.split("@")[0])
        user.set_unusable_password()
        _checked(lambda u: u.full_clean(exclude=["password"]), user, "author")
        user.save()
    Membership.objects.get_or_create(user=user, community=community)
    cache[who] = user
    return user


def _topics(community, tags) -> list[Topic]:
    if tags in (None, ""):
        return []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise BadRecord("“tags” must be a list of strings")
    topics = []
    for tag in tags:
        name = " ".join(tag.split())[:80]
        slug = slugify(name)[:80]
        if not slug:
            continue
        topic = Topic.objects.filter(community=community, slug=slug).first() or (
            Topic.objects.filter(community=community, name__iexact=name).first()
        )
        if topic is None:
            topic = Topic.objects.create(community=community, name=name, slug=slug)
        topics.append(topic)
    return topics


def import_record(*, community, record, authors: dict | None = None) -> tuple[Thread, bool]:
    """Create or update one thread from a decoded JSON record; raises BadRecord with a reason."""
    authors = {} if authors is None else authors
    if not isinstance(record, dict):
        raise BadRecord("each line must be a JSON object")
    external_id = record.get("id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)
    if not isinstance(external_id, str) or not external_id.strip():
        raise BadRecord("“id” is missing or empty")
    if len(external_id) > 200:
        raise BadRecord("“id” is longer than 200 characters")
    title = _checked(clean_title, _text(record, "title", required=True), "title")
    body = _checked(
        lambda b: clean_body(b, required=False), _text(record, "body", required=False), "body"
    )
    kind = record.get("kind") or ThreadKind.QUESTION
    if kind not in ThreadKind.values:
        raise BadRecord(f"“kind” must be “question” or “discussion”, not “{kind}”")
    replies = record.get("replies") or []
    if not isinstance(replies, list) or len(replies) > MAX_REPLIES:
        raise BadRecord(f"“replies” must be a list of at most {MAX_REPLIES} objects")
    created = _when(record.get("created"), "“created”")
    cleaned_replies = []
    for n, item in enumerate(replies, start=1):
        if not isinstance(item, dict):
            raise BadRecord(f"reply {n} must be an object")
        reply_body = _checked(clean_body, _text(item, "body", required=True), f"reply {n} body")
        accepted = item.get("accepted", False)
        if not isinstance(accepted, bool):
            raise BadRecord(f"reply {n}: “accepted” must be true or false")
        cleaned_replies.append(
            (
                reply_body,
                item.get("author"),
                _when(item.get("created"), f"reply {n} “created”"),
                accepted,
            )
        )
    if sum(1 for r in cleaned_replies if r[3]) > 1:
        raise BadRecord("only one reply can be the accepted answer")
    if kind == ThreadKind.DISCUSSION and any(r[3] for r in cleaned_replies):
        raise BadRecord("a discussion cannot have an accepted answer")

    with transaction.atomic():
        author = _author(community, record.get("author"), authors)
        topics = _topics(community, record.get("tags"))
        thread = Thread.objects.filter(community=community, external_id=external_id).first()
        created_now = thread is None
        if thread is None:
            thread = Thread(community=community, external_id=external_id)
        thread.kind = kind
        thread.title = title
        thread.author = author
        thread.status = ThreadStatus.PUBLISHED
        thread.created_at = created
        thread.published_at = created
        thread.accepted_post = None
        _checked(lambda t: t.full_clean(exclude=["accepted_post"]), thread, "thread")
        thread.save()
        thread.topics.set(topics)
        opening = thread.posts.filter(is_opening=True).first() or Post(
            thread=thread, is_opening=True
        )
        _save_post(opening, author=author, body=body, created=created, community=community)
        existing = list(thread.posts.filter(is_opening=False).order_by("created_at", "pk"))
        accepted_post = None
        last = created
        for index, (reply_body, reply_author, reply_created, accepted) in enumerate(
            cleaned_replies
        ):
            post = existing[index] if index < len(existing) else Post(thread=thread)
            user = _author(community, reply_author, authors)
            _save_post(
                post, author=user, body=reply_body, created=reply_created, community=community
            )
            last = max(last, reply_created)
            if accepted:
                accepted_post = post
        for surplus in existing[len(cleaned_replies) :]:
            surplus.delete()
        thread.accepted_post = accepted_post
        thread.accepted_by = author if accepted_post else None
        thread.reply_count = len(cleaned_replies)
        thread.last_activity_at = last
        thread.helpful_count = sum(p.helpful_count for p in thread.posts.all())
        thread.save()
        after_commit_reevaluate(
            user_ids=list(thread.posts.values_list("author_id", flat=True)),
            community_id=community.pk,
        )
    return thread, created_now


def _save_post(post, *, author, body: str, created, community) -> None:
    changed = post.pk is None or post.body != body
    post.author = author
    post.created_at = created
    if changed:
        post.body = body
        post.body_html, _ = render_body(body, community=community)
    if post.written_stage is None:
        post.stamp_lanyard(author, community)
    post.save()
    if changed:
        revision = PostRevision(post=post, editor=author, body=body, created_at=created)
        revision.stamp_lanyard(author, community)
        revision.save()
