"""“Who knows about X”: members ranked by what they have done on the subject.

The evidence is drawn only from entries the searcher may read, so a private community's
answers never reveal who is active there. Members who opted out of the directory are
never listed. A fixed number of queries, whatever the number of members or matches.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, Sum

from practica.search import engine
from practica.search.models import SearchEntry
from practica.search.query import parse
from practica.words import counted

Kind = SearchEntry.Kind
# How much each kind of evidence counts towards the ranking.
WEIGHTS = {"accepted": 4, "helpful": 1, "article": 4, "evidence": 4, "module": 4, "expertise": 5}
CANDIDATE_ENTRIES = 500


@dataclass
class Expert:
    user: object
    score: int = 0
    accepted: int = 0
    helpful: int = 0
    articles: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    expertise: list[str] = field(default_factory=list)
    reason: str = ""


def _plural(count: int, word: str) -> str:
    return counted(count, word)


def _titles(titles: list[str]) -> str:
    shown = ", ".join(f"‘{t}’" for t in titles[:2])
    return shown + (f" and {len(titles) - 2} more" if len(titles) > 2 else "")


def _reason(expert: Expert, subject: str) -> str:
    parts = []
    if expert.accepted:
        parts.append(f"{_plural(expert.accepted, 'accepted answer')} on {subject}")
    if expert.helpful:
        parts.append(f"{_plural(expert.helpful, 'helpful mark')} on {subject} posts")
    if expert.articles:
        parts.append(f"wrote or revised {_titles(expert.articles)}")
    if expert.evidence:
        parts.append(f"summarised evidence in {_titles(expert.evidence)}")
    if expert.modules:
        parts.append(f"authored the module {_titles(expert.modules)}")
    if expert.expertise:
        parts.append(f"declares expertise in {', '.join(expert.expertise)}")
    return "; ".join(parts)


def who_knows(user, *, q: str, profession: str = "", limit: int = 20) -> list[Expert]:
    """Members `user` may see, best evidence of expertise on `q` first."""
    from practica.communities.capabilities import InstanceCapability, can_on_instance
    from practica.conversations.models import Post, Thread
    from practica.learning.models import Module
    from practica.library.models import Revision
    from practica.people.models import User

    parsed = parse(q)
    if parsed.is_empty or not can_on_instance(user, InstanceCapability.FIND_EXPERTS):
        return []
    subject = " ".join(parsed.words()[:4]) or q
    rows = engine.matching_entries(
        parsed,
        user=user,
        kinds=[Kind.QUESTION, Kind.REPLY, Kind.ARTICLE, Kind.EVIDENCE, Kind.MODULE],
        limit=CANDIDATE_ENTRIES,
    )
    thread_ids = {oid for kind, oid, *_ in rows if kind == Kind.QUESTION}
    thread_ids |= {parent for kind, _oid, parent, *_ in rows if kind == Kind.REPLY and parent}
    article_ids = {oid for kind, oid, *_ in rows if kind == Kind.ARTICLE}
    module_ids = {oid for kind, oid, *_ in rows if kind == Kind.MODULE}
    experts: dict[int, Expert] = {}

    def of(user_id: int) -> Expert:
        return experts.setdefault(user_id, Expert(user=None))

    for author_id in Thread.objects.filter(
        pk__in=thread_ids, accepted_post__isnull=False, accepted_post__hidden_at__isnull=True
    ).values_list("accepted_post__author_id", flat=True):
        if author_id:
            of(author_id).accepted += 1
    for row in (
        Post.objects.filter(thread_id__in=thread_ids, helpful_count__gt=0, hidden_at__isnull=True)
        .exclude(author=None)
        .values("author_id")
        .annotate(marks=Sum("helpful_count"))
    ):
        of(row["author_id"]).helpful += row["marks"]
    written: dict[int, list[str]] = defaultdict(list)
    for author_id, title in (
        Revision.objects.filter(article_id__in=article_ids, article__status="published")
        .exclude(author=None)
        .values_list("author_id", "article__title")
        .distinct()
    ):
        if title not in written[author_id]:
            written[author_id].append(title)
    for author_id, titles in written.items():
        of(author_id).articles = titles
    for kind, _oid, _parent, author_id, title, _score in rows:
        if kind == Kind.EVIDENCE and author_id:
            of(author_id).evidence.append(title)
    for owner_id, title in Module.owners.through.objects.filter(
        module_id__in=module_ids
    ).values_list("user_id", "module__title"):
        of(owner_id).modules.append(title)
    words = [w for w in parsed.words() if len(w) >= 3]
    if words:
        matching = Q()
        for word in words:
            matching |= Q(expertisearea__name__icontains=word)
        for person_id, name in User.expertise.through.objects.filter(matching).values_list(
            "user_id", "expertisearea__name"
        ):
            of(person_id).expertise.append(name)
    people = User.objects.filter(pk__in=experts, is_active=True, show_in_directory=True)
    if profession:
        people = people.filter(profession=profession)
    ranked = []
    for person in people.select_related("organisation"):
        expert = experts[person.pk]
        expert.user = person
        expert.score = (
            WEIGHTS["accepted"] * expert.accepted
            + WEIGHTS["helpful"] * expert.helpful
            + WEIGHTS["article"] * len(expert.articles)
            + WEIGHTS["evidence"] * len(expert.evidence)
            + WEIGHTS["module"] * len(expert.modules)
            + WEIGHTS["expertise"] * len(expert.expertise)
        )
        expert.reason = _reason(expert, subject)
        ranked.append(expert)
    ranked.sort(key=lambda e: (-e.score, e.user.name.lower(), e.user.pk))
    return ranked[:limit]
