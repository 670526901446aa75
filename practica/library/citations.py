"""References: one citation style (Vancouver-like), small BibTeX and RIS readers, and
RIS and BibTeX writers.

The readers are deliberately small: they take what reference managers export and name
the line of anything they can't read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from practica.library.models import Reference, ReferenceKind

MAX_AUTHORS_SHOWN = 6


class CitationError(ValueError):
    """Input that can't be read; `line` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(f"Line {line}: {message}")
        self.line = line
        self.message = message


# --- the style ------------------------------------------------------------------------------------


def _initials(given: str) -> str:
    return "".join(part[0].upper() for part in re.split(r"[\s.\-]+", given) if part)


def vancouver_author(name: str) -> str:
    """ "Snyder, William M." → "Snyder WM"; a name without a comma is an organisation."""
    if "," not in name:
        return name.strip()
    family, given = (p.strip() for p in name.split(",", 1))
    initials = _initials(given)
    return f"{family} {initials}" if initials else family


def _end(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def vancouver(ref: Reference) -> str:
    """The reference as one line of plain text in a Vancouver-like style."""
    parts: list[str] = []
    if ref.authors:
        names = [vancouver_author(a) for a in ref.authors[:MAX_AUTHORS_SHOWN]]
        if len(ref.authors) > MAX_AUTHORS_SHOWN:
            names.append("et al")
        parts.append(_end(", ".join(names)))
    title = ref.title + (" [Internet]" if ref.kind == ReferenceKind.WEB else "")
    parts.append(_end(title))
    year = str(ref.year or "")
    if ref.kind == ReferenceKind.ARTICLE:
        if ref.container:
            parts.append(_end(ref.container))
        where = year
        if ref.volume:
            where += f";{ref.volume}"
            if ref.issue:
                where += f"({ref.issue})"
        if ref.pages:
            where += f":{ref.pages}"
        if where:
            parts.append(_end(where))
    else:
        if ref.kind == ReferenceKind.CHAPTER and ref.container:
            parts.append(_end(f"In: {ref.container}"))
        publisher = ": ".join(p for p in (ref.place, ref.publisher) if p)
        imprint = "; ".join(p for p in (publisher, year) if p)
        if imprint:
            parts.append(_end(imprint))
        if ref.kind == ReferenceKind.CHAPTER and ref.pages:
            parts.append(_end(f"p. {ref.pages}"))
    if ref.doi:
        parts.append(f"doi:{ref.doi}")
    elif ref.url:
        parts.append(f"Available from: {ref.url}")
    return " ".join(parts)


# --- BibTeX ---------------------------------------------------------------------------------------

_BIB_KINDS = {
    "article": ReferenceKind.ARTICLE,
    "book": ReferenceKind.BOOK,
    "inbook": ReferenceKind.CHAPTER,
    "incollection": ReferenceKind.CHAPTER,
    "techreport": ReferenceKind.REPORT,
    "report": ReferenceKind.REPORT,
    "manual": ReferenceKind.REPORT,
    "phdthesis": ReferenceKind.REPORT,
    "mastersthesis": ReferenceKind.REPORT,
    "online": ReferenceKind.WEB,
    "electronic": ReferenceKind.WEB,
    "misc": ReferenceKind.WEB,
    "inproceedings": ReferenceKind.ARTICLE,
}
_ENTRY_START = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
_KEY = re.compile(r"\s*([^,\s{}()]*)\s*,")
_FIELD = re.compile(r"([A-Za-z][\w\-]*)\s*=\s*")
_SWALLOWED_FIELD = re.compile(r"\n\s*[A-Za-z][\w\-]*\s*=\s*[{\"\d]")
_BARE = re.compile(r"[\w\-.:/]+")
_LATEX = [("\\&", "&"), ("---", "—"), ("--", "–"), ("~", " "), ("\\%", "%"), ("\\_", "_")]


def _clean(value: str) -> str:
    for old, new in _LATEX:
        value = value.replace(old, new)
    return " ".join(value.replace("{", "").replace("}", "").split())


def _year(value: str) -> int | None:
    match = re.search(r"\b(1[5-9]\d\d|2\d\d\d)\b", value)
    return int(match.group(1)) if match else None


class _BibReader:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def line(self, pos: int | None = None) -> int:
        return self.text.count("\n", 0, self.pos if pos is None else pos) + 1

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def braced(self, start: int) -> str:
        """The text inside balanced braces opened at `start`; leaves pos after the close."""
        depth, i = 0, start
        while i < len(self.text):
            char = self.text[i]
            if char == "\\":
                i += 2
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    self.pos = i + 1
                    return self.text[start + 1 : i]
            i += 1
        raise CitationError(self.line(start), "this { is never closed.")

    def value(self, field: str) -> str:
        pieces = []
        while True:
            self.skip_space()
            if self.pos >= len(self.text):
                raise CitationError(self.line(), f"the value of “{field}” is missing.")
            char = self.text[self.pos]
            start = self.pos
            if char == "{":
                inside = self.braced(start)
                # A field name at the start of a line inside a value means this brace was
                # left open and swallowed the fields after it: name the line it opened on.
                if _SWALLOWED_FIELD.search(inside):
                    raise CitationError(
                        self.line(start),
                        f"the {{ that opens the value of “{field}” is never closed.",
                    )
                pieces.append(inside)
            elif char == '"':
                end = self.text.find('"', start + 1)
                if end == -1:
                    raise CitationError(
                        self.line(start), f"the quoted value of “{field}” is never closed."
                    )
                pieces.append(self.text[start + 1 : end])
                self.pos = end + 1
            else:
                match = _BARE.match(self.text, self.pos)
                if not match:
                    raise CitationError(
                        self.line(start),
                        f'expected a value for “{field}” in {{braces}} or "quotes".',
                    )
                pieces.append(match.group(0))
                self.pos = match.end()
            self.skip_space()
            if self.text.startswith("#", self.pos):
                self.pos += 1
                continue
            return "".join(pieces)

    def entries(self) -> Iterable[tuple[int, str, dict[str, str]]]:
        while True:
            at = self.text.find("@", self.pos)
            if at == -1:
                rest = self.text[self.pos :]
                stray = next(
                    (
                        line.strip()
                        for line in rest.splitlines()
                        if line.strip() and not line.strip().startswith("%")
                    ),
                    "",
                )
                if stray:
                    raise CitationError(
                        self.line(self.pos + rest.index(stray[0])),
                        "text outside an entry; each entry starts with @type{key,",
                    )
                return
            stray = self.text[self.pos : at].strip()
            if stray and not stray.startswith("%"):
                raise CitationError(
                    self.line(self.pos + self.text[self.pos : at].index(stray[0])),
                    "text outside an entry; each entry starts with @type{key,",
                )
            match = _ENTRY_START.match(self.text, at)
            if not match:
                raise CitationError(self.line(at), "expected an entry such as @article{key,")
            kind = match.group(1).lower()
            entry_line = self.line(at)
            if kind in ("comment", "preamble", "string"):
                self.braced(match.end() - 1)
                continue
            self.pos = match.end()
            key = _KEY.match(self.text, self.pos)
            if not key:
                raise CitationError(
                    entry_line, "expected the entry's key and a comma after @type{."
                )
            self.pos = key.end()
            fields: dict[str, str] = {}
            last_field: tuple[int, str] | None = None
            while True:
                self.skip_space()
                if self.pos >= len(self.text):
                    if last_field is None:
                        raise CitationError(entry_line, "this entry is never closed with }.")
                    raise CitationError(
                        last_field[0],
                        f"the entry from line {entry_line} is never closed: check the braces "
                        f"of “{last_field[1]}” here.",
                    )
                if self.text[self.pos] in "})":
                    self.pos += 1
                    break
                field = _FIELD.match(self.text, self.pos)
                if not field:
                    raise CitationError(self.line(), "expected a field such as title = {…}.")
                name = field.group(1).lower()
                last_field = (self.line(), name)
                self.pos = field.end()
                fields[name] = self.value(name)
                self.skip_space()
                if self.text.startswith(",", self.pos):
                    self.pos += 1
                elif self.pos < len(self.text) and self.text[self.pos] in "})":
                    continue
                elif self.pos >= len(self.text):
                    continue  # reported above as an entry never closed, naming this field
                else:
                    raise CitationError(self.line(), f"expected a comma or }} after “{name}”.")
            yield entry_line, kind, fields


def parse_bibtex(text: str) -> list[dict]:
    """Reference fields for each BibTeX entry in `text`; CitationError names a bad line."""
    return [reference for _line, reference in _bibtex_with_lines(text)]


def _bibtex_with_lines(text: str) -> list[tuple[int, dict]]:
    references = []
    for line, kind, fields in _BibReader(text).entries():
        title = _clean(fields.get("title", ""))
        if not title:
            raise CitationError(line, "this entry has no title.")
        kind_value = _BIB_KINDS.get(kind, ReferenceKind.REPORT)
        if kind_value == ReferenceKind.WEB and "url" not in fields:
            kind_value = ReferenceKind.REPORT
        authors = [
            _clean(a)
            for a in re.split(r"\s+and\s+", fields.get("author") or fields.get("editor", ""))
        ]
        container = (
            fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle", "")
        )
        references.append(
            (
                line,
                {
                    "kind": kind_value,
                    "authors": [a for a in authors if a],
                    "year": _year(fields.get("year", "") or fields.get("date", "")),
                    "title": title,
                    "container": _clean(container),
                    "publisher": _clean(
                        fields.get("publisher")
                        or fields.get("institution")
                        or fields.get("organization", "")
                    ),
                    "place": _clean(fields.get("address") or fields.get("location", "")),
                    "volume": _clean(fields.get("volume", "")),
                    "issue": _clean(fields.get("number", "")),
                    "pages": _clean(fields.get("pages", "")).replace("–", "-"),
                    "doi": _clean(fields.get("doi", "")),
                    "url": _clean(fields.get("url", "")),
                },
            )
        )
    if not references:
        raise CitationError(1, "no BibTeX entries found; each starts with @type{key,")
    return references


# --- RIS ------------------------------------------------------------------------------------------

_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_RIS_KINDS = {
    "JOUR": ReferenceKind.ARTICLE,
    "JFULL": ReferenceKind.ARTICLE,
    "MGZN": ReferenceKind.ARTICLE,
    "BOOK": ReferenceKind.BOOK,
    "EBOOK": ReferenceKind.BOOK,
    "CHAP": ReferenceKind.CHAPTER,
    "ECHAP": ReferenceKind.CHAPTER,
    "RPRT": ReferenceKind.REPORT,
    "GOVDOC": ReferenceKind.REPORT,
    "GEN": ReferenceKind.REPORT,
    "THES": ReferenceKind.REPORT,
    "ELEC": ReferenceKind.WEB,
    "WEB": ReferenceKind.WEB,
    "BLOG": ReferenceKind.WEB,
}


def parse_ris(text: str) -> list[dict]:
    """Reference fields for each RIS record in `text`; CitationError names a bad line."""
    return [reference for _line, reference in _ris_with_lines(text)]


def _ris_with_lines(text: str) -> list[tuple[int, dict]]:
    references: list[tuple[int, dict]] = []
    record: dict | None = None
    start = 0
    pages = ["", ""]
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        match = _RIS_LINE.match(line.lstrip("\ufeff"))
        if not match:
            raise CitationError(
                number, "expected a tag such as “TY  - JOUR” (two letters, two spaces, a dash)."
            )
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if record is not None:
                raise CitationError(
                    number,
                    f"a new record starts before the one on line {start} ended with “ER  -”.",
                )
            record = {"kind": _RIS_KINDS.get(value, ReferenceKind.REPORT), "authors": [], "title": "", "container": "",
                      "publisher": "", "place": "", "volume": "", "issue": "", "pages": "", "doi": "", "url": "", "year": None}  # fmt: skip
            start, pages = number, ["", ""]
            continue
        if record is None:
            raise CitationError(number, "a record must start with “TY  - ”.")
        if tag == "ER":
            if not record["title"]:
                raise CitationError(start, "the record starting here has no title (TI).")
            record["pages"] = "-".join(p for p in pages if p)
            references.append((start, record))
            record = None
        elif tag in ("AU", "A1"):
            record["authors"].append(value)
        elif tag in ("TI", "T1") or (
            tag == "BT" and record["kind"] == ReferenceKind.BOOK and not record["title"]
        ):
            record["title"] = value
        elif tag in ("T2", "JO", "JF", "JA", "BT") and not record["container"]:
            record["container"] = value
        elif tag in ("PY", "Y1", "DA") and record["year"] is None:
            record["year"] = _year(value)
        elif tag in ("PB",):
            record["publisher"] = value
        elif tag == "CY":
            record["place"] = value
        elif tag == "VL":
            record["volume"] = value
        elif tag == "IS":
            record["issue"] = value
        elif tag == "SP":
            pages[0] = value
        elif tag == "EP":
            pages[1] = value
        elif tag == "DO":
            record["doi"] = value
        elif tag == "UR" and not record["url"]:
            record["url"] = value
    if record is not None:
        raise CitationError(start, "the record starting here never ends with “ER  -”.")
    if not references:
        raise CitationError(
            1, "no RIS records found; each starts with “TY  - ” and ends with “ER  -”."
        )
    return references


_RIS_START = re.compile(r"^\ufeff?\s*TY  -")
_RIS_END = re.compile(r"^\s*ER  -")


def _split_formats(text: str) -> tuple[str, str]:
    """The BibTeX and the RIS parts of pasted text, each keeping its line numbers.

    A RIS record runs from its “TY  - ” line to its “ER  -” line; everything else is
    read as BibTeX. Lines belonging to the other format are left blank, so errors in
    either part name the line as pasted.
    """
    bib, ris = [], []
    in_record = False
    for line in text.splitlines():
        if not in_record and _RIS_START.match(line):
            in_record = True
        if in_record:
            ris.append(line)
            bib.append("")
            if _RIS_END.match(line):
                in_record = False
        else:
            bib.append(line)
            ris.append("")
    return "\n".join(bib), "\n".join(ris)


def parse_citations(text: str) -> list[dict]:
    """BibTeX entries and RIS records, in any mix, in the order they were pasted."""
    bib_text, ris_text = _split_formats(text)
    has_bib = any(
        line.strip() and not line.strip().startswith("%") for line in bib_text.splitlines()
    )
    has_ris = bool(ris_text.strip())
    if not has_bib and not has_ris:
        raise CitationError(
            1, "paste BibTeX (starting with @article{…) or RIS (starting with “TY  - ”)."
        )
    first_bib = next((line.strip() for line in bib_text.splitlines() if line.strip()), "")
    if has_bib and not has_ris and not first_bib.startswith(("@", "%")):
        raise CitationError(
            1, "paste BibTeX (starting with @article{…) or RIS (starting with “TY  - ”)."
        )
    found: list[tuple[int, dict]] = []
    if has_bib:
        found += _bibtex_with_lines(bib_text)
    if has_ris:
        found += _ris_with_lines(ris_text)
    found.sort(key=lambda item: item[0])
    return [reference for _line, reference in found]


# --- writing --------------------------------------------------------------------------------------

_RIS_TYPE = {
    ReferenceKind.ARTICLE: "JOUR",
    ReferenceKind.BOOK: "BOOK",
    ReferenceKind.CHAPTER: "CHAP",
    ReferenceKind.REPORT: "RPRT",
    ReferenceKind.WEB: "ELEC",
}
_BIB_TYPE = {
    ReferenceKind.ARTICLE: "article",
    ReferenceKind.BOOK: "book",
    ReferenceKind.CHAPTER: "incollection",
    ReferenceKind.REPORT: "techreport",
    ReferenceKind.WEB: "misc",
}


def to_ris(references: Iterable[Reference]) -> str:
    lines: list[str] = []
    for ref in references:
        lines.append(f"TY  - {_RIS_TYPE.get(ref.kind, 'GEN')}")
        lines += [f"AU  - {a}" for a in ref.authors]
        pairs = [("TI", ref.title), ("T2", ref.container), ("PY", ref.year or ""),
                 ("PB", ref.publisher), ("CY", ref.place), ("VL", ref.volume), ("IS", ref.issue)]  # fmt: skip
        if ref.pages:
            first, _, last = ref.pages.partition("-")
            pairs += [("SP", first), ("EP", last)]
        pairs += [("DO", ref.doi), ("UR", ref.url)]
        lines += [f"{tag}  - {value}" for tag, value in pairs if value]
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines)


