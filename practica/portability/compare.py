"""Two archives of the same community, compared apart from ids and export time.

`canonical` renumbers every kind's rows 1, 2, 3… in file order and rewrites every
reference, and every link to a community page by id, to those numbers; the community's
slug is replaced by a placeholder. Two archives whose canonical forms are equal hold the
same community.
"""

from __future__ import annotations

import re

from practica.portability.importing import ID_PATHS, LINK
from practica.portability.reading import Archive
from practica.portability.schema import KINDS, kind_for_model, written_fields, written_m2m


def canonical(archive: Archive) -> dict[str, list[dict]]:
    ordinals: dict[str, dict] = {
        name: {row["id"]: n for n, (_line, row) in enumerate(rows, start=1)}
        for name, rows in archive.rows.items()
    }
    slug = archive.rows["community"][0][1].get("slug")

    def link(match: re.Match) -> str:
        if match.group("slug") != slug:
            return match.group(0)
        if not match.group("path"):
            return "/c/<slug>/"
        kind = ID_PATHS[match.group("path")]
        number = ordinals.get(kind, {}).get(int(match.group("id")), "?")
        return f"/c/<slug>/{match.group('path')}/#{number}"

    def text(value):
        if isinstance(value, str):
            return LINK.sub(link, value) if "/c/" in value else value
        if isinstance(value, list):
            return [text(v) for v in value]
        if isinstance(value, dict):
            return {k: text(v) for k, v in value.items()}
        return value

    out: dict[str, list[dict]] = {}
    for kind in KINDS:
        rows = archive.rows.get(kind.name, [])
        if kind.name == "people":
            out[kind.name] = [
                {**row, "organisation": ordinals["organisations"].get(row.get("organisation"))}
                for _line, row in rows
            ]
            continue
        refs = {}
        if kind.name not in ("organisations",):
            for f in written_fields(kind):
                if f.is_relation and f.related_model._meta.label != "people.User":
                    target = kind_for_model(f.related_model)
                    refs[f.name] = target.name if target else None
            for m in written_m2m(kind):
                if m.related_model._meta.label != "people.User":
                    refs[m.name] = kind_for_model(m.related_model).name
        rewritten = []
        for _line, row in rows:
            new = {}
            for key, value in row.items():
                if key == "id":
                    new[key] = ordinals[kind.name][value]
                elif key in refs and refs[key]:
                    table = ordinals.get(refs[key], {})
                    new[key] = (
                        [table.get(v) for v in value]
                        if isinstance(value, list)
                        else table.get(value)
                        if value is not None
                        else None
                    )
                elif key in kind.file_fields:
                    new[key] = value.rsplit("/", 1)[-1] if value else value
                elif key == "slug" and kind.name == "community":
                    new[key] = "<slug>"
                else:
                    new[key] = text(value)
            rewritten.append(new)
        out[kind.name] = rewritten
    return out


def differences(first: Archive, second: Archive, *, limit: int = 10) -> list[str]:
    """What differs between two archives, apart from ids and export time (empty: the same)."""
    a, b = canonical(first), canonical(second)
    found = []
    for name in a.keys() | b.keys():
        rows_a, rows_b = a.get(name, []), b.get(name, [])
        if len(rows_a) != len(rows_b):
            found.append(f"{name}: {len(rows_a)} rows, then {len(rows_b)}")
            continue
        for n, (x, y) in enumerate(zip(rows_a, rows_b, strict=True), start=1):
            if x != y:
                keys = sorted(k for k in x.keys() | y.keys() if x.get(k) != y.get(k))
                found.append(
                    f"{name} row {n}: "
                    + ", ".join(f"{k}: {x.get(k)!r} ≠ {y.get(k)!r}" for k in keys)
                )
                break
        if len(found) >= limit:
            break
    return sorted(found)
