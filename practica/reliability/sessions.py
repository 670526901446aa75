"""Sessions in the cache backed by the database (Django's cached_db), except that a save
cut off by the database says so.

Django turns any database error while saving an existing session into "the session was
deleted" (`UpdateError`), which the session middleware answers with 400 Bad Request. When
the error was the connection failing (PostgreSQL restarting, a backend terminated), it is
an outage: this store raises the database error itself, so the outage middleware runs the
request again on a fresh connection, or answers 503, as for any other query.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

from practica.reliability.outage import DATABASE_TROUBLE


def _database_trouble(error: BaseException) -> BaseException | None:
    seen = error
    while seen is not None:
        if isinstance(seen, DATABASE_TROUBLE):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class SessionStore(CachedDbStore):
    def save(self, must_create=False):
        try:
            return super().save(must_create=must_create)
        except UpdateError as error:
            trouble = _database_trouble(error)
            if trouble is None:
                raise
            raise trouble from error