def _bib_escape(value: str) -> str:
    return value.replace("\\", "").replace("{", "").replace("}", "").replace("&", "\\&")


def bibtex_key(ref: Reference, taken: set[str]) -> str:
    family = (ref.authors[0].split(",")[0] if ref.authors else ref.title.split(" ")[0]) or "ref"
    base = re.sub(r"[^A-Za-z0-9]", "", family).lower() + str(ref.year or "")
    key, n = base or "ref", 0
    while key in taken:
        n += 1
        key = f"{base}{chr(ord('a') + n - 1)}" if n <= 26 else f"{base}-{n}"
    taken.add(key)
    return key


def to_bibtex(references: Iterable[Reference]) -> str:
    taken: set[str] = set()
    entries = []
    for ref in references:
        container_field = "journal" if ref.kind == ReferenceKind.ARTICLE else "booktitle"
        publisher_field = "institution" if ref.kind == ReferenceKind.REPORT else "publisher"
        fields = [
            ("author", " and ".join(ref.authors)),
            ("title", ref.title),
            (container_field, ref.container),
            ("year", str(ref.year or "")),
            (publisher_field, ref.publisher),
            ("address", ref.place),
            ("volume", ref.volume),
            ("number", ref.issue),
            ("pages", ref.pages.replace("-", "--")),
            ("doi", ref.doi),
            ("url", ref.url),
        ]
        body = ",\n".join(f"  {name} = {{{_bib_escape(value)}}}" for name, value in fields if value)
        entries.append(
            f"@{_BIB_TYPE.get(ref.kind, 'misc')}{{{bibtex_key(ref, taken)},\n{body}\n}}\n"
        )
    return "\n".join(entries)
