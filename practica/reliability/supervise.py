"""Keep a child process running: `practica serve --with-worker` uses it for its worker."""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Sequence

log = logging.getLogger("practica.supervise")


class Supervised:
    """A child process that is started again whenever it exits, until `stop`.

    Restarts wait 1, 2, 4 … `max_delay` seconds when the child keeps dying young (it ran
    for less than `steady` seconds), so a child that cannot start does not spin.
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        name: str,
        steady: float = 30.0,
        max_delay: float = 30.0,
        env: dict | None = None,
    ):
        self.command = list(command)
        self.name = name
        self.steady = steady
        self.max_delay = max_delay
        self.env = env
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._quick_deaths = 0
        self._started_at = 0.0
        self._restart_at: float | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env)  # noqa: S603
        self._started_at = time.monotonic()
        self._restart_at = None

    def check(self) -> None:
        """Call often: notices an exit and restarts the child when its delay has passed."""
        if self.process is None:
            return
        code = self.process.poll()
        if code is None:
            return
        now = time.monotonic()
        if self._restart_at is None:
            lived = now - self._started_at
            self._quick_deaths = self._quick_deaths + 1 if lived < self.steady else 0
            delay = (
                min(self.max_delay, 2 ** max(self._quick_deaths - 1, 0))
                if self._quick_deaths
                else 0
            )
            self._restart_at = now + delay
            log.warning(
                "child exited, restarting",
                extra={
                    "child": self.name,
                    "code": code,
                    "lived_s": round(lived, 1),
                    "restart_in_s": delay,
                },
            )
        if now >= self._restart_at:
            self.restarts += 1
            self.start()

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
