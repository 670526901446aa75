"""Writing the bulletin: settings, editors, issues, articles, scheduling and publishing."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from practica.bulletin.models import (
    Article,
    ArticleAuthor,
    Bulletin,
    BulletinEditor,
    Delivery,
    Issue,
    IssueStatus,
    RelatedItem,
    Topic,
)
from practica.bulletin.permissions import require_editor
from practica.bulletin.rendering import render_article, render_block
from practica.communities.capabilities import CapabilityDenied
from practica.people.models import User
from practica.privacy.guard import changed_texts, screen
from practica.reliability.idempotency import once_per_key


def _touch(issue: Issue) -> None:
    Issue.objects.filter(pk=issue.pk).update(updated_at=timezone.now())


# --- the bulletin -------------------------------------------------------------------------


def create_bulletin(
    *, actor: User | None, name: str, slug: str, description: str = "", issn: str = "",
    community=None,
) -> Bulletin:  # fmt: skip
    """Create the instance bulletin (staff only; actor None for the demo and commands) or a
    community's bulletin (its stewards)."""
    bulletin = Bulletin(
        name=name, slug=slug, description=description, issn=issn, community=community
    )
    if actor is not None and community is not None:
        require_editor(actor, bulletin)
    elif actor is not None and not actor.is_staff:
        raise CapabilityDenied("Only administrators may create the site’s bulletin.")
    with transaction.atomic():
        bulletin.full_clean()
        bulletin.save()
    return bulletin


def update_bulletin(
    *, actor: User, bulletin: Bulletin, name: str, description: str, issn: str
) -> Bulletin:
    require_editor(actor, bulletin)
    with transaction.atomic():
        bulletin.name, bulletin.description, bulletin.issn = name, description, issn
        bulletin.full_clean()
        bulletin.save(update_fields=["name", "description", "issn"])
    return bulletin


def add_editor(*, actor: User | None, bulletin: Bulletin, user: User) -> BulletinEditor:
    if actor is not None:
        require_editor(actor, bulletin)
    with transaction.atomic():
        editor, _ = BulletinEditor.objects.get_or_create(
            bulletin=bulletin, user=user, defaults={"added_by": actor}
        )
    if hasattr(user, "_bulletin_editorships"):
        del user._bulletin_editorships
    return editor


def remove_editor(*, actor: User, bulletin: Bulletin, user: User) -> None:
    require_editor(actor, bulletin)
    with transaction.atomic():
        BulletinEditor.objects.filter(bulletin=bulletin, user=user).delete()


# --- issues -------------------------------------------------------------------------------


def create_issue(
    *, actor: User | None, bulletin: Bulletin, volume: int, number: int, year: int, month: int,
    title: str = "", editorial: str = "",
) -> Issue:  # fmt: skip
    if actor is not None:
        require_editor(actor, bulletin)
    issue = Issue(
        bulletin=bulletin, volume=volume, number=number, year=year, month=month, title=title,
        editorial=editorial, editorial_html=render_block(editorial),
    )  # fmt: skip
    with transaction.atomic():
        issue.full_clean()
        issue.save()
    return issue


def update_issue(
    *, actor: User, issue: Issue, volume: int, number: int, year: int, month: int,
    title: str, editorial: str,
) -> Issue:  # fmt: skip
    require_editor(actor, issue.bulletin)
    if issue.is_published and (volume, number, year, month) != (
        issue.volume, issue.number, issue.year, issue.month,
    ):  # fmt: skip
        raise ValidationError(
            "This issue is published: its volume, number and date are part of its address "
            "and citations, so they can’t change. You can still correct its text."
        )
    with transaction.atomic():
        issue.volume, issue.number, issue.year, issue.month = volume, number, year, month
        issue.title, issue.editorial = title, editorial
        issue.editorial_html = render_block(editorial)
        issue.updated_at = timezone.now()
        issue.full_clean()
        issue.save()
    return issue


def schedule_issue(*, actor: User, issue: Issue, when: datetime.datetime) -> Issue:
    """Publish `issue` automatically at `when`, which must be in the future."""
    require_editor(actor, issue.bulletin)
    if when <= timezone.now():
        raise ValidationError(
            "Choose a time in the future to schedule this issue, or publish it now."
        )
    with transaction.atomic():
        issue = Issue.objects.select_for_update(of=("self",)).get(pk=issue.pk)
        if issue.is_published:
            raise ValidationError(_already_published(issue))
        _require_articles(issue)
        issue.status, issue.scheduled_for = IssueStatus.SCHEDULED, when
        issue.updated_at = timezone.now()
        issue.full_clean()
        issue.save(update_fields=["status", "scheduled_for", "updated_at"])
        transaction.on_commit(lambda: _enqueue_scheduled(issue.pk, when))
    return issue


