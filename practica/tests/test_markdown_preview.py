"""Every Markdown composer has a Preview button, rendered by the sanitised pipeline."""

import re

import pytest
from django.urls import reverse

from practica.communities.stages import Stage
from practica.conversations.models import Thread

pytestmark = pytest.mark.django_db

BUTTON = re.compile(r'<button[^>]*name="preview_field" value="([a-z_]+)"[^>]*>Preview</button>')


def test_the_preview_renders_sanitised_markdown_and_saves_nothing(client, community, member_at):
    client.force_login(member_at(Stage.PERIPHERAL))
    posted = {
        "title": "Heel offloading boots",
        "body": "**Outcomes** and a [link](/c/) <script>alert(1)</script>",
        "preview_field": "body",
    }
    response = client.post(reverse("markdown-preview"), posted)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Outcomes</strong>" in html and '<a href="/c/"' in html
    assert "<script>alert(1)</script>" not in html
    assert "Nothing has been saved" in html
    assert not Thread.objects.exists()
    fragment = client.post(reverse("markdown-preview"), posted, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "<strong>Outcomes</strong>" in text and "<html" not in text
    assert "HX-Request" in fragment["Vary"]


def test_the_preview_is_for_signed_in_members_and_names_a_field(client, member_at):
    response = client.post(reverse("markdown-preview"), {"body": "x", "preview_field": "body"})
    assert response.status_code == 302
    client.force_login(member_at(Stage.PERIPHERAL))
    secret = {"csrfmiddlewaretoken": "s3cr3t-v4lue", "preview_field": "csrfmiddlewaretoken"}
    assert "s3cr3t-v4lue" not in client.post(reverse("markdown-preview"), secret).content.decode()


@pytest.mark.parametrize(
    ("url_name", "field"),
    [
        ("conversations:ask", "body"),
        ("events:create", "description"),
        ("library:article-new", "body"),
        ("evidence:summary-new", "key_findings"),
    ],
)
def test_composers_offer_a_preview_that_works_without_javascript(
    client, community, member_at, url_name, field
):
    client.force_login(member_at(Stage.STEWARD))
    page = client.get(reverse(url_name, args=[community.slug])).content.decode()
    fields = BUTTON.findall(page)
    assert field in fields
    button = next(b for b in re.findall(r"<button[^>]*>Preview</button>", page) if field in b)
    assert 'formaction="/preview/"' in button and 'formtarget="_blank"' in button
    assert 'hx-post="/preview/"' in button
