"""Images in PDFs: our own uploads appear, remote images are never fetched (practica.pdf)."""

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from practica.bulletin.rendering import render_article
from practica.bulletin.tests.factories import ArticleFactory, BulletinFactory, IssueFactory
from practica.communities.models import Visibility
from practica.communities.stages import Stage
from practica.evidence.tests.test_views import adopted_proposal
from practica.learning.services import authoring
from practica.learning.tests.factories import make_module
from practica.library.services.resources import add_resource
from practica.pdf import render_pdf_bytes
from practica.tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def uploaded_image(community, uploader) -> str:
    resource = add_resource(
        actor=uploader,
        community=community,
        title="Falls audit chart",
        uploaded=SimpleUploadedFile("falls-chart.png", png_bytes()),
    )
    return f"/c/{community.slug}/library/resources/{resource.pk}/v1/download"


def images_in(pdf: bytes) -> int:
    assert pdf.startswith(b"%PDF")
    return pdf.count(b"/Subtype /Image")


@pytest.fixture
def remote_server():
    """A real HTTP server standing in for a remote host: it records every request."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(png_bytes())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", asked
    server.shutdown()


def test_a_bulletin_article_with_images_makes_its_pdf_and_the_issues_pdf(
    client, community, member_at, remote_server
):
    remote, asked = remote_server
    chart = uploaded_image(community, member_at(Stage.PARTICIPANT))
    body = (
        f"Falls fell after the new checklist.\n\n![Falls audit chart]({chart})\n\n"
        f"![Tracking pixel]({remote}/pixel.png)"
    )
    issue = IssueFactory(
        bulletin=BulletinFactory(slug="ward-news"), year=2026, month=3, published=True
    )
    ArticleFactory(issue=issue, slug="falls", body=body, body_html=str(render_article(body)))

    for url in ["/bulletin/ward-news/2026/03/falls.pdf", "/bulletin/ward-news/2026/03.pdf"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert images_in(response.content) == 1, url
    assert asked == []


def test_an_uploaded_image_of_a_community_the_reader_may_not_read_is_left_out():
    private = CommunityFactory(visibility=Visibility.PRIVATE)
    member = MembershipFactory(community=private, stage=Stage.PARTICIPANT).user
    html = f'<p>Chart <img src="{uploaded_image(private, member)}" alt="chart"></p>'
    assert images_in(render_pdf_bytes(html, reader=member)) == 1
    assert images_in(render_pdf_bytes(html, reader=None)) == 0


def test_a_module_pdf_shows_uploaded_images_and_fetches_no_remote_ones(
    client, community, member_at, remote_server
):
    remote, asked = remote_server
    author = member_at(Stage.FULL)
    module = make_module(community=community, author=author, sections=1, publish=False)
    chart = uploaded_image(community, author)
    authoring.save_part(
        actor=author,
        module=module,
        kind="section",
        title="Reading the chart",
        body=f"![Falls audit chart]({chart})\n\n![Remote]({remote}/x.png)",
    )
    authoring.publish_module(actor=author, module=module)
    client.force_login(member_at(Stage.PERIPHERAL))
    response = client.get(f"/learning/{module.slug}.pdf")
    assert response.status_code == 200
    assert images_in(response.content) == 1
    assert asked == []


def test_a_policy_brief_with_an_image_in_its_proposal_is_a_pdf(client, community, member_at):
    steward = member_at(Stage.STEWARD)
    proposal = adopted_proposal(community, steward, summaries=1)
    chart = uploaded_image(community, steward)
    proposal.change_html = f'<p>See the chart: <img src="{chart}" alt="chart"></p>'
    proposal.save(update_fields=["change_html"])
    response = client.get(
        reverse(
            "evidence:proposal-pdf",
            kwargs={"community_slug": community.slug, "proposal_id": proposal.pk},
        )
    )
    assert response.status_code == 200
    assert images_in(response.content) == 1