def unschedule_issue(*, actor: User, issue: Issue) -> Issue:
    require_editor(actor, issue.bulletin)
    with transaction.atomic():
        updated = Issue.objects.filter(pk=issue.pk, status=IssueStatus.SCHEDULED).update(
            status=IssueStatus.DRAFT, scheduled_for=None, updated_at=timezone.now()
        )
        if not updated:
            raise ValidationError("This issue is not scheduled.")
    issue.refresh_from_db()
    return issue


def _enqueue_scheduled(issue_id: int, when: datetime.datetime) -> None:
    from practica.bulletin.tasks import publish_scheduled_issue

    # The database backend runs the task at `when`; a backend that can't defer (tests)
    # leaves it to `publish_due_issues`, which the sweep also calls.
    if publish_scheduled_issue.get_backend().supports_defer:
        publish_scheduled_issue.using(run_after=when).enqueue(issue_id)


def _already_published(issue: Issue) -> str:
    when = timezone.localtime(issue.published_at).strftime("%-d %B %Y at %H:%M")
    return (
        f"This issue was already published on {when}. It can’t be published again, "
        "and no subscriber is sent it twice."
    )


def _require_articles(issue: Issue) -> None:
    if not issue.articles.exists():
        raise ValidationError("Add at least one article before publishing this issue.")


@once_per_key("bulletin.publish_issue")
def publish_issue(*, actor: User | None, issue: Issue) -> int:
    """Publish `issue` now and queue it for every confirmed subscriber who wants it.

    Returns the number of emails queued. `actor` None means the scheduler publishing a
    scheduled issue. Refused, with the date, if the issue is already published.
    """
    if actor is not None:
        require_editor(actor, issue.bulletin)
    with transaction.atomic():
        locked = Issue.objects.select_for_update(of=("self",)).get(pk=issue.pk)
        if locked.is_published:
            raise ValidationError(_already_published(locked))
        _require_articles(locked)
        now = timezone.now()
        locked.status, locked.published_at, locked.published_by = (
            IssueStatus.PUBLISHED, now, actor,
        )  # fmt: skip
        locked.scheduled_for = None
        locked.updated_at = now
        locked.full_clean()
        locked.save()
        queued = queue_deliveries(issue=locked)
        transaction.on_commit(lambda: _enqueue_sending(locked.pk))
    issue.refresh_from_db()
    return queued


def queue_deliveries(*, issue: Issue) -> int:
    """One Delivery row per subscriber `audience.recipients` names; never two (unique)."""
    from practica.bulletin.services.audience import recipients

    ids = sorted(recipients(issue).values_list("pk", flat=True))
    now = timezone.now()
    Delivery.objects.bulk_create(
        [Delivery(issue=issue, subscriber_id=pk, next_attempt_at=now) for pk in ids],
        ignore_conflicts=True,
        batch_size=500,
    )
    return len(ids)


def _enqueue_sending(issue_id: int) -> None:
    from practica.bulletin.tasks import send_issue_batch

    send_issue_batch.enqueue(issue_id)


def publish_due_issues(*, now: datetime.datetime | None = None) -> list[Issue]:
    """Publish every scheduled issue whose time has come (the worker and the sweep call it)."""
    now = now or timezone.now()
    published = []
    for issue in Issue.objects.filter(status=IssueStatus.SCHEDULED, scheduled_for__lte=now):
        try:
            publish_issue(actor=None, issue=issue)
        except ValidationError:
            continue
        published.append(issue)
    return published


# --- articles -----------------------------------------------------------------------------


def topics_for_names(names: Sequence[str], *, bulletin: Bulletin) -> list[Topic]:
    """The topics with these names, created when new, linked to the community's own topic
    of the same slug when the bulletin belongs to a community."""
    topics = []
    community_topics = {}
    if bulletin.community_id:
        community_topics = {t.slug: t for t in bulletin.community.topics.all()}
    for name in names:
        name = " ".join(name.split())[:80]
        slug = slugify(name)[:80]
        if not slug:
            continue
        topic, created = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "community_topic": community_topics.get(slug)}
        )
        if not created and topic.community_topic_id is None and slug in community_topics:
            topic.community_topic = community_topics[slug]
            topic.save(update_fields=["community_topic"])
        if topic not in topics:
            topics.append(topic)
    return topics


