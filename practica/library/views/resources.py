"""Resources: the list, adding a file or link, a resource's page and safe downloads."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from practica.communities.capabilities import Capability, can_map, require
from practica.communities.lanyards import attach_lanyards
from practica.communities.models import Topic
from practica.communities.views.browse import community_for
from practica.forms import form_status
from practica.library.forms import TopicChoices
from practica.library.models import Resource, ResourceVersion
from practica.library.services import resources as resource_services
from practica.library.uploads import ALLOWED_LABEL, TYPES, max_upload_bytes
from practica.library.views.common import add_validation_errors
from practica.privacy.forms import GuardedFormMixin
from practica.reliability.idempotency import SubmissionKeyForm


class ResourceForm(GuardedFormMixin, SubmissionKeyForm):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(required=False, help_text="")
    url = forms.URLField(
        label="Or a link", required=False, max_length=500, assume_scheme="https",
        help_text="A web page, guideline or video elsewhere.",
    )  # fmt: skip

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"] = TopicChoices(community)
        self.fields[
            "file"
        ].help_text = f"{ALLOWED_LABEL}; up to {max_upload_bytes() // 1048576} MB."

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("url") and not self.errors:
            raise forms.ValidationError("Choose a file to upload or give a link.")
        if data.get("file") and data.get("url"):
            raise forms.ValidationError("Choose a file or a link, not both.")
        return data


class VersionForm(SubmissionKeyForm):
    file = forms.FileField(label="New version of the file")
    note = forms.CharField(label="What changed", max_length=300, required=False)


def resource_list(request, community_slug):
    community = community_for(request, community_slug)
    resources = (
        Resource.objects.filter(community=community)
        .select_related("current_version", "added_by")
        .prefetch_related("topics")
    )
    topic = None
    if request.GET.get("topic"):
        topic = Topic.objects.filter(community=community, slug=request.GET["topic"]).first()
        if topic:
            resources = resources.filter(topics=topic)
    resources = attach_lanyards(community, resources[:200], "added_by")
    return render(
        request,
        "library/resource_list.html",
        {
            "community": community,
            "resources": resources,
            "topic": topic,
            "topics": Topic.objects.filter(community=community),
            **can_map(request.user, community, [Capability.UPLOAD_RESOURCE]),
        },
    )


@login_required
def resource_new(request, community_slug):
    community = community_for(request, community_slug)
    require(request.user, Capability.UPLOAD_RESOURCE, community=community)
    form = ResourceForm(request.POST or None, request.FILES or None, community=community)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            resource = resource_services.add_resource(
                actor=request.user,
                community=community,
                title=data["title"],
                description=data["description"],
                topics=data["topics"],
                uploaded=data["file"],
                url=data["url"],
                submission_key=data["submission_key"],
                confirm_guard=form.guard_confirmed,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Resource added.")
            return redirect(resource)
    return render(
        request,
        "library/resource_new.html",
        {"community": community, "form": form},
        status=form_status(form),
    )


def _resource(request, community_slug, resource_id):
    community = community_for(request, community_slug)
    resource = get_object_or_404(
        Resource.objects.select_related("current_version", "added_by"),
        pk=resource_id,
        community=community,
    )
    resource.community = community
    return community, resource


def resource_detail(request, community_slug, resource_id):
    community, resource = _resource(request, community_slug, resource_id)
    versions = attach_lanyards(
        community, resource.versions.select_related("uploaded_by"), "uploaded_by"
    )
    attach_lanyards(community, [resource], "added_by")
    may_change = request.user.is_authenticated and resource_services.may_change(
        request.user, resource
    )
    return render(
        request,
        "library/resource_detail.html",
        {
            "community": community,
            "resource": resource,
            "versions": versions,
            "version_form": VersionForm(),
            "may_change": may_change,
            "file_types": TYPES,
        },
    )


@require_POST
@login_required
def resource_version_new(request, community_slug, resource_id):
    community, resource = _resource(request, community_slug, resource_id)
    form = VersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = resource_services.upload_new_version(
                actor=request.user,
                resource=resource,
                uploaded=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(
                request, f"Version {version.number} uploaded; earlier versions are kept."
            )
            return redirect(resource)
    versions = attach_lanyards(
        community, resource.versions.select_related("uploaded_by"), "uploaded_by"
    )
    attach_lanyards(community, [resource], "added_by")
    return render(
        request,
        "library/resource_detail.html",
        {"community": community, "resource": resource, "versions": versions,
         "version_form": form, "may_change": True, "file_types": TYPES},
        status=400,
    )  # fmt: skip


def resource_download(request, community_slug, resource_id, number):
    community, resource = _resource(request, community_slug, resource_id)
    version = get_object_or_404(ResourceVersion, resource=resource, number=number)
    return download_response(version)


def download_response(version: ResourceVersion) -> FileResponse:
    """A stored file as its download: the page and the API answer with this."""
    file_type = TYPES.get(version.file_type)
    if file_type is None:
        raise Http404("No such file.")
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, OSError) as missing:
        raise Http404("The file is missing from storage.") from missing
    response = FileResponse(handle, content_type=file_type.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not file_type.inline, filename=version.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
