"""Every write to webhooks, and the delivery of events to them.

`emit` is called by the services where events happen (a thread started, an answer
accepted…), inside their transaction: the deliveries are written and queued only once it
commits, so a rolled-back write announces nothing.
"""

from __future__ import annotations

import datetime
import http.client
import json
import socket
import ssl
import time
import uuid
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from practica.api.models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from practica.api.permissions import check_manage_webhooks
from practica.api.webhooks import addresses, signing

MAX_HOOKS_PER_COMMUNITY = 20
TIMEOUT_SECONDS = 10
# After the first attempt: a minute, five, half an hour, two hours, twelve hours.
RETRY_DELAYS = (60, 300, 1800, 7200, 43200)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
EXCERPT_CHARS = 500


def _clean_events(events) -> list[str]:
    chosen = [e for e in dict.fromkeys(events or []) if e]
    unknown = [e for e in chosen if e not in WebhookEvent.values]
    if unknown:
        raise ValidationError({"events": f"Unknown events: {', '.join(unknown)}."})
    if not chosen:
        raise ValidationError({"events": "Choose at least one event to send."})
    return chosen


def register_webhook(*, actor, community, url: str, events, description: str = "") -> Webhook:
    """A steward (or, with community=None, staff) registers an endpoint; its secret is new."""
    check_manage_webhooks(actor, community)
    url = (url or "").strip()
    addresses.check_url(url)
    chosen = _clean_events(events)
    existing = Webhook.objects.filter(community=community)
    if existing.count() >= MAX_HOOKS_PER_COMMUNITY:
        raise ValidationError(f"There are {MAX_HOOKS_PER_COMMUNITY} webhooks already: remove one.")
    hook = Webhook(
        community=community,
        url=url,
        secret=signing.new_secret(),
        events=chosen,
        description=(description or "").strip()[:200],
        created_by=actor,
    )
    hook.full_clean()
    hook.save()
    return hook


def set_active(*, actor, hook: Webhook, active: bool) -> Webhook:
    check_manage_webhooks(actor, hook.community)
    hook.is_active = active
    hook.save(update_fields=["is_active"])
    return hook


def delete_webhook(*, actor, hook: Webhook) -> None:
    check_manage_webhooks(actor, hook.community)
    hook.delete()


def emit(event: str, *, community, data: dict) -> None:
    """Announce `event` in `community` to its hooks and the instance's, after commit."""
    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    community_id = community.pk if community is not None else None
    payload = {
        "event": event,
        "id": uuid.uuid4().hex,
        "created_at": timezone.now().isoformat(),
        "community": community.slug if community is not None else None,
        "data": data,
    }
    transaction.on_commit(lambda: _queue(event, community_id, payload), robust=True)


def _queue(event: str, community_id: int | None, payload: dict) -> list[int]:
    hooks = Webhook.objects.filter(is_active=True).filter(
        Q(community_id=community_id) | Q(community__isnull=True)
    )
    made = []
    for hook in hooks:
        if event not in hook.events:
            continue
        delivery = WebhookDelivery.objects.create(
            webhook=hook, event=event, event_id=payload["id"], payload=payload
        )
        made.append(delivery.pk)
    for pk in made:
        _enqueue(pk)
    return made


def _enqueue(delivery_id: int, *, at: datetime.datetime | None = None) -> None:
    from practica.api.tasks import deliver_webhook

    if at is not None and deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=at).enqueue(delivery_id)
    elif at is None:
        deliver_webhook.enqueue(delivery_id)


def redeliver(*, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a logged delivery again, as a new entry in the log (same event id)."""
    check_manage_webhooks(actor, delivery.webhook.community)
    again = WebhookDelivery.objects.create(
        webhook=delivery.webhook,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        redelivery_of=delivery,
    )
    transaction.on_commit(lambda: _enqueue(again.pk), robust=True)
    return again


class _PinnedConnection(http.client.HTTPSConnection):
    """HTTPS to the address that was checked, with the certificate checked for the host."""

    def __init__(self, host, port, address, *, tls: bool, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address
        self._tls = tls

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        if self._tls:
            self.sock = self._context.wrap_socket(self.sock, server_hostname=self.host)


def _post(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    host, port, checked = addresses.check_url(url)
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection = _PinnedConnection(
        host, port, checked[0], tls=parts.scheme == "https", timeout=TIMEOUT_SECONDS
    )
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(EXCERPT_CHARS * 4).decode("utf-8", "replace")
        return response.status, text[:EXCERPT_CHARS]
    finally:
        connection.close()


def deliver(delivery_id: int) -> str:
    """One attempt at a delivery; schedules the next on failure. Returns the new status."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED):
        return delivery.status if delivery else "missing"
    hook = delivery.webhook
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Practica-Webhooks/1",
        "Practica-Event": delivery.event,
        "Practica-Delivery": str(delivery.pk),
        "Practica-Timestamp": str(timestamp),
        "Practica-Signature": signing.signature(hook.secret, timestamp, body),
    }
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.error = ""
    try:
        code, excerpt = _post(hook.url, body, headers)
    except ValidationError as refused:
        code, excerpt = None, ""
        delivery.error = " ".join(refused.messages)[:EXCERPT_CHARS]
    except (OSError, http.client.HTTPException) as failure:
        code, excerpt = None, ""
        delivery.error = f"{type(failure).__name__}: {failure}"[:EXCERPT_CHARS]
    delivery.response_code = code
    delivery.response_excerpt = excerpt
    if code is not None and 200 <= code < 300:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.RETRYING
        delay = RETRY_DELAYS[delivery.attempts - 1]
        delivery.next_attempt_at = now + datetime.timedelta(seconds=delay)
    delivery.save()
    if delivery.status == DeliveryStatus.RETRYING:
        _enqueue(delivery.pk, at=delivery.next_attempt_at)
    return delivery.status


def deliveries_of(hook: Webhook, *, limit: int = 50):
    return list(hook.deliveries.order_by("-created_at", "-pk")[:limit])


def hooks_for(community):
    return Webhook.objects.filter(community=community).order_by("-created_at", "-pk")
