"""Redaction: removing identifying text for good, from a text and from every copy of it.

A steward (or the author, for their own text) names a post, a post revision, a staging
comment, an article revision or an article comment, and either a passage of it or the
whole text. The passage, or the whole text, becomes "[removed by Name: reason]":

- in the text itself and every stored revision of it (so the edit history and its diffs,
  which are computed from the revisions, no longer show it);
- in the other stored copies the passage can have reached: the thread's title, other
  posts quoting it, flag notes, an article's current text, proposed edits and comments;
- in notifications (which digests not yet sent are built from) and the email log;
- in the search index (rewritten from the redacted text in the same transaction; on
  SQLite the full-text index's deleted terms are merged away right after);
- in cached pages (anonymous visitors' page cache is dropped).

All in one transaction: if any step fails nothing is changed. The Redaction row records
who, when, why and which object, never the removed text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils.html import escape

from practica.communities.capabilities import Capability, can, require
from practica.privacy.models import Redaction, marker

REASON_MAX_CHARS = 200
SPAN_MIN_CHARS = 2


@dataclass
class Target:
    """What one redaction touches, worked out from the object named."""

    obj: models.Model
    what: str
    community: object
    author_ids: set[int]
    url: str
    # The fields "the whole text" replaces: (row, field name).
    whole: list[tuple[models.Model, str]]
    # Where a passage is looked for and replaced: (queryset, text fields).
    copies: list[tuple[models.QuerySet, tuple[str, ...]]]
    # Addresses whose notifications and emails are about this object.
    url_prefixes: list[str]
    # Run after the texts changed (re-render HTML, rewrite search entries), in the transaction.
    after: list[Callable[[], None]] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(getattr(row, name) or "" for row, name in self.whole)


# --- what each kind of object reaches --------------------------------------------------


def _thread_copies(thread) -> tuple[list, list[str]]:
    from practica.conversations.models import Flag, Post, PostRevision, StagingComment, Thread

    copies = [
        (Thread.objects.filter(pk=thread.pk), ("title",)),
        (Post.objects.filter(thread=thread), ("body", "hidden_reason")),
        (PostRevision.objects.filter(post__thread=thread), ("title", "body")),
        (StagingComment.objects.filter(thread=thread), ("body",)),
        (Flag.objects.filter(post__thread=thread), ("note",)),
    ]
    return copies, [thread.get_absolute_url()]


def _rerender_thread(thread) -> Callable[[], None]:
    def after():
        from practica.conversations.models import Post, StagingComment
        from practica.conversations.services.common import render_body
        from practica.markdown import render_markdown
        from practica.search.indexing import index_objects

        community = thread.community
        for post in Post.objects.filter(thread=thread).only("pk", "body", "body_html"):
            html, _ = render_body(post.body, community=community)
            if html != post.body_html:
                Post.objects.filter(pk=post.pk).update(body_html=html)
        for comment in StagingComment.objects.filter(thread=thread).only("pk", "body"):
            StagingComment.objects.filter(pk=comment.pk).update(
                body_html=render_markdown(comment.body)
            )
        index_objects("thread", [thread.pk])

    return after


def _post_target(post) -> Target:
    thread = post.thread
    copies, prefixes = _thread_copies(thread)
    return Target(
        obj=post,
        what="post",
        community=thread.community,
        author_ids={post.author_id},
        url=post.get_absolute_url(),
        whole=[(post, "body"), *((r, "body") for r in post.revisions.all())],
        copies=copies,
        url_prefixes=prefixes,
        after=[_rerender_thread(thread)],
    )


def _post_revision_target(revision) -> Target:
    post = revision.post
    thread = post.thread
    copies, prefixes = _thread_copies(thread)
    whole = [(revision, "body")]
    latest = post.revisions.order_by("-created_at", "-pk").first()
    if latest is not None and latest.pk == revision.pk:
        whole.append((post, "body"))  # the revision is what the post says now
    from django.urls import reverse

    return Target(
        obj=revision,
        what="post revision",
        community=thread.community,
        author_ids={post.author_id, revision.editor_id},
        url=reverse(
            "conversations:post-history",
            kwargs={"community_slug": thread.community.slug, "post_id": post.pk},
        ),
        whole=whole,
        copies=copies,
        url_prefixes=prefixes,
        after=[_rerender_thread(thread)],
    )


def _staging_comment_target(comment) -> Target:
    thread = comment.thread
    copies, prefixes = _thread_copies(thread)
    return Target(
        obj=comment,
        what="staging comment",
        community=thread.community,
        author_ids={comment.author_id},
        url=thread.get_absolute_url(),
        whole=[(comment, "body")],
        copies=copies,
        url_prefixes=prefixes,
        after=[_rerender_thread(thread)],
    )


def _article_copies(article) -> tuple[list, list[str]]:
    from practica.library.models import Article, ArticleComment, ProposedEdit, Revision

    copies = [
        (Article.objects.filter(pk=article.pk), ("title", "summary", "body")),
        (Revision.objects.filter(article=article), ("title", "summary", "body", "edit_summary")),
        (
            ProposedEdit.objects.filter(article=article),
            ("title", "summary", "body", "edit_summary", "review_comment"),
        ),
        (ArticleComment.objects.filter(article=article), ("body",)),
    ]
    return copies, [article.get_absolute_url()]


def _rerender_article(article) -> Callable[[], None]:
    def after():
        from practica.library.models import Article, ArticleComment
        from practica.markdown import render_markdown
        from practica.search.indexing import index_objects

        fresh = Article.objects.get(pk=article.pk)
        Article.objects.filter(pk=article.pk).update(body_html=render_markdown(fresh.body))
        for comment in ArticleComment.objects.filter(article=article).only("pk", "body"):
            ArticleComment.objects.filter(pk=comment.pk).update(
                body_html=render_markdown(comment.body)
            )
        index_objects("article", [article.pk])

    return after


def _article_revision_target(revision) -> Target:
    article = revision.article
    copies, prefixes = _article_copies(article)
    whole = [(revision, "body")]
    if article.current_revision_id == revision.pk:
        whole.append((article, "body"))
    return Target(
        obj=revision,
        what="article revision",
        community=article.community,
        author_ids={revision.author_id},
        url=revision.get_absolute_url(),
        whole=whole,
        copies=copies,
        url_prefixes=prefixes,
        after=[_rerender_article(article)],
    )


def _article_comment_target(comment) -> Target:
    article = comment.article
    copies, prefixes = _article_copies(article)
    return Target(
        obj=comment,
        what="article comment",
        community=article.community,
        author_ids={comment.author_id},
        url=f"{article.get_absolute_url()}#comment-{comment.pk}",
        whole=[(comment, "body")],
        copies=copies,
        url_prefixes=prefixes,
        after=[_rerender_article(article)],
    )


def _kinds() -> dict[str, tuple[Callable[[], models.QuerySet], Callable[..., Target]]]:
    from practica.conversations.models import Post, PostRevision, StagingComment
    from practica.library.models import ArticleComment, Revision

    return {
        "post": (lambda: Post.objects.select_related("thread__community"), _post_target),
        "post-revision": (
            lambda: PostRevision.objects.select_related("post__thread__community"),
            _post_revision_target,
        ),
        "staging-comment": (
            lambda: StagingComment.objects.select_related("thread__community"),
            _staging_comment_target,
        ),
        "article-revision": (
            lambda: Revision.objects.select_related("article__community"),
            _article_revision_target,
        ),
        "article-comment": (
            lambda: ArticleComment.objects.select_related("article__community"),
            _article_comment_target,
        ),
    }


KINDS = ("post", "post-revision", "staging-comment", "article-revision", "article-comment")


def target_for(kind: str, object_id: int) -> Target:
    """The Target behind a (kind, id) pair from a URL; DoesNotExist if there is none."""
    if kind not in KINDS:
        raise LookupError(kind)
    load, build = _kinds()[kind]
    return build(load().get(pk=object_id))


def target_of(obj) -> Target:
    """The Target for a loaded post, post revision, staging comment, article revision or
    article comment (its thread or article already loaded, as pages have it)."""
    builders = {
        "conversations.Post": _post_target,
        "conversations.PostRevision": _post_revision_target,
        "conversations.StagingComment": _staging_comment_target,
        "library.Revision": _article_revision_target,
        "library.ArticleComment": _article_comment_target,
    }
    return builders[obj._meta.label](obj)


def may_redact_object(actor, obj) -> bool:
    """`may_redact` for a loaded object, without working out all it reaches."""
    if not getattr(actor, "is_authenticated", False):
        return False
    authors = {
        "conversations.Post": lambda: {obj.author_id},
        "conversations.PostRevision": lambda: {obj.editor_id},
        "conversations.StagingComment": lambda: {obj.author_id},
        "library.Revision": lambda: {obj.author_id},
        "library.ArticleComment": lambda: {obj.author_id},
    }[obj._meta.label]()
    community = _community_of(obj)
    if can(actor, Capability.MODERATE, community=community):
        return True
    return actor.pk in authors and can(actor, Capability.READ, community=community)


def _community_of(obj):
    if hasattr(obj, "thread"):
        return obj.thread.community
    if hasattr(obj, "post"):
        return obj.post.thread.community
    return obj.article.community


# --- who may ---------------------------------------------------------------------------


def may_redact(actor, target: Target) -> bool:
    """Stewards (who moderate) may redact anything here; authors their own text."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if can(actor, Capability.MODERATE, community=target.community):
        return True
    return actor.pk in target.author_ids and can(actor, Capability.READ, community=target.community)


