"""A live Practica for fault tests: `practica serve --with-worker` in its own processes,
on the test's database, and members who post to it over HTTP like browsers do.

On PostgreSQL the processes use the test database itself (the test must be transactional,
so what it made is committed). On SQLite the test database lives in memory, so it is
copied with the online backup API into a file under a fresh PRACTICA_VAR_DIR, and the
processes use that file; `query` reads whichever database the processes write.
"""

from __future__ import annotations

import contextlib
import email
import html
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import Cookie, CookieJar
from pathlib import Path

from django.conf import settings
from django.db import connection

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_INPUT = re.compile(r'name="submission_key" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveInstance:
    def __init__(self, root: Path, **env):
        self.root = root
        self.var = root / "var"
        self.var.mkdir(parents=True)
        (self.var / "static").mkdir()
        self.mail = root / "mail"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: subprocess.Popen | None = None
        self.vendor = connection.vendor
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "practica.reliability.tests.live_settings",
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "DEBUG": "0",
            "PRACTICA_DEMO": "0",
            "PRACTICA_VAR_DIR": str(self.var),
            "MEDIA_ROOT": str(root / "media"),
            "EMAIL_BACKEND": "file",
            "EMAIL_FILE_PATH": str(self.mail),
            "ANONYMOUS_CACHE_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            # A busy machine (CI beside other suites) imports slowly: a gunicorn worker's
            # first request loads every URL module, so give it more than the default minute.
            "WEB_TIMEOUT": "300",
            **{k: str(v) for k, v in env.items()},
        }
        # The live processes keep sessions where the test wrote them (the database), so
        # a shared cache from the environment must not take them elsewhere.
        for name in ("DATABASE_URL", "REDIS_URL"):
            self.env.pop(name, None)
        if self.vendor == "sqlite":
            self.sqlite_file = self.var / "practica.sqlite3"
        else:
            db = connection.settings_dict
            password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
            self.env["DATABASE_URL"] = (
                f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            )

    def publish(self) -> None:
        """Make what the test wrote visible to the live processes (SQLite: copy it)."""
        if self.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(self.sqlite_file)
            try:
                connection.connection.backup(target, pages=-1)
                target.execute("PRAGMA journal_mode=WAL")
            finally:
                target.close()

    def query(self, sql: str, params=()) -> list[tuple]:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.sqlite_file, timeout=30) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def command(self, *args: str, **env) -> subprocess.CompletedProcess:
        bindir = os.path.dirname(sys.executable)
        return subprocess.run(  # noqa: S603
            [os.path.join(bindir, "practica"), *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    def serve(self, *, workers: int = 2, with_worker: bool = True, timeout: float = 300) -> None:
        bindir = os.path.dirname(sys.executable)
        command = [os.path.join(bindir, "practica"), "serve", "--port", str(self.port)]
        command += ["--workers", str(workers)]
        if with_worker:
            command.append("--with-worker")
        self.log = open(self.root / "server.log", "w")  # noqa: SIM115 - closed in stop()
        # Its own process group, so `stop` can end gunicorn and the worker with it.
        self.server = subprocess.Popen(  # noqa: S603
            command,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        seen = ""
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise AssertionError(f"the server exited: {self.server_log()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=20) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except urllib.error.HTTPError as error:
                seen = f"{error.code} {error.read()[:300]!r}"
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                seen = str(error)
            time.sleep(0.3)
        raise AssertionError(f"/healthz: {seen}; {self.server_log()[-3000:]}")

    def server_log(self) -> str:
        return (self.root / "server.log").read_text(errors="replace")

    def stop(self) -> None:
        """Stop `serve` as an operator would, then end whatever of its group is left (a
        gunicorn worker still booting, the task worker), so nothing outlives the test and
        writes to the database the next test uses."""
        if self.server is not None:
            if self.server.poll() is None:
                self.server.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.server.wait(60)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.server.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.server.wait(10)
        if getattr(self, "log", None):
            self.log.close()

    def worker_pids(self) -> list[int]:
        rows = self.query(
            "SELECT details FROM reliability_heartbeat WHERE name LIKE %s", ["worker:%"]
        )
        import json

        pids = []
        for (details,) in rows:
            data = details if isinstance(details, dict) else json.loads(details)
            if data.get("pid"):
                pids.append(int(data["pid"]))
        return pids

    def sent_messages(self) -> list[email.message.Message]:
        """Every message the file email backend wrote (one or more per file)."""
        messages = []
        if not self.mail.is_dir():
            return messages
        for path in sorted(self.mail.iterdir()):
            for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
                if chunk.strip():
                    messages.append(email.message_from_string(chunk.lstrip("\n")))
        return messages


class Member:
    """One signed-in member's browser: cookies, the CSRF token and the one-time keys."""

    def __init__(self, live: LiveInstance, session_key: str):
        self.live = live
        self.last_answer = ""
        self.jar = CookieJar()
        self.jar.set_cookie(_cookie(settings.SESSION_COOKIE_NAME, session_key))
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str, dict]:
        return self._open(urllib.request.Request(self.live.url + path))

    def post(self, path: str, data: dict) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(
            self.live.url + path,
            data=body,
            headers={
                "Referer": self.live.url + path,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        return self._open(request)

    def _open(self, request) -> tuple[int, str, dict]:
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.read().decode(errors="replace"), dict(answer.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), dict(error.headers)
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            return 0, str(error), {}

    def form_tokens(self, path: str) -> tuple[str, str] | None:
        """The CSRF token and a fresh submission key from the form on `path`."""
        status, page, _ = self.get(path)
        self.last_answer = f"{status} {page[:200]!r}"
        csrf, key = CSRF_INPUT.search(page), KEY_INPUT.search(page)
        if status != 200 or not csrf or not key:
            return None
        return html.unescape(csrf.group(1)), key.group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _cookie(name: str, value: str) -> Cookie:
    return Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False,
        None, None, {},
    )  # fmt: skip
