"""The bulk renderer gives the HTML of the page renderer, and stored HTML gives the same words."""

from hypothesis import given, settings
from hypothesis import strategies as st

from practica.markdown import html_to_text, markdown_to_text, render_markdown, render_markdown_fast

WORDS = st.sampled_from(
    [
        "the",
        "ward",
        "nurse",
        "NEWS2",
        "<5",
        "mmol/L",
        "a&b",
        "50%",
        "café",
        "patient's",
        '"quoted"',
        "x_y",
        "3.5",
        ">90",
        "(see)",
        "@nina",
        "e.g.",
        "snake_case",
        "<b>bold</b>",
        "&amp;",
        "&copy;",
        "https://example.org/x",
    ]
)


@st.composite
def inline(draw):
    parts = []
    for word in draw(st.lists(WORDS, min_size=1, max_size=12)):
        form = draw(st.sampled_from(["{}", "**{}**", "*{}*", "_{}_", "`{}`", "~~{}~~", "{}"]))
        if draw(st.integers(0, 9)) == 0:
            form = "[{}](https://example.org/page)"
        elif draw(st.integers(0, 19)) == 0:
            form = "![{}](/media/figure.png)"
        parts.append(form.format(word))
    return " ".join(parts)


@st.composite
def markdown(draw):
    blocks = []
    for kind in draw(st.lists(st.integers(0, 9), min_size=1, max_size=6)):
        text = draw(inline())
        blocks.append(
            [
                text,
                f"{text}\n{draw(inline())}",
                f"- {text}\n- {draw(inline())}\n  - {draw(inline())}",
                f"1. {text}\n2. {draw(inline())}",
                f"> {text}\n> {draw(inline())}",
                f"## {text}",
                f"```\n{text}\n```",
                f"| Score | Action |\n|---|:-:|\n| {text} | {draw(inline())} |",
                "---",
                f"{text}  \n{draw(inline())}",
            ][kind]
        )
    return "\n\n".join(blocks)


@settings(max_examples=100, deadline=None)
@given(markdown())
def test_the_bulk_renderer_writes_the_html_of_the_page_renderer(source):
    assert render_markdown_fast(source) == render_markdown(source)


@settings(max_examples=100, deadline=None)
@given(markdown())
def test_the_words_of_stored_html_are_the_words_of_the_markdown(source):
    assert html_to_text(render_markdown(source)) == markdown_to_text(source)


def test_deep_nesting_goes_to_the_renderer_that_stops_at_its_limit():
    source = ">" * 60_000 + " deep"
    assert render_markdown_fast(source) == render_markdown(source)
    assert render_markdown_fast(source).count("<blockquote>") == 20


def test_what_makes_the_bulk_renderer_panic_is_rendered_like_any_page():
    for source in ["[`", "see [the `config", '&amp;[+"`:2)&amp;']:
        assert render_markdown_fast(source) == render_markdown(source)


def test_raw_html_is_text_in_both_renderers():
    source = "<script>alert(1)</script> and <b>bold</b>\n\n<div>\nblock\n</div>"
    html = render_markdown_fast(source)
    assert html == render_markdown(source)
    assert "<script" not in html and "&lt;b&gt;" in html


def test_text_keeps_an_images_alt_and_puts_each_block_on_its_own_line():
    html = render_markdown(
        "# Falls\n\nSee ![the bed alarm](/media/a.png) *here*.\n\n| A | B |\n|---|---|\n| x | y |"
    )
    assert html_to_text(html).splitlines() == ["Falls", "See the bed alarm here.", "A B", "x y"]
