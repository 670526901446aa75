"""The fault test: members post against a live server while the database cuts every
connection (PostgreSQL's pg_terminate_backend, as a restart does) and the worker is killed.

Afterwards nothing acknowledged is lost, nothing is stored twice (some members click
twice, at once), every task has finished and every email went out exactly once.
On SQLite there are no connections to cut; the rest runs the same.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from practica.communities.stages import Stage
from practica.reliability.tests.live import LiveInstance, Member
from practica.tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

POSTERS = 6
REPLIES_EACH = 8
POST_ID = re.compile(r"#post-(\d+)")


def _terminate_backends(live: LiveInstance) -> int:
    return live.query(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )[0][0]


def _wait_until(predicate, timeout: float, every: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


def test_nothing_acknowledged_is_lost_or_doubled_through_cut_connections_and_a_killed_worker(
    tmp_path,
):
    from practica.conversations.models import ConversationSettings, Watch
    from practica.conversations.tests.factories import ThreadFactory
    from practica.notifications.models import Delivery, Notification
    from practica.notifications.preferences import set_preferences

    community = CommunityFactory(slug="fault-ward")
    ConversationSettings.objects.create(community=community, posts_per_ten_minutes=1000)
    thread = ThreadFactory(community=community, title="Night handover on ward 7")
    watcher = MembershipFactory(community=community, stage=Stage.FULL).user
    Watch.objects.create(user=watcher, thread=thread)
    set_preferences(user=watcher, choices={(None, Notification.Kind.REPLY): Delivery.IMMEDIATE})
    sessions = []
    for _ in range(POSTERS):
        client = Client()
        client.force_login(MembershipFactory(community=community, stage=Stage.PARTICIPANT).user)
        sessions.append(client.cookies["sessionid"].value)

    live = LiveInstance(tmp_path, TASK_LEASE_SECONDS=3, WORKER_HEARTBEAT_SECONDS=1)
    live.publish()
    live.serve(workers=3)
    page = thread.get_absolute_url()
    reply_url = f"/c/{community.slug}/conversations/{thread.pk}/reply/"
    acknowledged: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def post(member: Member, text: str, *, twice: bool) -> None:
        tokens = None
        for _ in range(60):
            tokens = member.form_tokens(page)
            if tokens is not None:
                break
            time.sleep(0.3)  # the page itself was briefly unavailable
        else:
            errors.append(f"no reply form for {text!r}: {member.last_answer}")
            return
        csrf, key = tokens
        data = {"csrfmiddlewaretoken": csrf, "submission_key": key, "body": text}
        for _ in range(60):
            if twice:  # a double click: the same form sent twice at once
                answers = []
                other = threading.Thread(
                    target=lambda into=answers: into.append(member.post(reply_url, data))
                )
                other.start()
                answers.append(member.post(reply_url, data))
                other.join()
            else:
                answers = [member.post(reply_url, data)]
            statuses = {status for status, _, _ in answers}
            if statuses == {302}:
                locations = {headers.get("Location") for _, _, headers in answers}
                if len(locations) != 1:
                    errors.append(f"a double submit answered two places: {locations}")
                with lock:
                    acknowledged.append(text)
                return
            if statuses - {302, 503, 0}:
                said = [_error_text(body) for status, body, _ in answers if status != 302]
                errors.append(f"unexpected answer {statuses} for {text!r}: {said}")
                return
            time.sleep(0.3)  # 503 or no answer: the page says to send again, so send again
        errors.append(f"never acknowledged: {text!r}")

    def poster(n: int) -> None:
        member = Member(live, sessions[n])
        for i in range(REPLIES_EACH):
            text = f"Poster {n} reply {i}: bed {i + 1} turned at 02:00, skin intact."
            post(member, text, twice=(i % 3 == 0))

    threads = [threading.Thread(target=poster, args=(n,)) for n in range(POSTERS)]
    total = POSTERS * REPLIES_EACH
    try:
        for t in threads:
            t.start()
        _wait_until(lambda: len(acknowledged) >= total // 3, 60)
        cut = 0
        if live.vendor == "postgresql":
            for _ in range(3):
                cut += _terminate_backends(live)
                time.sleep(0.2)
        _wait_until(lambda: len(acknowledged) >= (2 * total) // 3, 60)
        killed = live.worker_pids()
        assert killed, "no worker heartbeat to find the worker by"
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        for t in threads:
            t.join(120)
        assert errors == []
        assert len(acknowledged) == total

        def queue_drained() -> bool:
            (waiting,) = live.query(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                "WHERE status IN ('READY', 'RUNNING')"
            )[0:1] or [(0,)]
            return waiting[0] == 0

        assert _wait_until(queue_drained, 180), live.server_log()[-3000:]
        # Restarted by `serve`: a new worker, with a new heartbeat.
        assert _wait_until(lambda: set(live.worker_pids()) - set(killed), 120)
    finally:
        live.stop()

    stored = Counter(
        body
        for (body,) in live.query(
            "SELECT body FROM conversations_post WHERE thread_id = %s AND is_opening = %s",
            [thread.pk, False],
        )
    )
    assert set(stored) == set(acknowledged)  # nothing acknowledged lost
    assert max(stored.values()) == 1  # nothing twice, double clicks included
    failed = live.query(
        "SELECT task_path, exception_class_path FROM django_tasks_database_dbtaskresult "
        "WHERE status = 'FAILED'"
    )
    assert failed == []
    emails = live.query("SELECT status, count(*) FROM notifications_emaildelivery GROUP BY status")
    assert dict(emails) == {"sent": total}, live.query(
        "SELECT id, status, attempts, last_error FROM notifications_emaildelivery "
        "WHERE status <> 'sent'"
    )
    told = Counter()
    for message in live.sent_messages():
        text = "".join(
            part.get_payload(decode=True).decode()
            for part in message.walk()
            if part.get_content_type() == "text/plain"
        )
        found = POST_ID.search(text)
        assert found, text
        told[(message["To"], found.group(1))] += 1
    assert len(told) == total
    assert set(told.values()) == {1}  # every email sent once
    if live.vendor == "postgresql":
        assert cut > 0
    connection.close()


def _error_text(body: str) -> str:
    """What a refused form said (its error summary), for the failure message."""
    import re

    found = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", chunk) for chunk in found) or body[:300]
    return " ".join(text.split())[:400]
