"""Demo conversations in ward-care: ~60 threads with replies, marks, accepted answers,
an endorsement, a staged question with a mentor's comment, a flag and a guard warning.

Idempotent: each thread is keyed by a stable external id ("demo-…") and skipped when it
exists. Threads are written directly (not through the services) so their dates can lie
in the past and no rate limit applies; counters, revisions and the index are kept right.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from practica.communities.models import Community, Membership, Topic
from practica.communities.stages import Stage
from practica.conversations.demo_content import (
    EDITED_OUT,
    FLAGGED,
    HELD,
    REPLIES_TO,
    STAGED,
    THREADS,
)
from practica.conversations.models import (
    ConversationSettings,
    Flag,
    FlagReason,
    HelpfulMark,
    Post,
    PostRevision,
    ProfessionEndorsement,
    StagingComment,
    Thread,
    ThreadKind,
    ThreadStatus,
    Watch,
)
from practica.markdown import render_markdown
from practica.people.models import Profession, User
from practica.privacy.models import GuardLog
from practica.search.indexing import index_thread

DEMO_ACCOUNTS = {
    "steward": "steward@example.com",
    "full": "full@example.com",
    "participant": "participant@example.com",
    "learner": "learner@example.com",
}
PROFESSIONS = {
    "nurse": Profession.NURSE,
    "doctor": Profession.DOCTOR,
    "pharmacist": Profession.PHARMACIST,
    "therapist": Profession.ALLIED_HEALTH,
    "student": Profession.LEARNER,
    "admin": Profession.ADMINISTRATIVE,
    "hca": Profession.OTHER,
}


class Cast:
    """Picks members of ward-care for each role, in a fixed rotation."""

    def __init__(self, community: Community):
        memberships = Membership.objects.filter(
            community=community, suspended=False
        ).select_related("user")
        self.stage = {m.user_id: m.stage for m in memberships}
        self.accounts = {
            role: User.objects.get(email=email) for role, email in DEMO_ACCOUNTS.items()
        }
        demo_ids = {u.pk for u in self.accounts.values()}
        self.by_profession: dict[str, list[User]] = {}
        for m in sorted(memberships, key=lambda m: m.user.username):
            if m.user_id not in demo_ids:
                self.by_profession.setdefault(m.user.profession, []).append(m.user)
        self.turn: dict[str, int] = {}
        self.members = [m.user for m in memberships]

    def pick(self, role: str, *, min_stage: int = Stage.PERIPHERAL, avoid=()) -> User:
        if role in self.accounts:
            return self.accounts[role]
        people = [
            u
            for u in self.by_profession.get(PROFESSIONS[role], [])
            if self.stage[u.pk] >= min_stage and u not in avoid
        ] or [
            u for u in self.by_profession.get(Profession.NURSE, []) if self.stage[u.pk] >= min_stage
        ]
        index = self.turn.get(role, 0)
        self.turn[role] = index + 1
        return people[index % len(people)]


def _post(thread, author, body, when, *, opening=False, first=False) -> Post:
    post = Post.objects.create(
        thread=thread,
        author=author,
        is_opening=opening,
        is_first_contribution=first,
        body=body,
        body_html=render_markdown(body),
        created_at=when,
    )
    PostRevision.objects.create(
        post=post, editor=author, title=thread.title if opening else "", body=body, created_at=when
    )
    Watch.objects.get_or_create(user=author, thread=thread)
    return post


def _thread(community, cast, rng, spec, when) -> Thread:
    key, topic_slug, kind, role, title, body, replies, accepted = spec
    min_stage = Stage.PARTICIPANT if kind == ThreadKind.DISCUSSION else Stage.PERIPHERAL
    author = cast.pick(role, min_stage=min_stage)
    thread = Thread.objects.create(
        community=community,
        kind=kind,
        title=title,
        author=author,
        external_id=f"demo-{key}",
        created_at=when,
        published_at=when,
        last_activity_at=when,
    )
    thread.topics.set(Topic.objects.filter(community=community, slug=topic_slug))
    _post(thread, author, body, when, opening=True)
    posts = []
    moment = when
    for reply_role, reply_body, marks in replies:
        moment += timedelta(hours=rng.randint(1, 20), minutes=rng.randint(0, 59))
        replier = author if reply_role == role and reply_role in cast.accounts else None
        replier = replier or cast.pick(reply_role, avoid=[author])
        post = _post(thread, replier, reply_body, moment)
        others = [u for u in cast.members if u.pk != replier.pk]
        for user in rng.sample(others, k=min(marks, len(others))):
            HelpfulMark.objects.create(post=post, user=user, created_at=moment + timedelta(hours=2))
        Post.objects.filter(pk=post.pk).update(helpful_count=marks)
        post.helpful_count = marks
        posts.append(post)
    thread.reply_count = len(posts)
    thread.helpful_count = sum(p.helpful_count for p in posts)
    thread.last_activity_at = moment
    if accepted is not None and kind == ThreadKind.QUESTION:
        thread.accepted_post = posts[accepted]
        thread.accepted_by = author
    thread.save()
    return thread


def seed() -> str:
    community = Community.objects.get(slug="ward-care")
    ConversationSettings.objects.get_or_create(
        community=community,
        defaults={
            "staging_enabled": True,
            "staging_question_count": 2,
            "profession_endorsements": True,
        },
    )
    existing = set(
        Thread.objects.filter(community=community, external_id__startswith="demo-").values_list(
            "external_id", flat=True
        )
    )
    cast = Cast(community)
    rng = random.Random(4)
    now = timezone.now()
    made = 0
    for number, spec in enumerate(THREADS):
        when = now - timedelta(days=126 - number * 2, hours=rng.randint(0, 10))
        if f"demo-{spec[0]}" in existing:
            continue
        thread = _thread(community, cast, rng, spec, when)
        index_thread(thread)
        made += 1

    _replies_to(community)
    _chosen_for_asker(community)
    _endorsement(community)
    _staged(community, cast, now)
    _flag(community, cast, now)
    _guard_log(community, cast, now)
    _edited_out(community, cast, now)
    _held(community, cast, now)
    total = Thread.objects.filter(community=community).count()
    return f"{made} threads created, {total} in ward-care"


def _replies_to(community) -> None:
    """Make some replies answer a particular earlier post, as members do in long threads."""
    for key, number, answers in REPLIES_TO:
        thread = Thread.objects.filter(community=community, external_id=f"demo-{key}").first()
        if thread is None:
            continue
        posts = list(thread.posts.order_by("created_at", "pk"))
        opening, replies = posts[0], posts[1:]
        if number < len(replies) and replies[number].reply_to_id is None:
            parent = opening if answers is None else replies[answers]
            Post.objects.filter(pk=replies[number].pk).update(reply_to=parent)


def _chosen_for_asker(community) -> None:
    """One old question whose asker never chose: Daniel, a full member, chose for them."""
    full = User.objects.get(email="full@example.com")
    solved = Thread.objects.filter(
        community=community,
        external_id__startswith="demo-",
        kind=ThreadKind.QUESTION,
        accepted_post__isnull=False,
    ).exclude(author=full)
    if solved.filter(accepted_by=full).exists():
        return
    thread = solved.exclude(accepted_post__author=full).order_by("published_at", "pk").first()
    if thread is not None:
        Thread.objects.filter(pk=thread.pk).update(accepted_by=full)


def _endorsement(community) -> None:
    """Daniel, the demo pharmacist, endorses the answer on Parkinson's medicine timing."""
    thread = Thread.objects.filter(community=community, external_id="demo-medrec-07").first()
    pharmacist = User.objects.get(email="full@example.com")
    if thread and thread.accepted_post and thread.accepted_post.author_id != pharmacist.pk:
        ProfessionEndorsement.objects.get_or_create(
            post=thread.accepted_post,
            user=pharmacist,
            defaults={"profession": pharmacist.profession},
        )
    # And a doctor endorses the pharmacist's answer about sources for reconciliation.
    thread = Thread.objects.filter(community=community, external_id="demo-medrec-01").first()
    if thread and thread.accepted_post:
        doctor = (
            User.objects.filter(
                profession=Profession.DOCTOR,
                memberships__community=community,
                memberships__stage__gte=Stage.FULL,
            )
            .exclude(pk=thread.accepted_post.author_id)
            .order_by("username")
            .first()
        )
        if doctor:
            ProfessionEndorsement.objects.get_or_create(
                post=thread.accepted_post, user=doctor, defaults={"profession": doctor.profession}
            )


