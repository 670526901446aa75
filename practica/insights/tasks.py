"""Background work of the insights app."""

from django_tasks import task


@task()
def rollup_recent() -> int:
    """The scheduled rollup: catch up from the last computed day until today."""
    from practica.insights.rollups import rollup_recent as run

    return run()


@task()
def prompt_stories() -> int:
    """Ask members for a value-creation story at natural moments (at most monthly each)."""
    from practica.insights.prompts import send_prompts

    return send_prompts()
