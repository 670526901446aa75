"""Tables members write scroll sideways in a box that the keyboard reaches and that has a name."""

from practica.markdown import render_markdown, sanitise, wrap_tables

TABLE = "| NEWS2 | Frequency of observations |\n|---|---|\n| 0 | At least 12-hourly |\n"


def test_a_markdown_table_is_wrapped_in_a_focusable_named_scroll_box():
    html = render_markdown(TABLE)
    assert html.startswith(
        '<div class="table-scroll" role="region" tabindex="0" '
        'aria-label="Table: NEWS2, Frequency of observations"><table>'
    )
    assert html.rstrip().endswith("</table></div>")


def test_wrapping_survives_a_second_sanitise_without_nesting():
    html = render_markdown(TABLE)
    assert wrap_tables(sanitise(html)) == html
    assert wrap_tables(html) == html


def test_header_text_in_the_label_is_escaped_and_raw_html_is_never_a_table():
    html = render_markdown('| a "quoted" <b> |\n|---|\n| 1 |\n\n<table><tr><td>x</td></tr></table>')
    assert 'aria-label="Table: a &quot;quoted&quot; &lt;b&gt;"' in html
    assert html.count("<table>") == 1