def _staged(community, cast, now) -> None:
    key, topic_slug, role, title, body, reviewer_role, comment = STAGED
    if Thread.objects.filter(community=community, external_id=f"demo-{key}").exists():
        return
    asker = cast.pick(role)
    when = now - timedelta(days=1, hours=3)
    thread = Thread.objects.create(
        community=community,
        kind=ThreadKind.QUESTION,
        title=title,
        author=asker,
        status=ThreadStatus.STAGED,
        staged_at=when,
        external_id=f"demo-{key}",
        created_at=when,
        last_activity_at=when,
    )
    thread.topics.set(Topic.objects.filter(community=community, slug=topic_slug))
    _post(thread, asker, body, when, opening=True)
    reviewer = cast.pick(reviewer_role)
    StagingComment.objects.create(
        thread=thread,
        author=reviewer,
        body=comment,
        body_html=render_markdown(comment),
        created_at=when + timedelta(hours=5),
    )
    index_thread(thread)


def _flag(community, cast, now) -> None:
    key, role, body, reason, note = FLAGGED
    thread = Thread.objects.filter(community=community, external_id=f"demo-{key}").first()
    if thread is None or thread.posts.filter(body=body).exists():
        return
    author = cast.pick(role)
    when = now - timedelta(hours=20)
    post = _post(thread, author, body, when)
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=thread.reply_count + 1, last_activity_at=when
    )
    flagger = User.objects.get(email="participant@example.com")
    Flag.objects.get_or_create(
        post=post,
        flagged_by=flagger,
        defaults={"reason": reason, "note": note, "created_at": when + timedelta(hours=1)},
    )