def _unique_slug(issue: Issue, title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:70] or "article"
    taken = set(
        Article.objects.filter(issue=issue).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _set_parts(
    article: Article,
    *,
    topics: Sequence[str],
    authors: Sequence[tuple[str, str]],
    related: Sequence[tuple[str, str]],
) -> None:
    article.topics.set(topics_for_names(topics, bulletin=article.issue.bulletin))
    article.authors.all().delete()
    article.related_items.all().delete()
    for position, (name, role) in enumerate(authors):
        author = ArticleAuthor(article=article, name=name, role=role, position=position)
        author.full_clean()
        author.save()
    for position, (title, url) in enumerate(related):
        item = RelatedItem(article=article, title=title, url=url, position=position)
        item.full_clean()
        item.save()


def create_article(
    *, actor: User | None, issue: Issue, title: str, body: str, summary: str = "",
    contact: str = "", topics: Sequence[str] = (), authors: Sequence[tuple[str, str]] = (),
    related: Sequence[tuple[str, str]] = (), slug: str = "", confirm_guard: bool = False,
) -> Article:  # fmt: skip
    """A new article in `issue`. Raises PatientDataFound (see privacy.guard); an actor of
    None (the demo, an import) writes as the operator, unscreened."""
    screening = None
    if actor is not None:
        require_editor(actor, issue.bulletin)
        screening = _screen(
            actor, issue, None, {"title": title, "summary": summary, "body": body}, confirm_guard
        )
    with transaction.atomic():
        last = issue.articles.aggregate(m=Max("position"))["m"]
        article = Article(
            issue=issue, title=title, slug=slug or _unique_slug(issue, title), summary=summary,
            body=body, body_html=render_article(body), contact=contact,
            contact_html=render_block(contact), position=0 if last is None else last + 1,
        )  # fmt: skip
        article.full_clean()
        article.save()
        _set_parts(article, topics=topics, authors=authors, related=related)
        _touch(issue)
        if screening is not None:
            screening.record(article)
    return article


def _screen(actor, issue: Issue, article, texts: dict, confirm_guard: bool):
    """The patient-data guard over a bulletin article (the contact box is meant for
    contact details, so it is not screened)."""
    return screen(
        actor=actor,
        community=issue.bulletin.community,
        where="bulletin article",
        texts=changed_texts(article, texts),
        confirmed=confirm_guard,
    )


def update_article(
    *, actor: User, article: Article, title: str, body: str, summary: str, contact: str,
    topics: Sequence[str], authors: Sequence[tuple[str, str]],
    related: Sequence[tuple[str, str]], confirm_guard: bool = False,
) -> Article:  # fmt: skip
    """Edit an article. A published article keeps its address (slug) when retitled.

    Raises PatientDataFound for what the edit changes (see privacy.guard)."""
    require_editor(actor, article.issue.bulletin)
    screening = _screen(
        actor,
        article.issue,
        article,
        {"title": title, "summary": summary, "body": body},
        confirm_guard,
    )
    with transaction.atomic():
        article.title, article.summary, article.body = title, summary, body
        article.contact = contact
        if not article.issue.is_published:
            article.slug = _unique_slug(article.issue, title, exclude_pk=article.pk)
        article.body_html = render_article(body)
        article.contact_html = render_block(contact)
        article.updated_at = timezone.now()
        article.full_clean()
        article.save()
        _set_parts(article, topics=topics, authors=authors, related=related)
        _touch(article.issue)
        screening.record(article)
    return article


def move_article(*, actor: User, article: Article, offset: int) -> None:
    """Move an article up (offset -1) or down (+1) in its issue's order."""
    require_editor(actor, article.issue.bulletin)
    with transaction.atomic():
        ordered = list(
            Article.objects.select_for_update(of=("self",)).filter(issue_id=article.issue_id)
        )
        index = next(i for i, a in enumerate(ordered) if a.pk == article.pk)
        target = index + offset
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, item in enumerate(ordered):
            if item.position != position:
                Article.objects.filter(pk=item.pk).update(position=position)
        _touch(article.issue)


def delete_article(*, actor: User, article: Article) -> None:
    require_editor(actor, article.issue.bulletin)
    if article.issue.is_published:
        raise ValidationError(
            "Articles of a published issue stay in the archive: readers and feeds link to "
            "them. Correct the text instead."
        )
    with transaction.atomic():
        article.delete()
