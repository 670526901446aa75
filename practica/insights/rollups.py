"""Folding each day of each community into rollup rows, with set-based queries.

Every figure is one grouped query over the whole range (grouped by community and day),
never a loop over posts; only the members-by-stage snapshot takes one grouped query a day.
Computing a range deletes and rewrites its rows in one transaction per chunk, so running it
again for any past day gives the same rows (`practica rollup --since YYYY-MM-DD`).

Days are UTC days. New contributors are counted against the member-day rows of earlier
days, so a first run should start at the community's beginning (the default).
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, timedelta

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.utils import timezone

from practica.communities.models import Community, Membership, StageChange
from practica.communities.stages import Stage
from practica.insights.dashboard_cache import rollups_changed
from practica.insights.models import (
    BUCKET_BOUNDS_MINUTES,
    DailyBreakdown,
    DailyRollup,
    Departure,
    Dimension,
    MemberDay,
    empty_histogram,
)

CHUNK_DAYS = 92
STAGE_FIELDS = {
    Stage.PERIPHERAL: "members_peripheral",
    Stage.PARTICIPANT: "members_participant",
    Stage.FULL: "members_full",
    Stage.STEWARD: "members_steward",
}
REACHED_FIELDS = {
    Stage.PARTICIPANT: "reached_participant",
    Stage.FULL: "reached_full",
    Stage.STEWARD: "reached_steward",
}


def start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=UTC)


def days_between(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def chunks(first: datetime.date, last: datetime.date, size: int = CHUNK_DAYS):
    """(first, last) pairs covering the range, `size` days each."""
    while first <= last:
        end = min(last, first + timedelta(days=size - 1))
        yield first, end
        first = end + timedelta(days=1)


def bucket_of(minutes: float) -> int:
    """The histogram bucket a duration falls in (for Python-side values)."""
    for index, bound in enumerate(BUCKET_BOUNDS_MINUTES):
        if minutes < bound:
            return index
    return len(BUCKET_BOUNDS_MINUTES)


def bucket_expression(end, begin) -> tuple[Case, ExpressionWrapper]:
    """SQL for the bucket of `end - begin` (annotate the duration as `_duration` first), so
    durations are bucketed in the database."""
    duration = ExpressionWrapper(end - begin, output_field=DurationField())
    return Case(
        *[
            When(Q(_duration__lt=timedelta(minutes=bound)), then=Value(index))
            for index, bound in enumerate(BUCKET_BOUNDS_MINUTES)
        ],
        default=Value(len(BUCKET_BOUNDS_MINUTES)),
        output_field=IntegerField(),
    ), duration


class Range:
    """The UTC datetimes of a range of days, and the communities being rolled up."""

    def __init__(self, first: datetime.date, last: datetime.date, community_ids: list[int]):
        self.first, self.last = first, last
        self.lo, self.hi = start_of(first), start_of(last + timedelta(days=1))
        self.community_ids = community_ids

    def within(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.lo, f"{field}__lt": self.hi})


def _count_by_day(rng: Range, queryset, *, community: str, when: str, extra: Iterable[str] = ()):
    """{(community_id, day, *extra): count} of the rows of `queryset` dated `when` in range."""
    rows = (
        queryset.filter(rng.within(when), **{f"{community}__in": rng.community_ids})
        .annotate(_cid=F(community), _day=TruncDate(when, tzinfo=UTC))
        .values("_cid", "_day", *extra)
        .annotate(_n=Count("pk"))
        .order_by()
    )
    return {(r["_cid"], r["_day"], *[r[e] for e in extra]): r["_n"] for r in rows}


def _histogram_by_day(rng: Range, queryset, *, community: str, when, begin, extra=()):
    """{(community_id, day, *extra): histogram} of `when - begin` for rows dated in range.

    `when` and `begin` are expressions; `when` must already be annotated as `_when`.
    """
    bucket, duration = bucket_expression(F("_when"), begin)
    rows = (
        queryset.filter(_when__gte=rng.lo, _when__lt=rng.hi)
        .filter(**{f"{community}__in": rng.community_ids})
        .annotate(_duration=duration)
        .annotate(_bucket=bucket, _cid=F(community), _day=TruncDate("_when", tzinfo=UTC))
        .values("_cid", "_day", "_bucket", *extra)
        .annotate(_n=Count("pk"))
        .order_by()
    )
    histograms: dict[tuple, list[int]] = defaultdict(empty_histogram)
    for r in rows:
        histograms[(r["_cid"], r["_day"], *[r[e] for e in extra])][r["_bucket"]] += r["_n"]
    return histograms


# --- sources ----------------------------------------------------------------------------------


def _models() -> dict:
    """The models rolled up, imported late so this module loads before the other apps."""
    from practica.conversations.models import HelpfulMark, Post, Thread, ThreadKind
    from practica.events.models import RSVP, Attendance
    from practica.evidence.models import (
        Appraisal,
        Decision,
        EvidenceRevision,
        EvidenceSummary,
        PracticeProposal,
        ProposalTransition,
    )
    from practica.learning.models import Attempt, ModuleProgress
    from practica.library.models import (
        Article,
        ArticleComment,
        GlossaryTerm,
        ProposedEdit,
        Resource,
        Revision,
    )

    return {
        "HelpfulMark": HelpfulMark, "Post": Post, "Thread": Thread, "ThreadKind": ThreadKind,
        "RSVP": RSVP, "Attendance": Attendance, "Appraisal": Appraisal, "Decision": Decision,
        "EvidenceRevision": EvidenceRevision, "EvidenceSummary": EvidenceSummary,
        "PracticeProposal": PracticeProposal, "ProposalTransition": ProposalTransition,
        "Attempt": Attempt, "ModuleProgress": ModuleProgress, "Article": Article,
        "ArticleComment": ArticleComment, "GlossaryTerm": GlossaryTerm,
        "ProposedEdit": ProposedEdit, "Resource": Resource, "Revision": Revision,
    }  # fmt: skip


def live_posts(Post):
    return Post.objects.filter(deleted_at__isnull=True, thread__deleted_at__isnull=True)


def contribution_sources(m) -> list[tuple]:
    """(queryset, community path, user path, date field) of everything counted a contribution.

    Contributions: posts (questions, discussions, replies), article revisions, article
    comments, proposed edits, evidence revisions, appraisals and practice-change proposals.
    """
    return [
        (live_posts(m["Post"]), "thread__community_id", "author_id", "created_at"),
        (m["Revision"].objects.all(), "article__community_id", "author_id", "created_at"),
        (m["ArticleComment"].objects.all(), "article__community_id", "author_id", "created_at"),
        (m["ProposedEdit"].objects.all(), "article__community_id", "proposer_id", "created_at"),
        (m["EvidenceRevision"].objects.all(), "summary__community_id", "author_id", "created_at"),
        (m["Appraisal"].objects.all(), "summary__community_id", "appraiser_id", "created_at"),
        (m["PracticeProposal"].objects.all(), "community_id", "proposed_by_id", "created_at"),
    ]


def light_sources(m) -> list[tuple]:
    """Taking part without writing: helpful marks given, events attended, modules completed."""
    return [
        (m["HelpfulMark"].objects.all(), "post__thread__community_id", "user_id", "created_at"),
        (m["Attendance"].objects.all(), "event__community_id", "user_id", "occurrence_start"),
        (
            m["ModuleProgress"].objects.filter(completed_at__isnull=False),
            "module__community_id",
            "user_id",
            "completed_at",
        ),
    ]


def member_days(rng: Range, m) -> dict[tuple, list[int]]:
    """{(community_id, day, user_id): [contributions, light]}."""
    result: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for slot, sources in ((0, contribution_sources(m)), (1, light_sources(m))):
        for queryset, community, user, when in sources:
            counts = _count_by_day(
                rng,
                queryset.filter(**{f"{user}__isnull": False}).annotate(_uid=F(user)),
                community=community,
                when=when,
                extra=("_uid",),
            )
            for (cid, day, uid), n in counts.items():
                result[(cid, day, uid)][slot] += n
    return result


def first_answers(m):
    """Questions annotated with `_when`, the time of the first reply by someone else."""
    Post, Thread = m["Post"], m["Thread"]
    first = (
        live_posts(Post)
        .filter(thread=OuterRef("pk"), is_opening=False)
        .exclude(author=OuterRef("author"))
        .order_by("created_at")
        .values("created_at")[:1]
    )
    return Thread.objects.filter(kind=m["ThreadKind"].QUESTION, deleted_at__isnull=True).annotate(
        _when=Subquery(first)
    )


def accepted_questions(m):
    """Questions annotated with `_when`: when accepted (the answer's time for old imports)."""
    return (
        m["Thread"]
        .objects.filter(
            kind=m["ThreadKind"].QUESTION, deleted_at__isnull=True, accepted_post__isnull=False
        )
        .annotate(_when=Coalesce("accepted_at", "accepted_post__created_at"))
    )


def profession_of(prefix: str = ""):
    return Coalesce(
        NullIf(f"{prefix}written_profession", Value("")),
        NullIf(f"{prefix}author__profession", Value("")),
        Value("other"),
    )


def daily_counts(rng: Range, m) -> dict[str, dict[tuple, int]]:
    """{rollup field: {(community_id, day): count}} for the simple per-day counts."""
    Thread, Post, question = m["Thread"], m["Post"], m["ThreadKind"].QUESTION
    transitions = m["ProposalTransition"].objects
    attempts = m["Attempt"].objects.filter(assessment__module__community__isnull=False)
    specs = {
        "posts": (live_posts(Post), "thread__community_id", "created_at"),
        "questions_asked": (
            Thread.objects.filter(kind=question, deleted_at__isnull=True),
            "community_id",
            "created_at",
        ),
        "staged": (Thread.objects.filter(staged_at__isnull=False), "community_id", "staged_at"),
        "staged_published": (
            Thread.objects.filter(
                staged_at__isnull=False, status="published", deleted_at__isnull=True
            ),
            "community_id",
            "published_at",
        ),
        "articles_created": (m["Article"].objects.all(), "community_id", "created_at"),
        "article_revisions": (m["Revision"].objects.all(), "article__community_id", "created_at"),
        "proposed_edits": (m["ProposedEdit"].objects.all(), "article__community_id", "created_at"),
        "proposed_edits_reviewed": (
            m["ProposedEdit"].objects.filter(reviewed_at__isnull=False),
            "article__community_id",
            "reviewed_at",
        ),
        "resources_added": (m["Resource"].objects.all(), "community_id", "created_at"),
        "glossary_terms": (m["GlossaryTerm"].objects.all(), "community_id", "updated_at"),
        "evidence_summaries": (m["EvidenceSummary"].objects.all(), "community_id", "created_at"),
        "evidence_revisions": (
            m["EvidenceRevision"].objects.all(),
            "summary__community_id",
            "created_at",
        ),
        "practice_proposals": (m["PracticeProposal"].objects.all(), "community_id", "created_at"),
        "pilots_started": (
            transitions.filter(to_status="piloting"),
            "proposal__community_id",
            "created_at",
        ),
        "practice_adopted": (
            transitions.filter(to_status="adopted"),
            "proposal__community_id",
            "created_at",
        ),
        "decisions": (m["Decision"].objects.all(), "community_id", "decided_at"),
        "module_completions": (
            m["ModuleProgress"].objects.filter(completed_at__isnull=False),
            "module__community_id",
            "completed_at",
        ),
        "attempts": (
            attempts.filter(submitted_at__isnull=False),
            "assessment__module__community_id",
            "submitted_at",
        ),
        "attempts_passed": (
            attempts.filter(submitted_at__isnull=False, passed=True),
            "assessment__module__community_id",
            "submitted_at",
        ),
        "attendances": (m["Attendance"].objects.all(), "event__community_id", "occurrence_start"),
        "joins": (Membership.objects.all(), "community_id", "joined_at"),
        "leavers": (Departure.objects.all(), "community_id", "left_at"),
    }
    counts = {
        name: _count_by_day(rng, qs, community=c, when=w) for name, (qs, c, w) in specs.items()
    }
    # Members who joined and have since left still joined on their day.
    for key, n in _count_by_day(
        rng, Departure.objects.all(), community="community_id", when="joined_at"
    ).items():
        counts["joins"][key] = counts["joins"].get(key, 0) + n
    counts["questions_answered"] = _count_by_day(
        rng, first_answers(m), community="community_id", when="_when"
    )
    counts["questions_accepted"] = _count_by_day(
        rng, accepted_questions(m), community="community_id", when="_when"
    )
    counts["no_shows"] = no_shows(rng, m)
    return counts


def no_shows(rng: Range, m) -> dict[tuple, int]:
    """Members who said they were going but were not on the register, for each occurrence
    whose register was taken (an occurrence with nobody recorded is not counted)."""
    RSVP, Attendance = m["RSVP"], m["Attendance"]
    going = dict(
        RSVP.objects.filter(status="going", event__community_id__in=rng.community_ids)
        .values("event_id")
        .annotate(n=Count("pk"))
        .values_list("event_id", "n")
        .order_by()
    )
    registers = (
        Attendance.objects.filter(
            rng.within("occurrence_start"), event__community_id__in=rng.community_ids
        )
        .annotate(
            _going=Exists(
                RSVP.objects.filter(event=OuterRef("event"), user=OuterRef("user"), status="going")
            )
        )
        .values("event_id", "event__community_id", "occurrence_start")
        .annotate(came=Count("pk", filter=Q(_going=True)))
        .order_by()
    )
    result: dict[tuple, int] = defaultdict(int)
    for r in registers:
        missing = going.get(r["event_id"], 0) - r["came"]
        if missing > 0:
            day = r["occurrence_start"].astimezone(UTC).date()
            result[(r["event__community_id"], day)] += missing
    return result


def daily_histograms(rng: Range, m) -> dict[str, dict[tuple, list[int]]]:
    return {
        "first_answer_minutes": _histogram_by_day(
            rng, first_answers(m), community="community_id", when="_when", begin=F("created_at")
        ),
        "accepted_minutes": _histogram_by_day(
            rng,
            accepted_questions(m),
            community="community_id",
            when="_when",
            begin=F("created_at"),
        ),
        "review_minutes": _histogram_by_day(
            rng,
            m["ProposedEdit"].objects.annotate(_when=F("reviewed_at")),
            community="article__community_id",
            when="_when",
            begin=F("created_at"),
        ),
    }


def stage_reached(rng: Range) -> tuple[dict, dict]:
    """({(cid, day, stage): count}, {(cid, day, stage): histogram of time from joining})."""
    changes = StageChange.objects.filter(
        kind=StageChange.Kind.PROMOTED, to_stage__in=list(REACHED_FIELDS)
    ).annotate(_when=F("created_at"))
    histograms = _histogram_by_day(
        rng,
        changes,
        community="membership__community_id",
        when="_when",
        begin=F("membership__joined_at"),
        extra=("to_stage",),
    )
    counts = {key: sum(h) for key, h in histograms.items()}
    return counts, histograms


def members_by_stage(first: datetime.date, last: datetime.date, community_ids: list[int]):
    """{(community_id, day, stage): members} at the end of each day of the range.

    Three queries: the members, their stage changes and the leavers; each member's stage
    at the end of a day is the last change before it (today's stage for a member with no
    recorded change). Leavers count at their last stage until the day they left.
    """
    ends = [start_of(day + timedelta(days=1)) for day in days_between(first, last)]
    last_end = ends[-1]
    members = list(
        Membership.objects.filter(community_id__in=community_ids, joined_at__lt=last_end)
        .values_list("pk", "community_id", "joined_at", "stage")
        .order_by()
    )
    timelines: dict[int, list[tuple]] = defaultdict(list)
    for membership_id, when, stage in (
        StageChange.objects.filter(
            membership__community_id__in=community_ids,
            created_at__lt=last_end,
            kind__in=[StageChange.Kind.JOINED, StageChange.Kind.PROMOTED, StageChange.Kind.DEMOTED],
        )
        .values_list("membership_id", "created_at", "to_stage")
        .order_by("created_at", "pk")
    ):
        timelines[membership_id].append((when, stage))
    result: dict[tuple, int] = defaultdict(int)
    for membership_id, cid, joined_at, stage_now in members:
        timeline = timelines.get(membership_id, [])
        times = [when for when, _ in timeline]
        for day, end in zip(days_between(first, last), ends, strict=True):
            if joined_at >= end:
                continue
            index = bisect.bisect_left(times, end)
            stage = timeline[index - 1][1] if index else stage_now
            result[(cid, day, stage)] += 1
    for cid, joined_at, left_at, stage in (
        Departure.objects.filter(
            community_id__in=community_ids, joined_at__lt=last_end, left_at__gte=ends[0]
        )
        .values_list("community_id", "joined_at", "left_at", "stage")
        .order_by()
    ):
        for day, end in zip(days_between(first, last), ends, strict=True):
            if joined_at < end <= left_at:
                result[(cid, day, stage)] += 1
    return result


def breakdowns(rng: Range, m) -> dict[tuple, list[int]]:
    """{(cid, day, dimension, key): [questions, answers, accepted]}."""
    Thread, Post, question = m["Thread"], m["Post"], m["ThreadKind"].QUESTION
    result: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    topic_through = Thread.topics.through.objects.filter(
        thread__kind=question, thread__deleted_at__isnull=True
    )
    answers = live_posts(Post).filter(is_opening=False, thread__kind=question)
    specs = [
        (0, Dimension.TOPIC, topic_through.annotate(_key=F("topic_id")), "thread__community_id", "thread__created_at"),
        (1, Dimension.TOPIC, answers.filter(thread__topics__isnull=False).annotate(_key=F("thread__topics")), "thread__community_id", "created_at"),
        (2, Dimension.TOPIC, accepted_questions(m).filter(topics__isnull=False).annotate(_key=F("topics")), "community_id", "_when"),
        (0, Dimension.PROFESSION, live_posts(Post).filter(is_opening=True, thread__kind=question).annotate(_key=profession_of()), "thread__community_id", "created_at"),
        (1, Dimension.PROFESSION, answers.annotate(_key=profession_of()), "thread__community_id", "created_at"),
        (2, Dimension.PROFESSION, accepted_questions(m).annotate(_key=profession_of("accepted_post__")), "community_id", "_when"),
    ]  # fmt: skip
    for slot, dimension, queryset, community, when in specs:
        for (cid, day, key), n in _count_by_day(
            rng, queryset, community=community, when=when, extra=("_key",)
        ).items():
            result[(cid, day, dimension, str(key))][slot] += n
    return result


# --- writing ----------------------------------------------------------------------------------


def earliest_day(community_ids: list[int] | None = None) -> datetime.date:
    """The first day anything happened (the first member joined), for a first full run."""
    memberships = Membership.objects.all()
    departures = Departure.objects.all()
    if community_ids is not None:
        memberships = memberships.filter(community_id__in=community_ids)
        departures = departures.filter(community_id__in=community_ids)
    firsts = [
        memberships.aggregate(first=Min("joined_at"))["first"],
        departures.aggregate(first=Min("joined_at"))["first"],
    ]
    firsts = [f for f in firsts if f is not None]
    return min(firsts).astimezone(UTC).date() if firsts else timezone.now().astimezone(UTC).date()


def compute_range(first: datetime.date, last: datetime.date, community_ids: list[int]) -> int:
    """Rewrite the rollup rows of `first`..`last` (at most a chunk) for the communities."""
    m = _models()
    rng = Range(first, last, community_ids)
    counts = daily_counts(rng, m)
    histograms = daily_histograms(rng, m)
    reached, reached_histograms = stage_reached(rng)
    members = member_days(rng, m)
    split = breakdowns(rng, m)
    contributions: dict[tuple, int] = defaultdict(int)
    contributors: dict[tuple, int] = defaultdict(int)
    for (cid, day, _uid), (made, _light) in members.items():
        if made:
            contributions[(cid, day)] += made
            contributors[(cid, day)] += 1
    now = timezone.now()
    rows = []
    snapshot = members_by_stage(first, last, community_ids)
    for day in days_between(first, last):
        for cid in community_ids:
            key = (cid, day)
            row = DailyRollup(community_id=cid, day=day, computed_at=now)
            for stage, name in STAGE_FIELDS.items():
                setattr(row, name, snapshot.get((cid, day, stage), 0))
            for name, by_day in counts.items():
                setattr(row, name, by_day.get(key, 0))
            for name, by_day in histograms.items():
                setattr(row, name, by_day.get(key, empty_histogram()))
            times = {}
            for stage, name in REACHED_FIELDS.items():
                setattr(row, name, reached.get((cid, day, stage), 0))
                if (cid, day, stage) in reached_histograms:
                    times[str(int(stage))] = reached_histograms[(cid, day, stage)]
            row.time_to_stage = times
            row.contributions = contributions.get(key, 0)
            row.contributors = contributors.get(key, 0)
            rows.append(row)
    with transaction.atomic():
        scope = {"community_id__in": community_ids, "day__gte": first, "day__lte": last}
        DailyRollup.objects.filter(**scope).delete()
        MemberDay.objects.filter(**scope).delete()
        DailyBreakdown.objects.filter(**scope).delete()
        MemberDay.objects.bulk_create(
            [
                MemberDay(community_id=cid, day=day, user_id=uid, contributions=c, light=light)
                for (cid, day, uid), (c, light) in members.items()
            ],
            batch_size=2000,
        )
        DailyBreakdown.objects.bulk_create(
            [
                DailyBreakdown(
                    community_id=cid,
                    day=day,
                    dimension=dim,
                    key=key,
                    questions=q,
                    answers=a,
                    accepted=ac,
                )
                for (cid, day, dim, key), (q, a, ac) in split.items()
            ],
            batch_size=2000,
        )
        _count_new_contributors(rows, first, last, community_ids)
        DailyRollup.objects.bulk_create(rows, batch_size=1000)
        # Now (for readers of this transaction) and at commit (for everyone else).
        rollups_changed(community_ids)
        transaction.on_commit(lambda: rollups_changed(community_ids))
    return len(rows)


def _count_new_contributors(rows, first, last, community_ids) -> None:
    """Set each row's new contributors: members whose first contribution ever was that day."""
    firsts = (
        MemberDay.objects.filter(community_id__in=community_ids, contributions__gt=0)
        .values("community_id", "user_id")
        .annotate(first=Min("day"))
        .filter(first__gte=first, first__lte=last)
        .values_list("community_id", "first")
        .order_by()
    )
    new: dict[tuple, int] = defaultdict(int)
    for cid, day in firsts:
        new[(cid, day)] += 1
    for row in rows:
        row.new_contributors = new.get((row.community_id, row.day), 0)


def rollup(
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    *,
    community_ids: list[int] | None = None,
    progress=None,
) -> int:
    """Compute every day from `since` (default: the first member's joining) to `until`
    (default: today) for the communities (default: all). Returns the rows written.

    `progress`, if given, wraps the list of chunks (e.g. `practica.progress.progress`).
    """
    if community_ids is None:
        community_ids = list(Community.objects.values_list("pk", flat=True))
    if not community_ids:
        return 0
    today = timezone.now().astimezone(UTC).date()
    since = since or earliest_day(community_ids)
    until = min(until or today, today)
    pieces = list(chunks(since, until))
    if progress is not None:
        pieces = progress(pieces)
    return sum(compute_range(a, b, community_ids) for a, b in pieces)


def rollup_recent() -> int:
    """What the scheduler runs: from the day before the last computed one until today (a
    worker that was down for days catches up; yesterday is redone as its evening settles)."""
    latest = DailyRollup.objects.order_by("-day").values_list("day", flat=True).first()
    return rollup(latest - timedelta(days=1) if latest else None)
