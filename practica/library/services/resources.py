"""Resources: uploaded files (checked by content, versions kept) and external links."""

from __future__ import annotations

import hashlib
import os
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from practica.communities.capabilities import Capability, CapabilityDenied, can, require
from practica.library.models import Resource, ResourceKind, ResourceVersion
from practica.library.uploads import UploadRefused, sniff
from practica.privacy.guard import screen
from practica.reliability.idempotency import once_per_key


def _store_version(resource: Resource, *, actor, uploaded, note: str = "") -> ResourceVersion:
    try:
        file_type = sniff(uploaded)
    except UploadRefused as refused:
        raise ValidationError({"file": str(refused)}) from refused
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    last = resource.versions.aggregate(last=Max("number"))["last"] or 0
    original = os.path.basename(uploaded.name or "file")[:150]
    stem = os.path.splitext(original)[0] or "file"
    version = ResourceVersion(
        resource=resource,
        number=last + 1,
        original_name=f"{stem}.{file_type.extension}",
        file_type=file_type.extension,
        content_type=file_type.content_type,
        size=uploaded.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
        note=note.strip()[:300],
    )
    # Stored under a random name: what members called the file never reaches the disk path.
    version.file.save(
        f"library/{resource.community_id}/{uuid.uuid4().hex}.{file_type.extension}",
        uploaded,
        save=False,
    )
    version.full_clean(exclude=["resource"])
    version.save()
    resource.current_version = version
    resource.updated_at = version.created_at
    return version


@once_per_key("library.add_resource")
def add_resource(
    *,
    actor,
    community,
    title: str,
    description: str = "",
    topics=(),
    uploaded=None,
    url: str = "",
    confirm_guard: bool = False,
) -> Resource:
    """A new resource: an uploaded file, or an external link when `url` is given.

    Raises PatientDataFound for its title or description (see privacy.guard)."""
    require(actor, Capability.UPLOAD_RESOURCE, community=community)
    if bool(uploaded) == bool(url):
        raise ValidationError("Choose a file to upload or give a link, not both.")
    screening = screen(
        actor=actor,
        community=community,
        where="resource",
        texts={"title": title, "description": description},
        confirmed=confirm_guard,
    )
    resource = Resource(
        community=community,
        kind=ResourceKind.FILE if uploaded else ResourceKind.LINK,
        title=" ".join(title.split()),
        description=description.strip(),
        url=url.strip(),
        added_by=actor,
    )
    with transaction.atomic():
        resource.full_clean()
        resource.save()
        if uploaded:
            _store_version(resource, actor=actor, uploaded=uploaded)
            resource.save()
        resource.topics.set([t for t in topics if t.community_id == community.pk])
        screening.record(resource)
    return resource


def may_change(actor, resource: Resource) -> bool:
    """Whoever added a resource may replace its file; so may those who edit the library."""
    community = resource.community
    if can(actor, Capability.EDIT_ARTICLE, community=community):
        return True
    return resource.added_by_id == actor.pk and can(
        actor, Capability.UPLOAD_RESOURCE, community=community
    )


@once_per_key("library.upload_new_version")
def upload_new_version(*, actor, resource: Resource, uploaded, note: str = "") -> ResourceVersion:
    """Replace the file; earlier versions stay downloadable."""
    require(actor, Capability.UPLOAD_RESOURCE, community=resource.community)
    if not may_change(actor, resource):
        raise CapabilityDenied(
            "Only the person who added this resource or a full member can replace it."
        )
    if resource.kind != ResourceKind.FILE:
        raise ValidationError("A link has no file to replace.")
    with transaction.atomic():
        locked = Resource.objects.select_for_update(of=("self",)).get(pk=resource.pk)
        locked.community = resource.community
        version = _store_version(locked, actor=actor, uploaded=uploaded, note=note)
        locked.save()
    resource.current_version = version
    resource.updated_at = locked.updated_at or timezone.now()
    return version
