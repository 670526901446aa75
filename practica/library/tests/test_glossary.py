import pytest

from practica.library.glossary import link_glossary_terms
from practica.library.tests.factories import GlossaryTermFactory
from practica.markdown import render_markdown

pytestmark = pytest.mark.django_db


@pytest.fixture
def glossary(community):
    GlossaryTermFactory(
        community=community,
        term="handover",
        slug="handover",
        definition="Passing responsibility for a patient to another clinician.",
        synonyms=["handoff"],
    )
    GlossaryTermFactory(
        community=community,
        term="ISBAR",
        slug="isbar",
        definition="Identify, Situation, Background, Assessment, Recommendation.",
    )
    return community


def test_first_mention_in_a_section_is_linked_once(glossary):
    html = render_markdown("A good handover matters. Every handover uses ISBAR.")
    linked = link_glossary_terms(html, glossary)
    assert linked.count('class="glossary-term"') == 2
    assert f'href="/c/{glossary.slug}/glossary/#term-handover"' in linked
    assert 'title="Passing responsibility for a patient to another clinician."' in linked
    assert "Every handover uses" in linked


def test_each_section_links_the_term_again(glossary):
    html = render_markdown("handover here\n\n## Next\n\nhandover again")
    assert link_glossary_terms(html, glossary).count("#term-handover") == 2


def test_synonyms_and_plurals_link_to_the_term(glossary):
    linked = link_glossary_terms(render_markdown("Two handoffs a day."), glossary)
    assert '<a class="glossary-term" href="/c/' in linked
    assert ">handoffs</a>" in linked


def test_code_headings_and_links_are_left_alone(glossary):
    source = "# Handover\n\n`handover` and\n\n```\nhandover\n```\n\n[the handover page](https://example.org/)"
    linked = link_glossary_terms(render_markdown(source), glossary)
    assert "glossary-term" not in linked


def test_a_term_inside_a_url_is_not_linked(glossary):
    source = "See https://example.org/handover-guide and [guide](https://example.org/isbar)."
    linked = link_glossary_terms(render_markdown(source), glossary)
    assert "glossary-term" not in linked
    assert "https://example.org/handover-guide" in linked
    assert 'href="https://example.org/isbar"' in linked


def test_linking_keeps_the_html_sanitised_and_escaped(glossary):
    source = "Use **ISBAR** &lt;script&gt; for handover <script>alert(1)</script>"
    linked = link_glossary_terms(render_markdown(source), glossary)
    assert "<script>" not in linked
    assert "<strong><a" in linked


def test_a_javascript_link_never_survives(glossary):
    linked = link_glossary_terms(render_markdown("[handover](javascript:alert(1))"), glossary)
    assert 'href="javascript' not in linked
    assert linked.count("<a ") == 1  # only the glossary link; the bad link stays text


def test_an_empty_glossary_changes_nothing(community):
    html = render_markdown("handover")
    assert link_glossary_terms(html, community) == html