def _guard_log(community, cast, now) -> None:
    if GuardLog.objects.filter(community=community).exists():
        return
    GuardLog.objects.create(
        community=community,
        user=cast.pick("nurse"),
        where="question",
        decision=GuardLog.Decision.WARNED,
        kinds=["date_of_birth", "nhs_number"],
        created_at=now - timedelta(days=2, hours=6),
    )


def _edited_out(community, cast, now) -> None:
    """A reply whose author edited a patient's name out: it lives on in the edit history."""
    key, role, first, edited = EDITED_OUT
    thread = Thread.objects.filter(community=community, external_id=f"demo-{key}").first()
    if thread is None or thread.posts.filter(body=edited).exists():
        return
    author = cast.pick(role, min_stage=Stage.PARTICIPANT)
    when = now - timedelta(days=3, hours=4)
    post = _post(thread, author, first, when)
    later = when + timedelta(minutes=12)
    Post.objects.filter(pk=post.pk).update(
        body=edited, body_html=render_markdown(edited), edited_at=later
    )
    PostRevision.objects.create(post=post, editor=author, body=edited, created_at=later)
    Thread.objects.filter(pk=thread.pk).update(reply_count=thread.reply_count + 1)
    index_thread(thread)


def _held(community, cast, now) -> None:
    """A reply flagged as patient data: hidden from all but its author and the stewards."""
    from django.urls import reverse

    from practica.conversations.services.moderation import HELD_REASON
    from practica.notifications.models import Delivery, Notification

    key, role, body, note = HELD
    thread = Thread.objects.filter(community=community, external_id=f"demo-{key}").first()
    if thread is None or thread.posts.filter(body=body).exists():
        return
    author = cast.pick(role)
    when = now - timedelta(hours=5)
    post = _post(thread, author, body, when)
    Post.objects.filter(pk=post.pk).update(
        hidden_at=when + timedelta(minutes=40), hidden_reason=HELD_REASON, held_for_review=True
    )
    Thread.objects.filter(pk=thread.pk).update(reply_count=thread.reply_count + 1)
    flagger = User.objects.get(email="full@example.com")
    Flag.objects.get_or_create(
        post=post,
        flagged_by=flagger,
        defaults={
            "reason": FlagReason.PATIENT_DATA,
            "note": note,
            "created_at": when + timedelta(minutes=40),
        },
    )
    flag = Flag.objects.get(post=post, flagged_by=flagger)
    queue = reverse("conversations:moderation", kwargs={"community_slug": community.slug})
    Notification.objects.create(
        recipient=User.objects.get(email="steward@example.com"),
        community=community,
        kind=Notification.Kind.STEWARD,
        actor=flagger,
        text=f"A post in “{thread.title}” was flagged as patient data and is hidden "
        "until you review it.",
        url=f"{queue}#flag-{flag.pk}",
        delivery=Delivery.IMMEDIATE,
        created_at=when + timedelta(minutes=40),
        emailed_at=when + timedelta(minutes=41),
    )
    index_thread(thread)
