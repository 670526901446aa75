"""Who an issue goes to, who it doesn't and why; and the editor's test email.

`recipients_q` is the one definition of "gets this issue": publishing queues exactly the
subscribers it matches, and the publish page counts with the same filter, so the page
and the sending log never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from practica.bulletin import querysets
from practica.bulletin.models import Article, Issue, Subscriber, SubscriberStatus
from practica.bulletin.permissions import require_editor
from practica.site import absolute_url, site_host

TEST_SENDS_PER_HOUR = 10

# Each reason, in the order the publish page lists them: key, sentence (count first).
REASONS = [
    ("all_topics", "confirmed, and take every issue", True),
    ("matching_topics", "confirmed, and chose a topic this issue has", True),
    ("other_topics", "confirmed, but chose only topics this issue doesn’t have", False),
    ("pending", "never confirmed their subscription", False),
    ("unsubscribed", "unsubscribed", False),
]


def issue_topic_ids(issue: Issue) -> set[int]:
    return set(
        Article.topics.through.objects.filter(article__issue=issue).values_list(
            "topic_id", flat=True
        )
    )


def _annotated(issue: Issue, topic_ids: set[int]) -> QuerySet:
    chose_match = Subscriber.topics.through.objects.filter(
        subscriber_id=OuterRef("pk"), topic_id__in=topic_ids or [0]
    )
    return Subscriber.objects.filter(bulletin_id=issue.bulletin_id).annotate(
        wants_issue=Exists(chose_match)
    )


def _reason_q() -> dict[str, Q]:
    confirmed = Q(status=SubscriberStatus.CONFIRMED)
    return {
        "all_topics": confirmed & Q(all_topics=True),
        "matching_topics": confirmed & Q(all_topics=False, wants_issue=True),
        "other_topics": confirmed & Q(all_topics=False, wants_issue=False),
        "pending": Q(status=SubscriberStatus.PENDING),
        "unsubscribed": Q(status=SubscriberStatus.UNSUBSCRIBED),
    }


def recipients(issue: Issue, topic_ids: set[int] | None = None) -> QuerySet:
    """The subscribers publishing `issue` emails: confirmed, and wanting its topics."""
    topic_ids = issue_topic_ids(issue) if topic_ids is None else topic_ids
    reasons = _reason_q()
    return _annotated(issue, topic_ids).filter(reasons["all_topics"] | reasons["matching_topics"])


@dataclass
class AudienceRow:
    key: str
    count: int
    sentence: str
    receives: bool
    subscribers: list


@dataclass
class Audience:
    rows: list[AudienceRow]
    listed: bool

    @property
    def receiving(self) -> int:
        return sum(row.count for row in self.rows if row.receives)

    @property
    def not_receiving(self) -> int:
        return sum(row.count for row in self.rows if not row.receives)

    @property
    def total(self) -> int:
        return self.receiving + self.not_receiving


LIST_LIMIT = 200


def audience(issue: Issue, *, with_list: bool = False) -> Audience:
    """Counts by reason (one query), and for stewards the addresses (one more query)."""
    topic_ids = issue_topic_ids(issue)
    reasons = _reason_q()
    counts = _annotated(issue, topic_ids).aggregate(
        **{f"n_{key}": Count("pk", filter=q) for key, q in reasons.items()}
    )
    listing: dict[str, list] = {key: [] for key in reasons}
    if with_list:
        rows = (
            _annotated(issue, topic_ids)
            .only("email", "status", "all_topics")
            .order_by("email")[: LIST_LIMIT * len(reasons)]
        )
        for subscriber in rows:
            for key, _sentence, _receives in REASONS:
                if _matches(subscriber, key) and len(listing[key]) < LIST_LIMIT:
                    listing[key].append(subscriber)
                    break
    return Audience(
        rows=[
            AudienceRow(key, counts[f"n_{key}"], sentence, receives, listing[key])
            for key, sentence, receives in REASONS
        ],
        listed=with_list,
    )


def _matches(subscriber: Subscriber, key: str) -> bool:
    confirmed = subscriber.status == SubscriberStatus.CONFIRMED
    return {
        "all_topics": confirmed and subscriber.all_topics,
        "matching_topics": confirmed and not subscriber.all_topics and subscriber.wants_issue,
        "other_topics": confirmed and not subscriber.all_topics and not subscriber.wants_issue,
        "pending": subscriber.status == SubscriberStatus.PENDING,
        "unsubscribed": subscriber.status == SubscriberStatus.UNSUBSCRIBED,
    }[key]


def _test_rate_key(actor) -> str:
    return f"bulletin:test-send:{actor.pk}"


def send_test_issue(*, actor, issue: Issue) -> str:
    """Email `issue` as subscribers will see it to the editor alone; returns the address.

    Goes through the configured email backend like a real issue, marked as a test in the
    subject, with the unsubscribe links pointing at the bulletin's subscription page (the
    editor is not a subscriber). Limited to TEST_SENDS_PER_HOUR per editor.
    """
    require_editor(actor, issue.bulletin)
    if not actor.email:
        raise ValidationError("Your account has no email address to send the test to.")
    key = _test_rate_key(actor)
    cache.add(key, 0, 3600)
    try:
        sent = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 3600)
        sent = 1
    if sent > TEST_SENDS_PER_HOUR:
        raise ValidationError(
            f"You have sent {TEST_SENDS_PER_HOUR} tests in the last hour; try again later."
        )
    contents = querysets.issue_contents(issue)
    bulletin = issue.bulletin
    subscribe_url = absolute_url(
        reverse("bulletin:subscribe", kwargs={"bulletin_slug": bulletin.slug})
    )
    context = {**contents, "unsubscribe_url": subscribe_url, "preferences_url": subscribe_url}
    message = EmailMultiAlternatives(
        subject=f"[Test] {bulletin.name}: {issue.citation}",
        body=render_to_string("bulletin/email/issue.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[actor.email],
        headers={"List-Id": f"{bulletin.name} <{bulletin.slug}.{site_host()}>"},
    )
    message.attach_alternative(render_to_string("bulletin/email/issue.html", context), "text/html")
    message.send()
    return actor.email
