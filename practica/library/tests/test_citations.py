import pytest

from practica.library.citations import (
    CitationError,
    parse_bibtex,
    parse_citations,
    parse_ris,
    to_bibtex,
    to_ris,
    vancouver,
)
from practica.library.models import Reference

BIB = """@book{wenger2002,
  author = {Wenger, Etienne and McDermott, Richard and Snyder, William M.},
  title = {Cultivating Communities of Practice: A Guide to Managing Knowledge},
  publisher = {Harvard Business School Press},
  address = {Boston},
  year = 2002
}
@article{li2009,
  author = "Li, Linda C. and Grimshaw, Jeremy M.",
  title = {Use of communities of practice in business and health care sectors},
  journal = {Implementation Science},
  volume = {4}, number = {1}, pages = {27--35}, year = {2009},
  doi = {10.1186/1748-5908-4-27}
}
"""

RIS = """TY  - BOOK
AU  - Lave, Jean
AU  - Wenger, Etienne
TI  - Situated learning: legitimate peripheral participation
PB  - Cambridge University Press
CY  - Cambridge
PY  - 1991
ER  -
"""


def ref(fields):
    return Reference(**fields)


def test_bibtex_is_read_and_rendered_in_one_style():
    book, article = parse_bibtex(BIB)
    assert vancouver(ref(book)) == (
        "Wenger E, McDermott R, Snyder WM. Cultivating Communities of Practice: A Guide to "
        "Managing Knowledge. Boston: Harvard Business School Press; 2002."
    )
    assert vancouver(ref(article)) == (
        "Li LC, Grimshaw JM. Use of communities of practice in business and health care sectors. "
        "Implementation Science. 2009;4(1):27-35. doi:10.1186/1748-5908-4-27"
    )


def test_ris_is_read():
    (book,) = parse_ris(RIS)
    assert book["authors"] == ["Lave, Jean", "Wenger, Etienne"]
    assert vancouver(ref(book)).startswith("Lave J, Wenger E. Situated learning")


def test_broken_bibtex_names_the_line():
    with pytest.raises(CitationError) as caught:
        parse_bibtex("@article{x,\n  title = {Unclosed,\n  year = 2001\n}\n")
    assert caught.value.line == 2
    assert "Line 2" in str(caught.value)


def test_broken_ris_names_the_line():
    with pytest.raises(CitationError) as caught:
        parse_ris("TY  - JOUR\nTI  - Fine\nthis is not a tag\nER  - \n")
    assert caught.value.line == 3
    with pytest.raises(CitationError, match="never ends"):
        parse_ris("TY  - JOUR\nTI  - Fine\n")


def test_unknown_text_is_refused():
    with pytest.raises(CitationError, match="Line 1"):
        parse_citations("Wenger 1998, Communities of practice")


def test_export_round_trips_through_both_formats():
    refs = [ref(f) for f in parse_bibtex(BIB)]
    again = parse_bibtex(to_bibtex(refs))
    assert [r["title"] for r in again] == [r.title for r in refs]
    assert again[1]["pages"] == "27-35"
    from_ris = parse_ris(to_ris(refs))
    assert from_ris[0]["authors"] == refs[0].authors
    assert from_ris[1]["doi"] == "10.1186/1748-5908-4-27"


def test_bibtex_and_ris_pasted_together_are_all_read_in_order():
    titles = [r["title"] for r in parse_citations(BIB + "\n" + RIS)]
    assert titles == [
        "Cultivating Communities of Practice: A Guide to Managing Knowledge",
        "Use of communities of practice in business and health care sectors",
        "Situated learning: legitimate peripheral participation",
    ]
    mixed = parse_citations(RIS + "\n" + BIB + RIS.replace("Situated", "Again situated"))
    assert [r["title"][:5] for r in mixed] == ["Situa", "Culti", "Use o", "Again"]


def test_an_error_in_the_second_format_names_its_line_as_pasted():
    broken = BIB + RIS.replace("PY  - 1991", "not a tag")
    with pytest.raises(CitationError) as caught:
        parse_citations(broken)
    assert caught.value.line == broken.splitlines().index("not a tag") + 1


def test_text_after_the_last_bibtex_entry_is_reported_not_dropped():
    with pytest.raises(CitationError, match="text outside an entry") as caught:
        parse_citations(BIB + "Lave J, Wenger E. Situated learning. 1991.\n")
    assert caught.value.line == len(BIB.splitlines()) + 1
