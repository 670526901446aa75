"""Articles and their revisions: create, save with edit-conflict protection, revert,
review, publish, and comment.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from practica.communities.capabilities import Capability, CapabilityDenied, can, require
from practica.library.models import (
    Article,
    ArticleComment,
    ArticleStatus,
    Revision,
)
from practica.markdown import render_markdown
from practica.privacy.guard import changed_texts, screen
from practica.reliability.idempotency import once_per_key

UNCHANGED = object()


@dataclass(frozen=True)
class ArticleText:
    """The versioned part of an article: what a revision records."""

    title: str
    summary: str
    body: str

    @classmethod
    def of(cls, obj) -> ArticleText:
        return cls(obj.title, obj.summary, obj.body)

    def fields(self) -> dict[str, str]:
        return {"title": self.title, "summary": self.summary, "body": self.body}

    def normalised(self) -> ArticleText:
        # Browsers send CRLF; a revision that differs only in line endings is no change.
        return ArticleText(
            " ".join(self.title.split()),
            self.summary.strip(),
            self.body.replace("\r\n", "\n").strip(),
        )


class EditConflict(Exception):
    """Someone saved the article after the editor was opened on `base_revision_id`.

    Carries both texts so the merge view can show them side by side; nothing was written.
    """

    def __init__(self, *, article: Article, theirs: Revision, yours: ArticleText):
        super().__init__(f"{article} changed since the editor was opened")
        self.article = article
        self.theirs = theirs
        self.yours = yours


# --- who may edit -------------------------------------------------------------------------------


def may_edit(actor, article: Article) -> bool:
    """Full members edit directly; a drafter keeps editing their own draft until it's published."""
    community = article.community
    if can(actor, Capability.EDIT_ARTICLE, community=community):
        return True
    return (
        article.status == ArticleStatus.DRAFT
        and actor.is_authenticated
        and article.created_by_id == actor.pk
        and can(actor, Capability.DRAFT_ARTICLE, community=community)
    )


def may_read(actor, article: Article) -> bool:
    """Drafts are seen by their drafter and by those who can publish them; the rest by readers."""
    if not can(actor, Capability.READ, community=article.community):
        return False
    if article.status != ArticleStatus.DRAFT:
        return True
    return may_edit(actor, article)


def require_edit(actor, article: Article) -> None:
    if not may_edit(actor, article):
        require(actor, Capability.EDIT_ARTICLE, community=article.community)
        raise CapabilityDenied(
            "Only the person drafting this article can change it before it is published."
        )


# --- writing --------------------------------------------------------------------------------------