def require_redact(actor, target: Target) -> None:
    if may_redact(actor, target):
        return
    require(actor, Capability.MODERATE, community=target.community)  # raises, naming the stage
    raise PermissionDenied("Only stewards and the author can redact this.")


# --- the redaction ---------------------------------------------------------------------


def _pattern(span: str) -> re.Pattern:
    # Whitespace inside the passage matches any run of whitespace (a line break in a copy).
    parts = [re.escape(p) for p in span.split()]
    return re.compile(r"\s+".join(parts), re.IGNORECASE)


def _clip(model, name: str, text: str) -> str:
    limit = model._meta.get_field(name).max_length
    if limit and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def _replace_in(queryset, fields: Iterable[str], pattern, span: str, stand_in: str) -> int:
    """Replace the passage in `fields` of the rows of `queryset` holding it; rows changed."""
    fields = tuple(fields)
    variants = {span, escape(span)}
    holding = Q()
    for name in fields:
        for variant in variants:
            holding |= Q(**{f"{name}__icontains": variant})
    if not fields:
        return 0
    model = queryset.model
    changed = 0
    for row in queryset.filter(holding).only("pk", *fields):
        updates = {}
        for name in fields:
            old = getattr(row, name) or ""
            new = pattern.sub(stand_in, old)
            new = _pattern(escape(span)).sub(escape(stand_in), new)
            if new != old:
                updates[name] = _clip(model, name, new)
        if updates:
            model._default_manager.filter(pk=row.pk).update(**updates)
            changed += 1
    return changed


