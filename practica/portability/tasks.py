"""Background work of the portability app."""

from django_tasks import task


@task()
def build_export(export_id: int) -> str:
    """Write one requested community archive."""
    from practica.portability.services import build

    return build(export_id)