def _unique_slug(community, title: str) -> str:
    base = slugify(title)[:70] or "article"
    taken = set(
        Article.objects.filter(community=community, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _write_revision(
    article: Article,
    *,
    author,
    text: ArticleText,
    edit_summary: str,
    approved_by=None,
    reverted_from: Revision | None = None,
) -> Revision:
    """Record `text` as the next revision and mirror it on the (locked) article row."""
    last = article.revisions.aggregate(last=Max("number"))["last"] or 0
    revision = Revision(
        article=article,
        number=last + 1,
        title=text.title,
        summary=text.summary,
        body=text.body,
        author=author,
        edit_summary=edit_summary.strip()[:300],
        approved_by=approved_by,
        reverted_from=reverted_from,
    )
    revision.stamp_lanyard(author, article.community)
    revision.full_clean(exclude=["article"])
    revision.save()
    article.title, article.summary, article.body = text.title, text.summary, text.body
    article.body_html = render_markdown(text.body)
    article.current_revision = revision
    article.updated_at = revision.created_at
    return revision


@once_per_key("library.create_article")
def create_article(
    *,
    actor,
    community,
    title: str,
    summary: str = "",
    body: str = "",
    kind: str,
    topics=(),
    review_due: datetime.date | None = None,
    publish: bool = False,
    edit_summary: str = "",
    owners=None,
    source_url: str = "",
    source_title: str = "",
    source_thread=None,
    source_event=None,
    confirm_guard: bool = False,
    already_screened: bool = False,
) -> Article:
    """A new article with its first revision: published by those who may edit directly,
    otherwise a draft for review. Raises PatientDataFound (see privacy.guard).

    `already_screened`: the text is put together from what the guard passed when its
    authors wrote it (a distilled thread, an event's notes), so it is not screened again.
    """
    require(
        actor,
        Capability.EDIT_ARTICLE if publish else Capability.DRAFT_ARTICLE,
        community=community,
    )
    text = ArticleText(title, summary, body).normalised()
    screening = screen(
        actor=actor,
        community=community,
        where="article",
        texts={}
        if already_screened
        else {**text.fields(), "edit_summary": edit_summary, "source_title": source_title},
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        article = Article(
            community=community,
            slug=_unique_slug(community, text.title),
            title=text.title,
            summary=text.summary,
            body=text.body,
            kind=kind,
            status=ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT,
            review_due=review_due,
            source_url=source_url,
            source_title=source_title,
            source_thread=source_thread,
            source_event=source_event,
            created_by=actor,
        )
        article.full_clean()
        article.save()
        revision = _write_revision(
            article, author=actor, text=text, edit_summary=edit_summary or "First version"
        )
        article.save()
        screening.record(revision)
        article.topics.set([t for t in topics if t.community_id == community.pk])
        article.owners.set(owners if owners is not None else [actor])
    return article


@once_per_key("library.save_revision")
def save_revision(
    *,
    actor,
    article: Article,
    base_revision_id: int | None,
    title: str,
    summary: str,
    body: str,
    edit_summary: str = "",
    kind=UNCHANGED,
    topics=UNCHANGED,
    review_due=UNCHANGED,
    source_url=UNCHANGED,
    source_title=UNCHANGED,
    confirm_guard: bool = False,
) -> Revision | None:
    """Save an edit made from `base_revision_id`; None when the text didn't change.

    Raises EditConflict (writing nothing) when another revision was saved since the base:
    the article row is locked for the check and the write, so two simultaneous saves
    from the same base can't both succeed. Raises PatientDataFound for what the edit adds.
    """
    require_edit(actor, article)
    text = ArticleText(title, summary, body).normalised()
    texts = changed_texts(article, text.fields())
    texts["edit_summary"] = edit_summary
    if source_title is not UNCHANGED:
        texts.update(changed_texts(article, {"source_title": source_title}))
    screening = screen(
        actor=actor,
        community=article.community,
        where="article revision",
        texts=texts,
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        locked = Article.objects.select_for_update(of=("self",)).get(pk=article.pk)
        locked.community = article.community
        current = locked.current_revision
        if current is not None and current.pk != base_revision_id:
            if ArticleText.of(current) == text:
                return None  # the other person saved exactly this text
            raise EditConflict(article=locked, theirs=current, yours=text)
        details = {
            "kind": kind,
            "review_due": review_due,
            "source_url": source_url,
            "source_title": source_title,
        }
        for field, value in details.items():
            if value is not UNCHANGED:
                setattr(locked, field, value)
        revision = None
        if current is None or ArticleText.of(current) != text:
            revision = _write_revision(locked, author=actor, text=text, edit_summary=edit_summary)
            screening.record(revision)
        locked.full_clean()
        locked.save()
        if topics is not UNCHANGED:
            locked.topics.set([t for t in topics if t.community_id == locked.community_id])
    _refresh(article, locked)
    return revision


def _refresh(stale: Article, fresh: Article) -> None:
    for field in (
        "title", "summary", "body", "body_html", "kind", "status", "review_due",
        "source_url", "source_title", "current_revision_id", "updated_at",
        "last_reviewed_at", "last_reviewed_by_id",
    ):  # fmt: skip
        setattr(stale, field, getattr(fresh, field))
    stale.current_revision = fresh.current_revision


def revert_to_revision(
    *, actor, article: Article, revision: Revision, base_revision_id: int | None
) -> Revision | None:
    """A new revision carrying `revision`'s text; None when the article already reads so."""
    require_edit(actor, article)
    if revision.article_id != article.pk:
        raise ValidationError("That revision belongs to another article.")
    with transaction.atomic():
        locked = Article.objects.select_for_update(of=("self",)).get(pk=article.pk)
        locked.community = article.community
        current = locked.current_revision
        if current is not None and current.pk != base_revision_id:
            raise EditConflict(article=locked, theirs=current, yours=ArticleText.of(revision))
        if current is not None and ArticleText.of(current) == ArticleText.of(revision):
            return None
        new = _write_revision(
            locked,
            author=actor,
            text=ArticleText.of(revision),
            edit_summary=f"Reverted to revision {revision.number}",
            reverted_from=revision,
        )
        locked.save()
    _refresh(article, locked)
    return new


def mark_reviewed(*, actor, article: Article, next_review: datetime.date | None) -> Article:
    """Record that the article was checked and is still right, and when to check it next."""
    require(actor, Capability.EDIT_ARTICLE, community=article.community)
    if next_review is not None and next_review <= datetime.date.today():
        raise ValidationError({"next_review": "Choose a date in the future."})
    with transaction.atomic():
        locked = Article.objects.select_for_update(of=("self",)).get(pk=article.pk)
        locked.last_reviewed_at = timezone.now()
        locked.last_reviewed_by = actor
        locked.review_due = next_review
        locked.save(update_fields=["last_reviewed_at", "last_reviewed_by", "review_due"])
    _refresh(article, locked)
    return article


def set_status(*, actor, article: Article, status: str) -> Article:
    """Publish a draft, archive an article, or bring it back."""
    require(actor, Capability.EDIT_ARTICLE, community=article.community)
    if status not in ArticleStatus.values:
        raise ValidationError({"status": "Unknown status."})
    with transaction.atomic():
        locked = Article.objects.select_for_update(of=("self",)).get(pk=article.pk)
        locked.status = status
        locked.save(update_fields=["status"])
    article.status = status
    return article


def set_owners(*, actor, article: Article, owners) -> None:
    require(actor, Capability.EDIT_ARTICLE, community=article.community)
    with transaction.atomic():
        article.owners.set(owners)


@once_per_key("library.add_comment")
def add_comment(
    *, actor, article: Article, body: str, confirm_guard: bool = False
) -> ArticleComment:
    """A comment under an article. Raises PatientDataFound (see privacy.guard)."""
    require(actor, Capability.COMMENT_ARTICLE, community=article.community)
    if not may_read(actor, article):
        raise CapabilityDenied("You can't see this article.")
    comment = ArticleComment(
        article=article, author=actor, body=body.strip(), body_html=render_markdown(body)
    )
    comment.stamp_lanyard(actor, article.community)
    screening = screen(
        actor=actor,
        community=article.community,
        where="article comment",
        texts={"body": comment.body},
        confirmed=confirm_guard,
    )
    with transaction.atomic():
        comment.full_clean()
        comment.save()
        screening.record(comment)
    return comment