def _messages(prefixes: list[str]):
    from practica.notifications.models import EmailDelivery, Notification

    about = Q()
    for prefix in prefixes:
        about |= Q(url__startswith=prefix)
    notifications = Notification.objects.filter(about)
    email_about = Q(notification__in=notifications)
    for prefix in prefixes:
        email_about |= Q(text_body__contains=prefix) | Q(html_body__contains=prefix)
    emails = EmailDelivery.objects.filter(email_about)
    return [
        (notifications, ("text",)),
        (emails, ("subject", "text_body", "html_body")),
    ]


def redact(*, actor, target: Target, reason: str, span: str = "", whole: bool = False) -> Redaction:
    """Replace `span` (or, with `whole`, the target's whole text) everywhere it is stored.

    Raises ValidationError (keyed "reason" or "span") for a missing reason, a passage not in
    the text, or a reason that repeats the passage; PermissionDenied unless `may_redact`.
    """
    require_redact(actor, target)
    reason = " ".join((reason or "").split())
    span = " ".join((span or "").split())
    errors = {}
    if not reason:
        errors["reason"] = "Say why this is removed: the reason is shown in its place."
    elif len(reason) > REASON_MAX_CHARS:
        errors["reason"] = f"Keep the reason under {REASON_MAX_CHARS} characters."
    if not whole:
        if len(span) < SPAN_MIN_CHARS:
            errors["span"] = "Copy the words to remove from the text, or choose the whole text."
        elif not _pattern(span).search(target.text()):
            errors["span"] = "Those words are not in this text: copy them exactly as written."
        elif reason and span.lower() in reason.lower():
            errors["reason"] = "The reason must not repeat the words being removed."
    if errors:
        raise ValidationError(errors)
    stand_in = marker(actor.name, reason)
    with transaction.atomic():
        changed = 0
        if whole:
            # Every revision's text is a copy: a passage of it also stands in each other copy,
            # so each distinct text becomes a passage to remove from the copies below.
            spans = sorted({(getattr(r, n) or "").strip() for r, n in target.whole} - {""})
            for row, name in target.whole:
                type(row)._default_manager.filter(pk=row.pk).update(
                    **{name: _clip(type(row), name, stand_in)}
                )
                setattr(row, name, stand_in)
                changed += 1
        else:
            spans = [span]
        for text in spans:
            pattern = _pattern(text)
            for queryset, fields in [*target.copies, *_messages(target.url_prefixes)]:
                changed += _replace_in(queryset, fields, pattern, text, stand_in)
        for step in target.after:
            step()
        record = Redaction(
            community=target.community,
            actor=actor,
            actor_name=actor.name[:150],
            target_type=ContentType.objects.get_for_model(type(target.obj)),
            target_id=target.obj.pk,
            what=target.what,
            url=target.url,
            scope=Redaction.Scope.WHOLE if whole else Redaction.Scope.SPAN,
            reason=reason,
            rows_changed=changed,
        )
        record.full_clean()
        record.save()
        transaction.on_commit(after_commit_forget)
    return record


def rename_marker(record: Redaction, *, old: str, new: str) -> int:
    """Put `new` where the marker `old` of a redaction stands (its author's account was
    deleted); in the same copies the redaction reached. Rows changed."""
    obj = record.target
    if obj is None:
        return 0
    target = target_of(obj)
    pattern = re.compile(re.escape(old))
    changed = 0
    for queryset, fields in [*target.copies, *_messages(target.url_prefixes)]:
        changed += _replace_in(queryset, fields, pattern, old, new)
    for step in target.after:
        step()
    return changed


def after_commit_forget() -> None:
    """Once removed text is committed: drop cached pages and merge the full-text index."""
    from practica.middleware import forget_cached_pages

    forget_cached_pages()
    if connection.vendor == "sqlite":
        from practica.search.tasks import purge_deleted_terms

        purge_deleted_terms.enqueue()
