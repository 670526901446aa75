"""The demo's last seeding step: index everything the other seeders wrote."""

from __future__ import annotations

import io

from django.core.management import call_command

from practica.search.models import SearchEntry


def seed() -> str:
    """Rebuild the search index (idempotent), so the demo is searchable without a worker."""
    call_command("reindex", stdout=io.StringIO(), stderr=io.StringIO())
    return f"{SearchEntry.objects.count()} search entries"
