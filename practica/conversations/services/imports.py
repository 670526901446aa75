"""Importing threads from another system in batches (see `practica import-threads`).

An operator's action: no capability check and no guard or rate limit, but the same
validation of titles and bodies as members get, and the record's `id` kept as the
thread's external id so importing again updates rather than duplicates.

Each line is checked on its own first (`parse_record`: a bad line is reported with its
reason and left out). The good ones are then written a batch at a time, in one
transaction per batch: authors resolved with one query per batch and created in bulk,
topics likewise, threads, posts and revisions inserted in bulk, Markdown rendered for the
batch, and the batch's search entries written in the same transaction, so what the
command has imported is searchable as soon as it has committed. If a batch fails in the
database, its records are tried one by one, so the report still names the line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from practica.communities.models import Membership, Topic
from practica.communities.stages import Stage
from practica.conversations.models import Post, PostRevision, Thread, ThreadKind, ThreadStatus
from practica.conversations.services.common import clean_body, clean_title, render_bodies
from practica.markdown import render_markdown_fast

MAX_REPLIES = 2000
BATCH = 500


class BadRecord(ValueError):
    """A line that cannot be imported; the message says why."""


@dataclass
class Reply:
    body: str
    author: str
    created: dt.datetime
    accepted: bool


@dataclass
class Record:
    """One line, checked: what `import_records` writes."""

    line: int
    external_id: str
    title: str
    body: str
    kind: str
    author: str
    created: dt.datetime
    tags: list[str]
    replies: list[Reply] = field(default_factory=list)


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    membership_ids: set[int] = field(default_factory=set)


# --- checking one line -----------------------------------------------------------------------


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


def _who(who) -> str:
    if not isinstance(who, str) or not who.strip():
        raise BadRecord("“author” must be an email address or a username")
    return who.strip()


def _tags(tags) -> list[str]:
    if tags in (None, ""):
        return []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise BadRecord("“tags” must be a list of strings")
    return [" ".join(tag.split())[:80] for tag in tags]


def parse_record(record, *, line: int) -> Record:
    """Check a decoded JSON line; raises BadRecord with a reason. Touches no database."""
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
    cleaned = []
    for n, item in enumerate(replies, start=1):
        if not isinstance(item, dict):
            raise BadRecord(f"reply {n} must be an object")
        reply_body = _checked(clean_body, _text(item, "body", required=True), f"reply {n} body")
        accepted = item.get("accepted", False)
        if not isinstance(accepted, bool):
            raise BadRecord(f"reply {n}: “accepted” must be true or false")
        try:
            author = _who(item.get("author"))
        except BadRecord as error:
            raise BadRecord(f"reply {n}: {error}") from None
        cleaned.append(
            Reply(reply_body, author, _when(item.get("created"), f"reply {n} “created”"), accepted)
        )
    if sum(1 for r in cleaned if r.accepted) > 1:
        raise BadRecord("only one reply can be the accepted answer")
    if kind == ThreadKind.DISCUSSION and any(r.accepted for r in cleaned):
        raise BadRecord("a discussion cannot have an accepted answer")
    return Record(
        line=line,
        external_id=external_id,
        title=title,
        body=body,
        kind=kind,
        author=_who(record.get("author")),
        created=created,
        tags=_tags(record.get("tags")),
        replies=cleaned,
    )


# --- members and topics, resolved once ------------------------------------------------------


class Directory:
    """Authors and topics of one import, looked up once and created in bulk."""

    def __init__(self, community):
        self.community = community
        self.users: dict[str, object] = {}  # as written in the file -> User
        self.bad: dict[str, str] = {}  # as written -> why it cannot be a member
        self.members: set[int] = set()  # user ids known to be members
        self.stages: dict[int, int] = {}  # user id -> stage here (VISITOR while suspended)
        self.new_people: list[int] = []
        self._load_topics()

    def _load_topics(self) -> None:
        self.topics = {t.slug: t for t in Topic.objects.filter(community=self.community)}
        self.topic_names = {t.name.lower(): t for t in self.topics.values()}

    def forget_unsaved(self) -> None:
        """After a batch rolled back, what it created is gone: look everything up again."""
        self.users.clear()
        self.members.clear()
        self.stages.clear()
        self.new_people = []
        self._load_topics()

    def resolve(self, names: set[str]) -> None:
        """Find or create a user for each of `names`, and make each a member."""
        from practica.people.models import User

        wanted = {n for n in names if n not in self.users and n not in self.bad}
        emails: dict[str, list[str]] = {}
        for name in wanted:
            if "@" in name:
                emails.setdefault(name.lower(), []).append(name)
        usernames = [n for n in wanted if "@" not in n]
        found = []
        for start in range(0, max(len(emails), len(usernames)), 500):
            query = Q(email__in=list(emails)[start : start + 500]) | Q(
                username__in=usernames[start : start + 500]
            )
            found += list(User.objects.filter(query))
        by_email = {u.email.lower(): u for u in found}
        # An address stored with other capitals: one more query for all of them.
        others = [e for e in emails if e not in by_email]
        for start in range(0, len(others), 500):
            for user in User.objects.annotate(lowered=Lower("email")).filter(
                lowered__in=others[start : start + 500]
            ):
                by_email.setdefault(user.email.lower(), user)
        by_username = {u.username: u for u in found}
        for lowered, spellings in emails.items():
            user = by_email.get(lowered)
            for name in spellings if user else []:
                self.users[name] = user
        for name in usernames:
            if name in by_username:
                self.users[name] = by_username[name]
        self._create([n for n in wanted if n not in self.users])
        self._join({self.users[n].pk for n in names if n in self.users})

    def _create(self, names: list[str]) -> None:
        """New members for names nobody has, with free usernames (one query per clash round)."""
        from practica.people.models import User

        by_email: dict[str, list[str]] = {}
        for name in sorted(names):
            key = name.lower() if "@" in name else name
            by_email.setdefault(key, []).append(name)
        if not by_email:
            return
        bases = {
            key: slugify(key.split("@")[0]).replace("-", ".")[:100] or "member" for key in by_email
        }
        chosen = dict(bases)
        taken: set[str] = set()
        suffix = dict.fromkeys(by_email, 1)
        pending = set(by_email)
        while pending:
            candidates = {chosen[key] for key in pending}
            taken |= set(
                User.objects.filter(username__in=candidates).values_list("username", flat=True)
            )
            seen: set[str] = set()
            clashing = set()
            for key in sorted(pending):
                name = chosen[key]
                if name in taken or name in seen:
                    clashing.add(key)
                    suffix[key] += 1
                    chosen[key] = f"{bases[key]}{suffix[key]}"
                else:
                    seen.add(name)
            taken |= seen
            pending = clashing
        made = []
        for key, spellings in by_email.items():
            username = chosen[key]
            email = key if "@" in key else f"{username}@imported.invalid"
            user = User(username=username, email=email, display_name=key.split("@")[0])
            user.set_unusable_password()
            try:
                user.full_clean(exclude=["password"], validate_unique=False)
            except ValidationError as error:
                for name in spellings:
                    self.bad[name] = f"author: {' '.join(error.messages)}"
                continue
            made.append((spellings, user))
        User.objects.bulk_create([user for _names, user in made], batch_size=500)
        for spellings, user in made:
            for name in spellings:
                self.users[name] = user
            self.new_people.append(user.pk)

    def _join(self, user_ids: set[int]) -> None:
        new = user_ids - self.members
        if not new:
            return
        Membership.objects.bulk_create(
            [Membership(user_id=pk, community=self.community) for pk in sorted(new)],
            ignore_conflicts=True,
            batch_size=500,
        )
        self.members |= new
        for user_id, stage, suspended in Membership.objects.filter(
            community=self.community, user_id__in=new
        ).values_list("user_id", "stage", "suspended"):
            self.stages[user_id] = Stage.VISITOR if suspended else stage

    def stamp(self, obj, user) -> None:
        """`stamp_lanyard` from the stages this import loaded (one query a batch, not a post)."""
        obj.written_stage = self.stages.get(user.pk, Stage.VISITOR)
        obj.written_profession = user.profession or ""

    def topic_for(self, name: str) -> Topic | None:
        slug = slugify(name)[:80]
        if not slug:
            return None
        topic = self.topics.get(slug) or self.topic_names.get(name.lower())
        if topic is None:
            topic = Topic.objects.create(community=self.community, name=name, slug=slug)
            self.topics[slug] = topic
            self.topic_names[name.lower()] = topic
        return topic


# --- writing a batch -------------------------------------------------------------------------


def import_records(
    *, community, records: list[Record], directory: Directory, render: Callable | None = None
) -> Outcome:
    """Write checked records in one transaction; on a database error, one at a time."""
    outcome = Outcome()
    for part in _without_repeats(records):
        try:
            _write_batch(community, part, directory, outcome, render)
            continue
        except (DatabaseError, ValidationError) as error:
            if len(part) == 1:
                outcome.errors.append((part[0].line, _reason(error)))
                continue
        directory.forget_unsaved()
        for record in part:
            try:
                _write_batch(community, [record], directory, outcome, render)
            except (DatabaseError, ValidationError) as error:
                outcome.errors.append((record.line, _reason(error)))
                directory.forget_unsaved()
    return outcome


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or type(error).__name__


def _without_repeats(records: list[Record]):
    """Runs of records with distinct ids, in file order (a repeated id updates in turn)."""
    part: list[Record] = []
    ids: set[str] = set()
    for record in records:
        if record.external_id in ids:
            yield part
            part, ids = [], set()
        part.append(record)
        ids.add(record.external_id)
    if part:
        yield part


def _write_batch(community, records, directory: Directory, outcome: Outcome, render) -> None:
    from practica.search.indexing import index_new_threads, index_objects

    with transaction.atomic():
        directory.resolve(
            {r.author for r in records} | {x.author for r in records for x in r.replies}
        )
        good = []
        for record in records:
            names = [record.author, *(reply.author for reply in record.replies)]
            bad = [directory.bad[name] for name in names if name in directory.bad]
            if bad:
                outcome.errors.append((record.line, bad[0]))
            else:
                good.append(record)
        if not good:
            return
        threads = _save_threads(community, good, directory)
        existing = _existing_posts(threads)
        posts, revisions, to_render = _plan_posts(good, threads, existing, directory)
        html = (render or _render_here)([post.body for post in to_render], community=community)
        for post, body_html in zip(to_render, html, strict=True):
            post.body_html = body_html
        _save_posts(posts, existing)
        history = []
        for post in revisions:
            revision = PostRevision(post=post, editor=post.author, body=post.body)
            revision.created_at = post.created_at
            directory.stamp(revision, post.author)
            history.append(revision)
        PostRevision.objects.bulk_create(history, batch_size=1000)
        _finish_threads(good, threads, posts)
        topics = _set_topics(good, threads, directory)
        made = [threads[r.external_id] for r in good if threads[r.external_id]._imported_new]
        # New threads are indexed from what is in hand; updated ones read as stored, so
        # entries they no longer have (a removed reply, another kind) are dropped.
        index_new_threads(made, posts=posts, topics=topics)
        index_objects("thread", [t.pk for t in threads.values() if not t._imported_new])
        if directory.new_people:
            index_objects("person", directory.new_people)
            directory.new_people = []
    for record in good:
        new = threads[record.external_id]._imported_new
        outcome.created += new
        outcome.updated += not new
    outcome.membership_ids |= set(
        Membership.objects.filter(
            community=community,
            user_id__in={p.author_id for thread_posts in posts.values() for p in thread_posts},
        ).values_list("pk", flat=True)
    )


def _render_fast(sources: list[str]) -> list[str]:
    return [render_markdown_fast(source) for source in sources]


def _render_here(bodies: list[str], *, community) -> list[str]:
    """The bodies' HTML, mentions linked, rendered in this process by the bulk renderer."""
    return render_bodies(bodies, community=community, renderer=_render_fast)


