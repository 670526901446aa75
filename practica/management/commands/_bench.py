"""wrk helpers shared by the bench commands (not a command: the name starts with _)."""

from __future__ import annotations

import re
import subprocess
import time
import urllib.request

from django.core.management.base import CommandError

LATENCY_LINE = re.compile(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, *, seconds: int, connections: int, header: str = "") -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if header:
        command[1:1] = ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    latency = {p: float(v) * UNIT_MS[u] for p, v, u in LATENCY_LINE.findall(output)}
    return {"rps": rps, "p50": latency.get("50"), "p99": latency.get("99"),
            "errors": int(errors.group(1)) if errors else 0}  # fmt: skip


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    raise CommandError("The server did not start within 30 seconds.")
