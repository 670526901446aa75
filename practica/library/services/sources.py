"""Articles that grow from elsewhere: distilling a resolved thread, filing an event's notes.

Both go through `create_article`, so an article made this way is like any other: it has a
first revision, owners, and the usual draft or published status.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from practica.communities.capabilities import Capability, can, require
from practica.conversations.models import Post, Thread
from practica.events.models import Event, EventType
from practica.library.models import Article, ArticleKind
from practica.library.services.articles import create_article


class AlreadyFiled(ValidationError):
    """The thread or event already has its article; `article` is the one to go to instead."""

    def __init__(self, message: str, *, article: Article):
        super().__init__(message)
        self.article = article


def _quote(text: str) -> str:
    lines = text.replace("\r\n", "\n").strip().splitlines() or [""]
    return "\n".join(f"> {line}".rstrip() for line in lines)


def _attributed(post: Post, role: str) -> str:
    who = post.author.name if post.author else "a former member"
    when = timezone.localdate(post.created_at).strftime("%-d %B %Y")
    return f"{_quote(post.body)}\n>\n> — {who}, {role}, {when}"


def _distilled_body(thread: Thread, question: Post, answer: Post) -> str:
    return "\n\n".join(
        [
            f"Distilled from the conversation [{thread.title}]({thread.get_absolute_url()}). "
            "Rewrite it into guidance in your own words; keep the quotes that carry the point.",
            "## The question",
            _attributed(question, "asking"),
            "## The accepted answer",
            _attributed(answer, "in the accepted answer"),
        ]
    )


def distil_thread(*, actor, thread: Thread) -> Article:
    """A draft article from a solved question, quoting the question and its accepted answer.

    Precondition: `thread` was fetched through the conversations' visibility gate for `actor`.
    Raises AlreadyFiled (carrying the article) when the thread was distilled before.
    """
    require(actor, Capability.EDIT_ARTICLE, community=thread.community)
    with transaction.atomic():
        # Locking the thread makes two people distilling at once take turns.
        locked = Thread.objects.select_for_update(of=("self",)).get(pk=thread.pk)
        existing = Article.objects.filter(source_thread=locked).first()
        if existing is not None:
            raise AlreadyFiled(
                f"This thread was already distilled into “{existing.title}”.", article=existing
            )
        if not locked.is_question or not locked.is_solved:
            raise ValidationError(
                "Only a solved question can be distilled: accept an answer to it first."
            )
        if not locked.is_public:
            raise ValidationError("Only a published, visible thread can be distilled.")
        question = locked.posts.select_related("author").filter(is_opening=True).first()
        answer = Post.objects.select_related("author").get(pk=locked.accepted_post_id)
        if question is None or answer.is_deleted or answer.is_hidden:
            raise ValidationError(
                "The accepted answer has been removed, so there is nothing to distil."
            )
        locked.community = thread.community
        return create_article(
            actor=actor,
            community=thread.community,
            title=locked.title,
            summary=f"Distilled from a solved question in {thread.community.name}.",
            body=_distilled_body(locked, question, answer),
            kind=ArticleKind.FAQ,
            topics=list(locked.topics.all()),
            publish=False,
            edit_summary="Distilled from a solved thread",
            source_url=locked.get_absolute_url(),
            source_title=locked.title,
            source_thread=locked,
            already_screened=True,
        )


def _notes_body(event: Event) -> str:
    when = timezone.localtime(event.starts_at, ZoneInfo(event.timezone)).strftime("%-d %B %Y")
    return "\n\n".join(
        [
            f"Notes and outcomes of the {event.get_kind_display().lower()} "
            f"[{event.title}]({event.get_absolute_url()}), held on {when}.",
            event.notes.replace("\r\n", "\n").strip(),
        ]
    )


def file_event_notes(*, actor, event: Event) -> Article:
    """An article from an event's notes and outcomes: published by those who may edit
    articles directly, otherwise a draft for review.

    Raises AlreadyFiled (carrying the article) when the notes were filed before.
    """
    community = event.community
    require(actor, Capability.DRAFT_ARTICLE, community=community)
    publish = can(actor, Capability.EDIT_ARTICLE, community=community)
    with transaction.atomic():
        locked = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
        locked.community = community
        existing = Article.objects.filter(source_event=locked).first()
        if existing is not None:
            raise AlreadyFiled(
                f"These notes are already filed in the library as “{existing.title}”.",
                article=existing,
            )
        if not locked.notes.strip():
            raise ValidationError("This event has no notes yet: add its notes and outcomes first.")
        return create_article(
            actor=actor,
            community=community,
            title=f"{Truncator(locked.title).chars(170)}: notes and outcomes",
            summary=f"What came out of the {locked.get_kind_display().lower()} “{locked.title}”.",
            body=_notes_body(locked),
            kind=ArticleKind.CASE_SUMMARY
            if locked.kind == EventType.CASE_DISCUSSION
            else ArticleKind.GUIDE,
            publish=publish,
            edit_summary="Filed from the event's notes",
            source_url=locked.get_absolute_url(),
            source_title=locked.title,
            source_event=locked,
            already_screened=True,
        )
