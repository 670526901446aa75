"""Reads shaped for the library's pages, with a fixed number of queries each."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet

from practica.communities.capabilities import Capability, can
from practica.communities.lanyards import lanyards_for
from practica.communities.models import Topic
from practica.conversations.models import Post, Thread, ThreadStatus
from practica.conversations.querysets import threads_visible_to
from practica.library.diff import text_diffs
from practica.library.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    Collection,
    CollectionItem,
    ProposalStatus,
    ProposedEdit,
    Revision,
)
from practica.library.services.articles import may_read
from practica.people.models import User

OPEN_PROPOSALS = [ProposalStatus.PENDING, ProposalStatus.CHANGES_REQUESTED]
SORTS = {"recent": ["-updated_at", "-pk"], "title": ["title", "pk"]}


def articles_for_list(community) -> QuerySet[Article]:
    return (
        Article.objects.filter(community=community)
        .select_related("community")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("name", "slug")))
        .annotate(
            pending_count=Count(
                "proposals", filter=Q(proposals__status__in=OPEN_PROPOSALS), distinct=True
            )
        )
        .defer("body", "body_html")
    )


@dataclass
class LibraryFilters:
    topic: Topic | None = None
    kind: str = ""
    sort: str = "recent"
    status: str = ArticleStatus.PUBLISHED
    due: bool = False


def library_articles(actor, community, filters: LibraryFilters) -> QuerySet[Article]:
    """Published (or archived) articles matching the filters, in the chosen order."""
    articles = articles_for_list(community).filter(status=filters.status)
    if filters.topic is not None:
        articles = articles.filter(topics=filters.topic)
    if filters.kind in ArticleKind.values:
        articles = articles.filter(kind=filters.kind)
    if filters.due:
        articles = articles.filter(review_due__lt=datetime.date.today()).order_by("review_due")
        return articles
    return articles.order_by(*SORTS.get(filters.sort, SORTS["recent"]))


def drafts_for(actor, community) -> QuerySet[Article]:
    """Drafts waiting for review: all of them for those who may publish, else one's own."""
    drafts = articles_for_list(community).filter(status=ArticleStatus.DRAFT)
    if can(actor, Capability.EDIT_ARTICLE, community=community):
        return drafts
    if can(actor, Capability.DRAFT_ARTICLE, community=community):
        return drafts.filter(created_by=actor)
    return drafts.none()


def library_facets(community) -> dict:
    """Topics and types with how many published articles each has (two queries)."""
    published = Q(articles__status=ArticleStatus.PUBLISHED)
    topics = (
        Topic.objects.filter(community=community)
        .annotate(article_count=Count("articles", filter=published))
        .order_by("name")
    )
    counts = dict(
        Article.objects.filter(community=community, status=ArticleStatus.PUBLISHED)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    kinds = [(value, label, counts.get(value, 0)) for value, label in ArticleKind.choices]
    return {"topics": list(topics), "kinds": kinds}


def due_count(community) -> int:
    return Article.objects.filter(
        community=community,
        status=ArticleStatus.PUBLISHED,
        review_due__lt=datetime.date.today(),
    ).count()


def article_for_page(community, article_slug: str) -> Article | None:
    return (
        Article.objects.filter(community=community, slug=article_slug)
        .select_related("current_revision", "last_reviewed_by", "created_by")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.only("name", "slug")),
            "owners",
            "references",
        )
        .first()
    )


@dataclass
class Contributor:
    user: User
    edits: int
    last_edit: datetime.datetime
    lanyard: object = None


@dataclass
class Person:
    """Someone shown with their lanyard (an owner, say)."""

    user: User
    lanyard: object = None


def contributors_of(article: Article) -> list[Contributor]:
    """Everyone who authored a revision, most edits first (two queries)."""
    rows = list(
        Revision.objects.filter(article=article, author__isnull=False)
        .values("author_id")
        .annotate(edits=Count("pk"), last_edit=Max("created_at"))
        .order_by("-edits", "-last_edit")
    )
    users = User.objects.in_bulk([r["author_id"] for r in rows])
    return [
        Contributor(users[r["author_id"]], r["edits"], r["last_edit"])
        for r in rows
        if r["author_id"] in users
    ]


def open_proposals(article: Article) -> list[ProposedEdit]:
    proposals = list(
        ProposedEdit.objects.filter(article=article, status__in=OPEN_PROPOSALS).select_related(
            "proposer", "base_revision"
        )
    )
    for proposal in proposals:
        proposal.article = article
        proposal.diffs = text_diffs(proposal.base_revision, proposal)
        proposal.is_stale = proposal.base_revision_id != article.current_revision_id
    return proposals


def comments_of(article: Article):
    return list(article.comments.select_related("author"))


