"""Background work of the insights app."""

from django_tasks import task


@task()
def rollup_recent() -> int:
    """The scheduled rollup: catch up from the last computed day until today."""
    from practica.insights.rollups import rollup_recent as run

    return run()
