"""Writes of the portability app: a steward asks for an archive; the worker builds it."""

from __future__ import annotations

import logging
import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from practica.communities.capabilities import Capability, require
from practica.portability.models import CommunityExport

logger = logging.getLogger(__name__)


def request_export(*, actor, community) -> CommunityExport:
    """Queue an archive of `community` for `actor` (a steward); an open request is reused."""
    from practica.portability.tasks import build_export

    require(actor, Capability.EXPORT_COMMUNITY, community=community)
    with transaction.atomic():
        open_one = (
            CommunityExport.objects.select_for_update()
            .filter(community=community, status__in=["queued", "running"])
            .first()
        )
        if open_one is not None:
            return open_one
        export = CommunityExport.objects.create(community=community, requested_by=actor)
        transaction.on_commit(lambda: build_export.enqueue(export.pk))
    return export


def build(export_id: int) -> str:
    """Write the archive for one request (the worker's task; safe to run twice)."""
    from practica.portability.exporting import export_community

    export = CommunityExport.objects.select_related("community").filter(pk=export_id).first()
    if export is None or export.status == CommunityExport.Status.DONE:
        return "nothing to do"
    CommunityExport.objects.filter(pk=export.pk).update(status="running")

    def show(done: int, total: int) -> None:
        CommunityExport.objects.filter(pk=export.pk).update(done_rows=done, total_rows=total)

    try:
        with tempfile.TemporaryFile() as handle:
            result = export_community(export.community, handle, on_progress=show, snapshot=False)
            size = handle.tell()
            handle.seek(0)
            export.file.save(export.filename, File(handle), save=False)
    except Exception as error:  # the steward sees that it failed; the log has the detail
        logger.exception("community export failed", extra={"export_id": export.pk})
        CommunityExport.objects.filter(pk=export.pk).update(
            status="failed", error=str(error)[:500], finished_at=timezone.now()
        )
        return "failed"
    CommunityExport.objects.filter(pk=export.pk).update(
        status="done",
        file=export.file.name,
        size=size,
        summary=result.summary()[:500],
        done_rows=result.rows,
        total_rows=result.rows,
        finished_at=timezone.now(),
    )
    return "done"
