"""The posting lists similar questions rank from: BM25F over a question's fields.

Each public question gets a SimilarDocument and one SimilarTerm per distinct term of its
title, topics, opening post, accepted answer and helpful replies. A term's stored weight is
the BM25F pseudo-frequency

    tf~ = Σ over fields f of  FIELD_WEIGHT[f] · tf_f / (1 − b_f + b_f · len_f / REFERENCE_LENGTH[f])

so a term in the title counts more than one in a reply, and a long answer does not win by
length. The reference lengths are fixed (roughly the field's typical length in terms) rather
than the community's running average, so that adding a thread never rewrites the others;
ranking (`similar.py`) then saturates tf~ with k1 and multiplies by the term's IDF in the
community. The terms come from `analysis.py`, the same on SQLite and PostgreSQL, and the
ranking is one portable SQL statement, so both databases return the same order.

Called from `indexing` whenever a thread or one of its posts is indexed (in the same
transaction as its SearchEntry, so a question is findable as soon as its write or import
commits).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

from django.db.models import Prefetch, Q

from practica.markdown import markdown_to_text
from practica.search import analysis
from practica.search.models import SimilarDocument, SimilarTerm

# field: (weight, b, reference length in terms)
FIELDS = {
    "title": (3.0, 0.3, 8.0),
    "topics": (1.5, 0.0, 3.0),
    "body": (1.0, 0.6, 40.0),
    "answers": (1.0, 0.6, 80.0),
}
ANSWER_CHARS = 12_000
BODY_CHARS = 8_000
MAX_TERMS_PER_DOCUMENT = 400
WRITE_BATCH = 5000


def weights(fields: dict[str, str]) -> dict[str, float]:
    """term → tf~ for a question's fields (names of FIELDS → text)."""
    found: Counter = Counter()
    for name, text in fields.items():
        weight, b, reference = FIELDS[name]
        counts = Counter(analysis.terms(text))
        if not counts:
            continue
        norm = 1 - b + b * sum(counts.values()) / reference
        for term, tf in counts.items():
            found[term] += weight * tf / norm
    best = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS_PER_DOCUMENT]
    return {term: round(value, 5) for term, value in best}


def _digest(values) -> str:
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


def question_fields(thread) -> dict[str, str]:
    """The text of each field of `thread` (loaded by `_load`)."""
    posts = getattr(thread, "similar_posts", [])
    opening = next((p.body for p in posts if p.is_opening), "")
    answers = [
        p.body
        for p in sorted(posts, key=lambda p: (p.pk != thread.accepted_post_id, -p.helpful_count))
        if not p.is_opening and (p.pk == thread.accepted_post_id or p.helpful_count > 0)
    ]
    return {
        "title": thread.title,
        "topics": " ".join(t.name for t in thread.topics.all()),
        "body": markdown_to_text(opening)[:BODY_CHARS],
        "answers": markdown_to_text("\n\n".join(answers))[:ANSWER_CHARS],
    }


def _load(thread_ids):
    from practica.conversations.models import Post, Thread, ThreadKind

    accepted = Thread.objects.filter(pk__in=thread_ids).values("accepted_post")
    useful = Post.objects.filter(
        Q(is_opening=True)
        | (Q(helpful_count__gt=0) | Q(pk__in=accepted))
        & Q(hidden_at__isnull=True, deleted_at__isnull=True)
    )
    return (
        Thread.objects.filter(pk__in=thread_ids, kind=ThreadKind.QUESTION)
        .only(
            "pk", "community_id", "title", "accepted_post_id", "status", "hidden_at", "deleted_at"
        )
        .prefetch_related(
            "topics",
            Prefetch(
                "posts",
                queryset=useful.only("pk", "thread_id", "body", "is_opening", "helpful_count"),
                to_attr="similar_posts",
            ),
        )
    )


def index_questions(thread_ids: Iterable[int]) -> int:
    """Write the documents and terms of the public questions among `thread_ids` and remove
    those of the rest (deleted, hidden, staged, discussions). Returns documents written.

    Unchanged questions (same terms) are not rewritten. Runs in the caller's transaction.
    """
    from practica.search import embedding

    ids = sorted({int(pk) for pk in thread_ids})
    written = 0
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        questions = [t for t in _load(chunk) if t.is_public]
        existing = {d.thread_id: d for d in SimilarDocument.objects.filter(thread_id__in=chunk)}
        gone = set(chunk) - {t.pk for t in questions}
        if gone:
            remove_questions(gone)
        changed, postings, to_embed, dirty = [], [], [], []
        for thread in questions:
            fields = question_fields(thread)
            terms = weights(fields)
            digest = _digest((thread.community_id, sorted(terms.items())))
            document = existing.get(thread.pk) or SimilarDocument(thread_id=thread.pk)
            text = embedding.document_text(fields)
            wants_embedding = embedding.enabled() and document.embedding_digest != _digest(text)
            if document.pk and document.terms_digest == digest and not wants_embedding:
                continue
            if not document.pk or document.terms_digest != digest:
                changed.append(thread.pk)
                postings += [
                    SimilarTerm(
                        community_id=thread.community_id, term=t, thread_id=thread.pk, weight=w
                    )
                    for t, w in terms.items()
                ]
            document.community_id = thread.community_id
            document.terms_digest = digest
            if wants_embedding:
                to_embed.append((document, text))
            written += 1
            dirty.append(document)
        if to_embed:
            vectors = embedding.embed([text for _document, text in to_embed])
            for (document, text), vector in zip(to_embed, vectors, strict=True):
                document.embedding = embedding.to_bytes(vector)
                document.embedding_digest = _digest(text)
        SimilarTerm.objects.filter(thread_id__in=changed).delete()
        SimilarTerm.objects.bulk_create(postings, batch_size=WRITE_BATCH)
        SimilarDocument.objects.bulk_create([d for d in dirty if not d.pk], batch_size=WRITE_BATCH)
        SimilarDocument.objects.bulk_update(
            [d for d in dirty if d.pk],
            ["community_id", "terms_digest", "embedding", "embedding_digest"],
            batch_size=500,
        )
    return written


def remove_questions(thread_ids) -> None:
    ids = list(thread_ids)
    SimilarTerm.objects.filter(thread_id__in=ids).delete()
    SimilarDocument.objects.filter(thread_id__in=ids).delete()