def _save_threads(community, records: list[Record], directory: Directory) -> dict[str, Thread]:
    found = {
        t.external_id: t
        for t in Thread.objects.filter(
            community=community, external_id__in=[r.external_id for r in records]
        )
    }
    new, changed = [], []
    for record in records:
        thread = found.get(record.external_id)
        is_new = thread is None
        if is_new:
            thread = Thread(community=community, external_id=record.external_id)
            found[record.external_id] = thread
        thread.kind = record.kind
        thread.title = record.title
        thread.author = directory.users[record.author]
        thread.status = ThreadStatus.PUBLISHED
        thread.created_at = record.created
        thread.published_at = record.created
        thread.reply_count = len(record.replies)
        thread.last_activity_at = max([record.created, *(r.created for r in record.replies)])
        thread._imported_new = is_new
        (new if is_new else changed).append(thread)
    Thread.objects.bulk_create(new, batch_size=500)
    if changed:
        Thread.objects.bulk_update(
            changed,
            ["kind", "title", "author", "status", "created_at", "published_at", "reply_count"]
            + ["last_activity_at"],
            batch_size=500,
        )
    return found


def _existing_posts(threads: dict[str, Thread]) -> dict[int, list[Post]]:
    old = [t.pk for t in threads.values() if not t._imported_new]
    existing: dict[int, list[Post]] = {pk: [] for pk in old}
    if old:
        for post in Post.objects.filter(thread_id__in=old).order_by(
            "-is_opening", "created_at", "pk"
        ):
            existing[post.thread_id].append(post)
    return existing


