"""Background work of the communities app."""

from django_tasks import task


@task()
def evaluate_progression(membership_id: int) -> str:
    """Re-evaluate one member against the progression rules; returns what happened."""
    from practica.communities.services.progression import evaluate_membership

    return evaluate_membership(membership_id=membership_id)
