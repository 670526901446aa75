"""Member-written Markdown never skips a heading level and never has an empty header cell."""

import re

from practica.markdown import render_markdown


def levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])>", html)]


def test_a_lone_third_level_heading_is_shown_as_the_first_level_under_the_page_heading():
    assert levels(render_markdown("Intro.\n\n### Not every group is a community\n\nText.")) == [2]


def test_heading_levels_keep_their_order_without_gaps():
    source = "# Top\n\n### Skipped two\n\n###### Deep\n\n### Again\n\n# Top again"
    assert levels(render_markdown(source)) == [2, 3, 4, 3, 2]


def test_second_level_headings_stay_as_written():
    assert levels(render_markdown("## Our domain\n\n### Issues")) == [2, 3]


def test_the_empty_corner_of_a_two_way_table_is_a_plain_cell():
    html = render_markdown("| | Team | Committee |\n|---|---|---|\n| Lasts | a task | a remit |\n")
    assert "<th></th>" not in html and re.search(r"<thead>\s*<tr>\s*<td></td>", html)
    assert html.count("<th>") == 2
    assert 'aria-label="Table: Team, Committee"' in html
