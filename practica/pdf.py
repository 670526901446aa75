"""Every PDF Practica makes goes through `render_pdf_bytes`: one WeasyPrint call, one fetcher.

WeasyPrint asks its URL fetcher for every image and stylesheet a document names. Text
members write can name any address (a Markdown image), so the fetcher must never go to the
network: that would let a post make the server request internal addresses, or tell a remote
host who printed what. It serves one thing only, the images members uploaded to a library
(`…/library/resources/<id>/v<n>/download`), read straight from storage, and only when the
person the PDF is made for may read that community. Anything else is refused, and
WeasyPrint leaves the image out (its alt text stays in the document).

WeasyPrint is imported on the first PDF, not with the URLs that link to PDFs: it is the
largest import of the project (about 40 MB and a second of start-up in every web worker,
the task worker and each management command).
"""

from __future__ import annotations

from functools import cache
from urllib.parse import unquote, urlsplit

from django.urls import Resolver404, resolve

from practica.site import site_url

# The types WeasyPrint draws as images; other uploads (PDF, Office files) are never embedded.
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg"}


@cache
def fetcher_class():
    """`UploadsOnlyFetcher`, made on first use so WeasyPrint loads only when a PDF is made."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class UploadsOnlyFetcher(URLFetcher):
        """A WeasyPrint fetcher that serves our own uploaded images to `reader` and nothing else."""

        def __init__(self, reader=None):
            # fail_on_errors=False: a refused or missing image is left out, never a failed PDF.
            super().__init__(allowed_protocols=("http", "https"), allow_redirects=False)
            self.reader = reader

        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            version = self._uploaded_image(url)
            if version is None:
                raise ValueError(f"PDFs fetch nothing but uploaded images ({url[:80]!r} refused)")
            with version.file.open("rb") as handle:
                body = handle.read()
            return URLFetcherResponse(
                url, body, headers={"Content-Type": IMAGE_TYPES[version.file_type]}
            )

        def open(self, url, data=None, timeout=None):  # pragma: no cover - urllib's entry point
            raise ValueError("PDFs never open URLs through urllib.")

        def _uploaded_image(self, url: str):
            from practica.communities.capabilities import Capability, can
            from practica.library.models import ResourceVersion

            base = urlsplit(site_url())
            parts = urlsplit(url)
            if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or parts.query:
                return None
            try:
                match = resolve(unquote(parts.path))
            except Resolver404:
                return None
            if match.view_name != "library:resource-download":
                return None
            version = (
                ResourceVersion.objects.select_related("resource__community")
                .filter(
                    resource_id=match.kwargs["resource_id"],
                    number=match.kwargs["number"],
                    resource__community__slug=match.kwargs["community_slug"],
                    file_type__in=IMAGE_TYPES,
                )
                .first()
            )
            if version is None or not can(
                self.reader, Capability.READ, community=version.resource.community
            ):
                return None
            return version

    return UploadsOnlyFetcher


def render_pdf_bytes(html: str, *, reader=None) -> bytes:
    """The PDF of `html`, relative links resolved on the site's address, for `reader`.

    `reader` is the person the PDF is made for (`None` or an anonymous user for a visitor):
    uploaded images appear only from communities they may read.
    """
    from weasyprint import HTML

    return HTML(
        string=html, base_url=site_url() + "/", url_fetcher=fetcher_class()(reader)
    ).write_pdf()
