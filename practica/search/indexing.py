"""Keeping SearchEntry in step with the things it indexes.

`index_objects(label, ids)` is the one way entries are written: it loads the objects
behind `ids` in a few queries, asks the label's builder for each object's entry (a dict of
SearchEntry fields), writes the new and changed entries in one upsert and removes the
entries of objects that no longer exist. Entries whose fields are unchanged are not
written, so re-indexing costs the full-text index nothing when nothing changed.

Writes do not call it directly: they `schedule` keys, coalesced into the pending table
and drained in bulk by `tasks.index_pending`; bulk operations (import, reindex) call it
themselves. To index something more for a kind, change its builder here (and what its
Indexer loads with each object): the mechanics stay the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from practica.markdown import html_to_text, markdown_to_text
from practica.search import similar_index
from practica.search.models import SearchEntry

BODY_INDEX_CHARS = 20_000
Kind = SearchEntry.Kind
Audience = SearchEntry.Audience
# Snippets mark matches with these two characters; they are removed from indexed text so
# nothing a member writes can open or close a highlight.
MARK_START = "\ue000"
MARK_END = "\ue001"
THREAD_KINDS = [Kind.QUESTION, Kind.DISCUSSION]
WRITE_BATCH = 500
# Every column an entry is compared and written on (not its id, not updated_at).
FIELDS = [
    field.attname
    for field in SearchEntry._meta.concrete_fields
    if field.attname not in {"id", "updated_at"}
]
DEFAULTS = {
    field.attname: field.get_default()
    for field in SearchEntry._meta.concrete_fields
    if field.attname in FIELDS
}


def _clean(text: str, limit: int) -> str:
    return (text or "").replace(MARK_START, "").replace(MARK_END, "")[:limit]


def _join(*parts) -> str:
    return "\n\n".join(str(part) for part in parts if part)


def _topics(topics) -> tuple[str, str]:
    """(names, " slug slug ") of community topics, for display/search and for filters."""
    topics = list(topics)
    names = ", ".join(t.name for t in topics)
    slugs = " ".join(t.slug for t in topics)
    return names[:1000], (f" {slugs} " if slugs else "")[:1000]


def entry(
    kind: str, object_id: int, *, title: str, body: str, author=None, html=None, **fields
) -> dict:
    """An entry's fields, cleaned and cut to the columns' sizes; unnamed ones get defaults.

    `body` is Markdown; `html`, when given, is its stored rendering (a post's `body_html`),
    whose words are read without parsing the Markdown again.
    """
    values = dict(DEFAULTS)
    # Plain words, not Markdown: snippets show what readers see, never "**" or "](/".
    text = html_to_text(html) if html else markdown_to_text(body)
    values.update(
        kind=kind,
        object_id=object_id,
        title=_clean(title, 300),
        body=_clean(text, BODY_INDEX_CHARS),
        author_id=getattr(author, "pk", None),
        author_profession=getattr(author, "profession", "") or "",
        **fields,
    )
    values["context"] = (values.get("context") or "")[:300]
    return values


def write_entries(entries: Iterable[dict]) -> int:
    """Create or update `entries` (from `entry`); unchanged ones are skipped. Returns writes."""
    by_key = {(e["kind"], e["object_id"]): e for e in entries}
    rows = list(by_key.values())
    written = 0
    now = timezone.now()
    for start in range(0, len(rows), WRITE_BATCH):
        chunk = rows[start : start + WRITE_BATCH]
        existing = {
            (row["kind"], row["object_id"]): row
            for row in SearchEntry.objects.filter(
                kind__in={e["kind"] for e in chunk}, object_id__in={e["object_id"] for e in chunk}
            ).values(*FIELDS)
        }
        changed = [e for e in chunk if existing.get((e["kind"], e["object_id"])) != e]
        if changed:
            SearchEntry.objects.bulk_create(
                [SearchEntry(**e, updated_at=now) for e in changed],
                update_conflicts=True,
                unique_fields=["kind", "object_id"],
                update_fields=[f for f in FIELDS if f not in {"kind", "object_id"}]
                + ["updated_at"],
            )
            written += len(changed)
    return written


def prepare_for_bulk_writes() -> None:
    """For a command about to write many entries: on SQLite, a page cache big enough for
    FTS5 to merge its index segments in memory (this connection only)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -131072")  # KiB: 128 MiB


def _remove(kind: str, object_ids) -> None:
    SearchEntry.objects.filter(kind=kind, object_id__in=list(object_ids)).delete()


def _remover(kind: str) -> Callable:
    return lambda object_ids: _remove(kind, object_ids)


# --- conversations ---------------------------------------------------------------------------


def _opening_posts():
    from practica.conversations.models import Post

    return Prefetch(
        "posts",
        queryset=Post.objects.filter(is_opening=True).only("thread_id", "body", "body_html"),
        to_attr="opening_posts",
    )


def thread_entries(threads, *, topics: dict | None = None) -> list[dict]:
    """A thread's entry: its title and opening post, as a question or a discussion.

    `topics` maps thread ids to their topics in name order, for threads in hand whose
    topics are not loaded (an import); otherwise each thread's own are read.
    """
    entries = []
    for thread in threads:
        opening = getattr(thread, "opening_posts", None)
        if opening is None:
            opening = list(thread.posts.filter(is_opening=True).only("body", "body_html")[:1])
        topics_, slugs = _topics(topics[thread.pk] if topics is not None else thread.topics.all())
        entries.append(
            entry(
                thread.kind,
                thread.pk,
                title=thread.title,
                body=opening[0].body if opening else "",
                html=opening[0].body_html if opening else "",
                author=thread.author,
                community_id=thread.community_id,
                audience=Audience.COMMUNITY,
                url=thread.get_absolute_url(),
                external_id=thread.external_id or "",
                topics=topics_,
                topic_slugs=slugs,
                is_public=thread.is_public,
                created_at=thread.created_at,
            )
        )
    return entries


def _after_threads(threads, *, replies: bool = True, **context) -> None:
    """A thread that changed kind leaves its old entry; its replies read as it does."""
    from practica.conversations.models import Post

    by_kind = defaultdict(list)
    for thread in threads:
        by_kind[thread.kind].append(thread.pk)
    for kind, ids in by_kind.items():
        SearchEntry.objects.filter(object_id__in=ids, kind__in=THREAD_KINDS).exclude(
            kind=kind
        ).delete()
    similar_index.index_questions([t.pk for t in threads])
    if not replies:
        return  # the caller indexes the replies itself (`practica reindex`)
    # Replies carry their thread's title, topics and visibility: refresh the ones that
    # differ (a reply's own indexer builds what it should read).
    thread_ids = [t.pk for t in threads]
    replies = Post.objects.filter(thread_id__in=thread_ids, is_opening=False)
    SearchEntry.objects.filter(kind=Kind.REPLY, parent_id__in=thread_ids).exclude(
        object_id__in=replies.values("pk")
    ).delete()
    reply_ids = replies.values_list("pk", flat=True)
    index_objects("post", list(reply_ids), threads={t.pk: t for t in threads})


def _remove_threads(thread_ids) -> None:
    thread_ids = list(thread_ids)
    SearchEntry.objects.filter(object_id__in=thread_ids, kind__in=THREAD_KINDS).delete()
    SearchEntry.objects.filter(kind=Kind.REPLY, parent_id__in=thread_ids).delete()
    similar_index.remove_questions(thread_ids)


def post_entries(
    posts, *, threads: dict | None = None, topics: dict | None = None, **context
) -> list[dict]:
    """Replies' entries; an opening post is its thread's own text (see `_before_posts`).

    `threads` and `topics` (as for `thread_entries`) are what the caller has in hand."""
    from practica.conversations.models import Thread

    threads = dict(threads or {})
    wanted = {p.thread_id for p in posts} - set(threads)
    if wanted:
        loaded = Thread.objects.filter(pk__in=wanted).select_related("community")
        threads.update({t.pk: t for t in loaded.prefetch_related("topics")})
    shared = {}
    entries = []
    for post in posts:
        if post.is_opening or post.thread_id not in threads:
            continue
        if post.thread_id not in shared:
            thread = threads[post.thread_id]
            names, slugs = _topics(topics[thread.pk] if topics is not None else thread.topics.all())
            url, context = thread.get_absolute_url(), _clean(thread.title, 300)
            shared[post.thread_id] = (thread, names, slugs, url, context)
        thread, names, slugs, url, context = shared[post.thread_id]
        entries.append(
            entry(
                Kind.REPLY,
                post.pk,
                title="",
                body=post.body,
                html=post.body_html,
                author=post.author,
                community_id=thread.community_id,
                audience=Audience.COMMUNITY,
                parent_id=thread.pk,
                context=context,
                url=f"{url}#post-{post.pk}",
                topics=names,
                topic_slugs=slugs,
                is_public=thread.is_public and not (post.is_hidden or post.is_deleted),
                created_at=post.created_at,
            )
        )
    return entries


def _after_posts(posts, **context) -> None:
    opening = [p.thread_id for p in posts if p.is_opening]
    if opening:
        index_objects("thread", opening)
    if "threads" not in context:  # else the thread's own indexing does this
        # An accepted or helpful reply is part of its question's similar-questions text.
        replied = {p.thread_id for p in posts if not p.is_opening} - set(opening)
        if replied:
            similar_index.index_questions(replied)


def index_new_threads(threads, *, posts: dict, topics: dict) -> int:
    """Write the entries of threads just created and of their replies from the objects in
    hand (an import that has inserted them): nothing is read back but the entries' keys.

    `posts` maps each thread's id to its posts (opening first), `topics` to its topics.
    Precondition: the threads are new, so no entry of theirs needs removing.
    """
    for thread in threads:
        thread.opening_posts = [p for p in posts[thread.pk] if p.is_opening][:1]
    in_order = {pk: sorted(found, key=lambda t: t.name) for pk, found in topics.items()}
    in_order.update({t.pk: [] for t in threads if t.pk not in in_order})
    replies = [p for t in threads for p in posts[t.pk] if not p.is_opening]
    entries = thread_entries(threads, topics=in_order) + post_entries(
        replies, threads={t.pk: t for t in threads}, topics=in_order
    )
    written = write_entries(entries)
    # Similar questions read the accepted answer and helpful replies too (its own loader).
    similar_index.index_questions([t.pk for t in threads])
    return written


def index_thread(thread) -> int:
    """Index one thread and its replies now (the demo and tests; writes use `schedule`)."""
    return index_objects("thread", [thread.pk])


def index_post(post) -> int:
    return index_objects("post", [post.pk])


def remove_thread(thread_id: int) -> None:
    _remove_threads([thread_id])


def remove_post(post_id: int) -> None:
    _remove(Kind.REPLY, [post_id])


# --- library ---------------------------------------------------------------------------------


def article_entry(article) -> dict:
    """An article as its current revision reads; drafts and archived articles are not found."""
    revision = article.current_revision
    source = revision or article
    topics, slugs = _topics(article.topics.all())
    return entry(
        Kind.ARTICLE,
        article.pk,
        title=source.title,
        body=_join(source.summary, source.body),
        author=(revision.author if revision else None) or article.created_by,
        community_id=article.community_id,
        audience=Audience.COMMUNITY,
        url=article.get_absolute_url(),
        topics=topics,
        topic_slugs=slugs,
        is_public=article.status == "published",
        created_at=article.created_at,
    )


def resource_entry(resource) -> dict:
    topics, slugs = _topics(resource.topics.all())
    return entry(
        Kind.RESOURCE,
        resource.pk,
        title=resource.title,
        body=_join(resource.description, resource.url),
        author=resource.added_by,
        community_id=resource.community_id,
        audience=Audience.COMMUNITY,
        url=resource.get_absolute_url(),
        topics=topics,
        topic_slugs=slugs,
        is_public=True,
        created_at=resource.created_at,
    )


def glossary_term_entry(term) -> dict:
    from django.urls import reverse

    from practica.search.vocabulary import forget_glossary

    forget_glossary(term.community_id)  # similar questions expand with the glossary's synonyms
    url = reverse("library:glossary", kwargs={"community_slug": term.community.slug})
    synonyms = ", ".join(str(s) for s in term.synonyms or [])
    topics, slugs = _topics(term.topics.all())
    return entry(
        Kind.GLOSSARY,
        term.pk,
        title=term.term,
        body=_join(term.definition, f"Also: {synonyms}" if synonyms else ""),
        author=term.created_by,
        community_id=term.community_id,
        audience=Audience.COMMUNITY,
        url=f"{url}#{term.anchor}",
        topics=topics,
        topic_slugs=slugs,
        is_public=True,
        created_at=term.updated_at,
    )


# --- evidence, learning, events, bulletin, people --------------------------------------------


def evidence_summary_entry(summary) -> dict:
    topics, slugs = _topics(summary.topics.all())
    return entry(
        Kind.EVIDENCE,
        summary.pk,
        title=summary.title,
        body=_join(
            summary.question,
            summary.citation_title,
            summary.population,
            summary.intervention,
            summary.comparison,
            summary.outcome,
            summary.key_findings,
            summary.implications,
        ),
        author=summary.created_by,
        community_id=summary.community_id,
        audience=Audience.COMMUNITY,
        url=summary.get_absolute_url(),
        topics=topics,
        topic_slugs=slugs,
        is_public=True,
        created_at=summary.created_at,
    )


def module_entry(module) -> dict:
    """A module is found once it is live; one with no community is for anyone logged in."""
    owner = module.owners.order_by("pk").first()
    topics, slugs = _topics(module.topics.all())
    return entry(
        Kind.MODULE,
        module.pk,
        title=module.title,
        body=_join(module.overview, module.outcomes),
        author=owner,
        community_id=module.community_id,
        audience=Audience.COMMUNITY if module.community_id else Audience.SIGNED_IN,
        url=module.get_absolute_url(),
        topics=topics,
        topic_slugs=slugs,
        is_public=module.is_live,
        created_at=module.created_at,
    )


def event_entry(event) -> dict:
    topics, slugs = _topics(event.topics.all())
    return entry(
        Kind.EVENT,
        event.pk,
        title=event.title,
        body=_join(
            event.get_kind_display(),
            event.description,
            event.case_summary,
            event.location,
            event.notes,
        ),
        author=event.created_by,
        community_id=event.community_id,
        audience=Audience.COMMUNITY,
        url=event.get_absolute_url(),
        context="Cancelled" if event.cancelled_at else "",
        topics=topics,
        topic_slugs=slugs,
        is_public=True,
        created_at=event.starts_at,
    )


def bulletin_article_entry(article) -> dict:
    """A bulletin article is found once its issue is published."""
    issue = article.issue
    bulletin = issue.bulletin
    topics = list(article.topics.select_related("community_topic"))
    names = ", ".join(t.name for t in topics)[:1000]
    slugs = " ".join(t.community_topic.slug for t in topics if t.community_topic_id)
    by_line = ", ".join(a.name for a in article.authors.all())
    return entry(
        Kind.BULLETIN,
        article.pk,
        title=article.title,
        body=_join(article.summary, by_line, article.body),
        community_id=bulletin.community_id,
        audience=Audience.COMMUNITY if bulletin.community_id else Audience.EVERYONE,
        url=article.get_absolute_url(),
        context=f"{bulletin.name}, {issue.citation}",
        topics=names,
        topic_slugs=f" {slugs} " if slugs else "",
        is_public=issue.is_published,
        created_at=issue.published_at or article.created_at,
    )


def sync_bulletin_issue(issue) -> int:
    """Show or hide an issue's articles as it is published or withdrawn: one UPDATE.

    Run inside the write's own transaction (not as a task): it is a single cheap statement,
    and it keeps publishing to the one follow-up task the bulletin itself enqueues.
    """
    return SearchEntry.objects.filter(
        kind=Kind.BULLETIN, object_id__in=issue.articles.values("pk")
    ).update(is_public=issue.is_published)


def person_entry(person) -> dict:
    """A member's directory card: found only while they are active and listed, by
    signed-in members (everyone with PUBLIC_PROFILES), and only by what they show."""
    expertise = ", ".join(area.name for area in person.expertise.all())
    organisation = person.shown_organisation.name if person.shown_organisation else ""
    return entry(
        Kind.PERSON,
        person.pk,
        title=person.name,
        body=_join(
            person.get_profession_display(),
            f"Expertise: {expertise}" if expertise else "",
            organisation,
            person.shown_location,
            person.bio,
        ),
        author=person,
        audience=Audience.EVERYONE if settings.PUBLIC_PROFILES else Audience.SIGNED_IN,
        url=person.get_absolute_url(),
        context=person.get_profession_display(),
        is_public=person.is_active and person.show_in_directory,
        created_at=person.date_joined,
    )


# --- the registry ----------------------------------------------------------------------------


def _each(build: Callable) -> Callable:
    return lambda objects, **context: [build(obj) for obj in objects]


@dataclass(frozen=True)
class Indexer:
    model: str
    # (objects, **context) -> entries: each object's entry, built from what `load` fetched
    entries: Callable
    # ids -> None: delete the entries of objects that no longer exist
    remove: Callable
    # What is loaded with each object, so building a batch costs a few queries.
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple = ()
    # objects -> None: entries that follow from these (a thread's replies)
    after: Callable | None = None

    def load(self, ids):
        model = apps.get_model(self.model)
        objects = model._default_manager.filter(pk__in=ids)
        return objects.select_related(*self.select_related).prefetch_related(
            *(p() if callable(p) else p for p in self.prefetch_related)
        )


INDEXERS: dict[str, Indexer] = {
    "thread": Indexer(
        "conversations.Thread",
        lambda objects, **context: thread_entries(objects),
        _remove_threads,
        ("community", "author"),
        ("topics", _opening_posts),
        after=_after_threads,
    ),
    "post": Indexer(
        "conversations.Post",
        post_entries,
        _remover(Kind.REPLY),
        ("author",),
        after=_after_posts,
    ),
    "article": Indexer(
        "library.Article",
        _each(article_entry),
        _remover(Kind.ARTICLE),
        ("community", "current_revision__author", "created_by"),
        ("topics",),
    ),
    "resource": Indexer(
        "library.Resource",
        _each(resource_entry),
        _remover(Kind.RESOURCE),
        ("community", "added_by"),
        ("topics",),
    ),
    "glossary": Indexer(
        "library.GlossaryTerm",
        _each(glossary_term_entry),
        _remover(Kind.GLOSSARY),
        ("community", "created_by"),
        ("topics",),
    ),
    "evidence": Indexer(
        "evidence.EvidenceSummary",
        _each(evidence_summary_entry),
        _remover(Kind.EVIDENCE),
        ("community", "created_by"),
        ("topics",),
    ),
    "module": Indexer(
        "learning.Module", _each(module_entry), _remover(Kind.MODULE), ("community",), ("topics",)
    ),
    "event": Indexer(
        "events.Event",
        _each(event_entry),
        _remover(Kind.EVENT),
        ("community", "created_by"),
        ("topics",),
    ),
    "bulletin_article": Indexer(
        "bulletin.Article",
        _each(bulletin_article_entry),
        _remover(Kind.BULLETIN),
        ("issue__bulletin",),
        ("authors",),
    ),
    "person": Indexer(
        "people.User",
        _each(person_entry),
        _remover(Kind.PERSON),
        ("organisation",),
        ("expertise",),
    ),
}


def available(label: str) -> bool:
    """Whether the app behind `label` is installed (evidence arrived later than the rest)."""
    app_label, _model = INDEXERS[label].model.split(".")
    return apps.is_installed(f"practica.{app_label}")


def model_for(label: str):
    return apps.get_model(INDEXERS[label].model)


def index_objects(label: str, ids, **context) -> list[tuple[str, int]]:
    """Index the objects of `label` behind `ids` and remove the entries of missing ones.

    Safe to repeat: it writes what the objects read as now. Returns the (kind, object_id)
    of the entries the objects have (for `practica reindex`, which removes the rest).
    """
    ids = list(dict.fromkeys(int(pk) for pk in ids))
    if not ids:
        return []
    indexer = INDEXERS[label]
    keys: list[tuple[str, int]] = []
    with transaction.atomic():
        for start in range(0, len(ids), WRITE_BATCH):
            chunk = ids[start : start + WRITE_BATCH]
            objects = list(indexer.load(chunk))
            entries = indexer.entries(objects, **context)
            write_entries(entries)
            keys += [(e["kind"], e["object_id"]) for e in entries]
            missing = set(chunk) - {obj.pk for obj in objects}
            if missing:
                indexer.remove(missing)
            if indexer.after is not None and objects:
                indexer.after(objects, **context)
    return keys


def index_keys(keys: Iterable[tuple[str, int]]) -> None:
    """Index (label, object_id) keys, grouped by label: what `tasks.index_pending` drains."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for label, object_id in keys:
        if label in INDEXERS:
            by_label[label].append(object_id)
    for label, ids in by_label.items():
        index_objects(label, ids)


def index_object(label: str, object_id: int) -> str:
    """Index the object behind (label, id), or remove its entry if it no longer exists."""
    index_objects(label, [object_id])
    return (
        "indexed" if model_for(label)._default_manager.filter(pk=object_id).exists() else "removed"
    )
