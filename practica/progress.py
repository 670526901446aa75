"""A small text progress bar for management commands.

    for item in progress(items, total=len(items), label="Evaluating", stream=self.stderr):
        ...

On a terminal the bar redraws in place; in a log (not a terminal) it writes a line at
every tenth of the way, so cron output stays short.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def bar(done: int, total: int, *, width: int = 30) -> str:
    """`[#########---------]  12/40  30%`"""
    if total <= 0:
        return f"[{'#' * width}] {done}"
    filled = min(width, width * done // total)
    percent = min(100, 100 * done // total)
    return f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total} {percent:3d}%"


def _is_terminal(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:
        return False


def _write(stream, text: str) -> None:
    # Django's OutputWrapper adds a newline unless told otherwise.
    try:
        stream.write(text, ending="")
    except TypeError:
        stream.write(text)
    stream.flush()


def progress(
    iterable: Iterable[T],
    *,
    total: int | None = None,
    label: str = "",
    stream=None,
    width: int = 30,
) -> Iterator[T]:
    """Yield from `iterable`, drawing a progress bar on `stream` (stderr by default)."""
    stream = stream if stream is not None else sys.stderr
    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except TypeError:
            total = 0
    terminal = _is_terminal(stream)
    prefix = f"{label} " if label else ""
    step = max(1, total // 10) if total else 0
    done = 0
    if terminal:
        _write(stream, f"\r{prefix}{bar(0, total, width=width)}")
    for item in iterable:
        yield item
        done += 1
        if terminal:
            _write(stream, f"\r{prefix}{bar(done, total, width=width)}")
        elif step and (done % step == 0) and done != total:
            _write(stream, f"{prefix}{bar(done, total, width=width)}\n")
    if terminal:
        _write(stream, "\n")
    else:
        _write(stream, f"{prefix}{bar(done, total or done, width=width)}\n")