def attach_people(community, groups: list[tuple[list, str]]) -> None:
    """Set `.lanyard` on every object of every (objects, user attribute) group, in one query."""
    users = [getattr(obj, attr) for objects, attr in groups for obj in objects]
    lanyards = lanyards_for(community, [u for u in users if u is not None])
    for objects, attr in groups:
        for obj in objects:
            person = getattr(obj, attr)
            obj.lanyard = lanyards.get(person.pk) if person is not None else None


def revisions_for_history(article: Article) -> QuerySet[Revision]:
    return (
        Revision.objects.filter(article=article)
        .select_related("author", "approved_by", "reverted_from")
        .defer("body")
        .order_by("-number")
    )


def _article_from(user, community, **source) -> Article | None:
    article = (
        Article.objects.filter(community=community, **source)
        .only("community_id", "slug", "title", "status", "created_by_id")
        .first()
    )
    if article is None:
        return None
    article.community = community
    # A draft stays hidden from those who may not read drafts, as on the article page.
    return article if may_read(user, article) else None


def distilled_article(user, thread) -> Article | None:
    """The article `thread` was distilled into, if `user` may see it (one query)."""
    return _article_from(user, thread.community, source_thread=thread)


def filed_notes_article(user, event) -> Article | None:
    """The article `event`'s notes were filed as, if `user` may see it (one query)."""
    return _article_from(user, event.community, source_event=event)


@dataclass
class CollectionSteps:
    steps: list[CollectionItem]
    # Thread items the reader may no longer open: hidden, deleted or staged since added.
    unavailable: list[CollectionItem]


def collection_steps(user, collection: Collection) -> CollectionSteps:
    """The collection's items in order, split into the steps `user` walks through and the
    threads they may no longer open (one query).

    Which threads `user` may open is the conversations' answer (`threads_visible_to`),
    limited to published ones as on the conversations list.
    Precondition: the caller checked that `user` may read the collection's community and
    set `collection.community`.
    """
    community = collection.community
    openable = threads_visible_to(user, community).filter(
        status=ThreadStatus.PUBLISHED, pk=OuterRef("thread_id")
    )
    items = (
        collection.items.select_related("article", "resource", "thread")
        .annotate(thread_openable=Exists(openable))
        .order_by("position", "pk")
    )
    result = CollectionSteps(steps=[], unavailable=[])
    for item in items:
        item.collection = collection
        if item.thread is None or item.thread_openable:
            if item.thread is not None:
                item.thread.community = community  # links need the slug; no query per row
            result.steps.append(item)
        else:
            result.unavailable.append(item)
    return result


@dataclass
class ThreadStep:
    question: Post | None
    answer: Post | None


def thread_step(thread: Thread) -> ThreadStep:
    """The opening post and accepted answer of `thread`, leaving out removed ones (one query).

    Precondition: `thread` is one the reader may open (see `collection_steps`).
    """
    wanted = Q(is_opening=True)
    if thread.accepted_post_id:
        wanted |= Q(pk=thread.accepted_post_id)
    posts = list(
        thread.posts.filter(wanted, deleted_at__isnull=True, hidden_at__isnull=True)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return ThreadStep(
        question=next((p for p in posts if p.is_opening), None),
        answer=next((p for p in posts if p.pk == thread.accepted_post_id), None),
    )


def curated_collections(community) -> list[Collection]:
    """The community's collections by title, for a curator choosing where to add (one query)."""
    return list(Collection.objects.filter(community=community).only("slug", "title"))


def reviews_due(*, today: datetime.date):
    """Published articles past their review date, with who looks after each: its owners, or
    its author when it names none. Two queries."""
    from practica.notifications.reviews import ReviewDue

    articles = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED, review_due__lt=today)
        .select_related("community")
        .prefetch_related(Prefetch("owners", queryset=User.objects.only("pk")))
        .only("pk", "slug", "title", "review_due", "created_by_id", "community")
        .order_by("review_due", "pk")
    )
    return [
        ReviewDue(
            f"article:{a.pk}",
            "library article",
            a.title,
            a.community,
            a.review_due,
            a.get_absolute_url(),
            {u.pk for u in a.owners.all()} or ({a.created_by_id} if a.created_by_id else set()),
        )
        for a in articles
    ]


def due_for_owner(user, *, today: datetime.date, limit: int = 50) -> list:
    """Published articles `user` owns (or wrote, when they name no owner) past their review
    date, in communities they can still read, for their digest. One query."""
    from practica.communities.capabilities import visible
    from practica.evidence.querysets import DueItem

    articles = (
        visible(user, Article.objects.filter(status=ArticleStatus.PUBLISHED))
        .filter(Q(owners=user) | Q(owners__isnull=True, created_by=user), review_due__lt=today)
        .select_related("community")
        .distinct()
        .order_by("review_due", "pk")[:limit]
    )
    return [
        DueItem("Library article", a.title, a.community.name, a.review_due, a.get_absolute_url())
        for a in articles
    ]