def _plan_posts(records, threads, existing, directory):
    """Each thread's posts as they must read (opening first), which need a revision, which
    need rendering. Posts whose text is unchanged keep their HTML and history."""
    posts: dict[int, list[Post]] = {}
    revisions, to_render = [], []
    for record in records:
        thread = threads[record.external_id]
        old = existing.get(thread.pk, [])
        opening = old[0] if old and old[0].is_opening else None
        old_replies = old[1:] if opening else old
        wanted = [(record.body, record.author, record.created, True)] + [
            (r.body, r.author, r.created, False) for r in record.replies
        ]
        current = [opening, *old_replies[: len(record.replies)]]
        current += [None] * (len(wanted) - len(current))
        thread_posts = []
        for post, (body, author, created, is_opening) in zip(current, wanted, strict=True):
            if post is None:
                post = Post(thread=thread, is_opening=is_opening)
            changed = post.pk is None or post.body != body
            post.author = directory.users[author]
            post.created_at = created
            if post.written_stage is None:
                directory.stamp(post, post.author)
            if changed:
                post.body = body
                to_render.append(post)
                revisions.append(post)
            thread_posts.append(post)
        posts[thread.pk] = thread_posts
        thread._surplus = [p.pk for p in old_replies[len(record.replies) :]]
    return posts, revisions, to_render


