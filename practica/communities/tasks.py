"""Background work of the communities app."""

from django_tasks import task

from practica.coalesce import Queue, drain

EVALUATIONS = Queue(
    name="progression",
    model="communities.PendingEvaluation",
    fields=("membership_id",),
    task="practica.communities.tasks.evaluate_pending",
)


@task()
def evaluate_pending() -> int:
    """Re-evaluate every member someone asked about, each once; returns how many."""
    from practica.communities.services.progression import evaluate_membership

    def evaluate(keys):
        for (membership_id,) in keys:
            evaluate_membership(membership_id=membership_id)

    return drain(EVALUATIONS, evaluate, batch=200)


@task()
def evaluate_progression(membership_id: int) -> str:
    """Re-evaluate one member now (tasks queued before evaluations were coalesced)."""
    from practica.communities.services.progression import evaluate_membership

    return evaluate_membership(membership_id=membership_id)
