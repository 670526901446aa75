"""Coalesced follow-up work: many writes, one drain task, each key's work done once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from practica.coalesce import drain, request
from practica.communities.stages import Stage
from practica.communities.tasks import EVALUATIONS
from practica.search.models import PendingIndex, SearchEntry
from practica.search.tasks import INDEX
from practica.tests.factories import CommunityFactory, MembershipFactory, UserFactory

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued(name: str) -> list[str]:
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(task_path__endswith=name).values_list("status", flat=True)
    )


def run_worker() -> None:
    call_command("db_worker", batch=True, queue_name="*", reload=False, interval=0)


@pytest.mark.django_db(transaction=True)
def test_many_replies_queue_one_index_drain_and_one_evaluation_drain():
    from practica.conversations.services import reply
    from practica.conversations.tests.factories import ThreadFactory

    community = CommunityFactory()
    thread = ThreadFactory(community=community, title="Night-time falls on the stroke unit")
    members = [MembershipFactory(community=community, stage=Stage.PARTICIPANT) for _ in range(3)]
    with override_settings(TASKS=DATABASE_TASKS):
        for n in range(12):
            reply(
                actor=members[n % 3].user,
                thread=thread,
                body=f"We lower the beds and check on them hourly, round {n} of the audit.",
            )
        assert queued("index_pending") == ["READY"]
        assert queued("evaluate_pending") == ["READY"]
        run_worker()
        assert queued("index_pending") == ["SUCCESSFUL"]
        assert queued("evaluate_pending") == ["SUCCESSFUL"]
    replies = SearchEntry.objects.filter(kind=SearchEntry.Kind.REPLY, parent_id=thread.pk)
    assert replies.count() == 12
    assert not PendingIndex.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_member_asked_about_many_times_is_evaluated_once(monkeypatch):
    from practica.communities.services import progression
    from practica.communities.services.progression import request_evaluation

    evaluated = []
    real = progression.evaluate_membership
    monkeypatch.setattr(
        progression,
        "evaluate_membership",
        lambda *, membership_id: (
            evaluated.append(membership_id) or real(membership_id=membership_id)
        ),
    )
    membership = MembershipFactory(community=CommunityFactory())
    other = MembershipFactory(community=membership.community)
    with override_settings(TASKS=DATABASE_TASKS):
        for _ in range(20):
            with transaction.atomic():
                request_evaluation(membership.pk)
                request_evaluation(other.pk)
        assert queued("evaluate_pending") == ["READY"]
        run_worker()
    assert sorted(evaluated) == sorted([membership.pk, other.pk])


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_asks_for_nothing():
    with override_settings(TASKS=DATABASE_TASKS):
        with pytest.raises(RuntimeError), transaction.atomic():
            UserFactory()
            raise RuntimeError("the write fails")
        assert not PendingIndex.objects.exists()
        assert queued("index_pending") == []


@pytest.mark.django_db(transaction=True)
def test_a_key_asked_for_while_the_drain_runs_is_kept_for_the_next_run():
    person = UserFactory(display_name="Ada Lovelace")
    PendingIndex.objects.all().delete()
    seen = []

    def process(keys):
        seen.append(keys)
        if len(seen) == 1:  # a write commits while the batch is being indexed
            request(INDEX, [("person", person.pk)])

    with override_settings(TASKS=DATABASE_TASKS):
        request(INDEX, [("person", person.pk)])
        assert drain(INDEX, process) == 1
        assert list(PendingIndex.objects.values_list("label", "object_id")) == [
            ("person", person.pk)
        ]
        # The drain was running, not waiting, when the second request came: one is queued.
        assert queued("index_pending") == ["READY"]


@pytest.mark.django_db(transaction=True)
def test_draining_twice_is_harmless_and_a_deleted_object_loses_its_entry():
    person = UserFactory(display_name="Grace Hopper")
    gone = UserFactory(display_name="Gone Member")
    with override_settings(TASKS=DATABASE_TASKS):
        run_worker()
        assert SearchEntry.objects.filter(kind="person", object_id=gone.pk).exists()
        gone_id = gone.pk
        gone.delete()
        request(INDEX, [("person", person.pk), ("person", gone_id)])
        from practica.search.tasks import index_pending

        index_pending.call()
        index_pending.call()  # a second worker, or a lease that expired: same result
    entries = SearchEntry.objects.filter(kind="person")
    assert list(entries.values_list("object_id", "title")) == [(person.pk, "Grace Hopper")]
    assert not PendingIndex.objects.exists()


def test_a_full_batch_that_runs_out_of_time_hands_over_to_a_new_drain(db):
    members = [MembershipFactory() for _ in range(5)]
    request(EVALUATIONS, [(m.pk,) for m in members])  # immediate backend: drained at once
    from practica.communities.models import PendingEvaluation

    assert not PendingEvaluation.objects.exists()
    PendingEvaluation.objects.bulk_create(PendingEvaluation(membership=m) for m in members)
    batches = []
    with override_settings(TASKS=DATABASE_TASKS):
        drain(EVALUATIONS, batches.append, batch=2, seconds=0)
        assert queued("evaluate_pending") == ["READY"]
    assert batches == [[(members[0].pk,), (members[1].pk,)]]
    assert PendingEvaluation.objects.count() == 3
