"""A progress callback for the commands: `practica.progress.bar` redrawn in place on a
terminal, a line every tenth of the way in a log."""

from __future__ import annotations

from practica.progress import _is_terminal, _write, bar


class ProgressBar:
    def __init__(self, stream, label: str):
        self.stream = stream
        self.label = label
        self.terminal = _is_terminal(stream)
        self.last_tenth = -1
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if self.terminal:
            _write(self.stream, f"\r{self.label} {bar(done, total)}")
            self.drawn = True
            return
        tenth = 10 * done // total if total else 10
        if tenth != self.last_tenth:
            self.last_tenth = tenth
            _write(self.stream, f"{self.label} {bar(done, total)}\n")

    def close(self) -> None:
        if self.drawn:
            _write(self.stream, "\n")
            self.drawn = False