def _save_posts(posts: dict[int, list[Post]], existing) -> None:
    every = [p for thread_posts in posts.values() for p in thread_posts]
    new = [p for p in every if p.pk is None]
    old = [p for p in every if p.pk is not None]
    Post.objects.bulk_create(new, batch_size=500)
    if old:
        Post.objects.bulk_update(old, ["author", "created_at", "body", "body_html"], batch_size=500)


def _finish_threads(records, threads, posts) -> None:
    surplus = [pk for r in records for pk in threads[r.external_id]._surplus]
    if surplus:
        Post.objects.filter(pk__in=surplus).delete()
    finished = []
    for record in records:
        thread = threads[record.external_id]
        thread_posts = posts[thread.pk]
        accepted = [p for p, r in zip(thread_posts[1:], record.replies, strict=True) if r.accepted]
        thread.accepted_post = accepted[0] if accepted else None
        thread.accepted_by = thread.author if accepted else None
        thread.helpful_count = sum(p.helpful_count for p in thread_posts)
        # A new thread was inserted with its counts; only an answer's id came later.
        if not thread._imported_new or accepted:
            finished.append(thread)
    Thread.objects.bulk_update(
        finished, ["accepted_post", "accepted_by", "helpful_count"], batch_size=500
    )


def _set_topics(records, threads, directory: Directory) -> dict[int, list[Topic]]:
    """Each thread's topics as the file tags it; returns them by thread id."""
    through = Thread.topics.through
    old = [threads[r.external_id].pk for r in records if not threads[r.external_id]._imported_new]
    if old:
        through.objects.filter(thread_id__in=old).delete()
    rows = []
    by_thread = {}
    for record in records:
        thread = threads[record.external_id]
        topics = {t.pk: t for t in (directory.topic_for(tag) for tag in record.tags) if t}
        rows += [through(thread_id=thread.pk, topic_id=pk) for pk in topics]
        by_thread[thread.pk] = list(topics.values())
    through.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return by_thread


def import_record(*, community, record, directory: Directory | None = None) -> tuple[Thread, bool]:
    """Create or update one thread from a decoded JSON record; raises BadRecord with a reason."""
    checked = parse_record(record, line=1)
    directory = directory or Directory(community)
    outcome = import_records(community=community, records=[checked], directory=directory)
    if outcome.errors:
        raise BadRecord(outcome.errors[0][1])
    thread = Thread.objects.get(community=community, external_id=checked.external_id)
    return thread, bool(outcome.created)


class PooledRenderer:
    """Renders the next batch's Markdown in worker processes while this batch is written.

    `prepare(records)` hands the bodies of a batch to the pool; calling the renderer (as
    `import_records`' `render`) gives the HTML, from the pool where it was prepared and
    rendered here otherwise. Bodies that mention someone are always rendered here, at
    write time, so a mention links exactly the members who exist then.
    """

    def __init__(self, workers: int):
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        # Forked workers inherit the parent's database connection but never use it: they
        # only turn Markdown into HTML, and leave with os._exit, closing nothing.
        self.pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=get_context("fork"), initializer=_quiet
        )
        self.ready: dict[str, str] = {}
        self.pending: list[tuple[list[str], object]] = []

    def prepare(self, records: list[Record]) -> None:
        from practica.conversations.services.common import MENTION

        sources = list(
            dict.fromkeys(
                body
                for record in records
                for body in (record.body, *(reply.body for reply in record.replies))
                if not MENTION.search(body)
            )
        )
        self.pending.append((sources, self.pool.map(render_markdown_fast, sources, chunksize=64)))

    def __call__(self, bodies: list[str], *, community) -> list[str]:
        if self.pending and any(body not in self.ready for body in bodies):
            sources, results = self.pending.pop(0)  # this batch's, prepared last round
            self.ready = dict(zip(sources, results, strict=True))
        missing = [body for body in dict.fromkeys(bodies) if body not in self.ready]
        rendered = dict(zip(missing, _render_here(missing, community=community), strict=True))
        return [self.ready[body] if body in self.ready else rendered[body] for body in bodies]

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _quiet() -> None:
    """A render worker's stderr goes nowhere: markdown-it.rs prints a panic it recovers
    from (`render_markdown_fast` renders that body again with markdown-it-py)."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
