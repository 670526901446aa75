"""`practica evaluate-progression` and the text progress bar."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from practica.communities import progression_sources
from practica.communities.models import CriterionKind
from practica.communities.stages import Stage
from practica.progress import bar, progress
from practica.tests.factories import CommunityFactory, MembershipFactory


def test_the_bar_shows_count_and_percentage():
    assert bar(3, 10, width=10) == "[###-------] 3/10  30%"
    assert bar(0, 0, width=4) == "[####] 0"


def test_progress_yields_everything_and_reports_in_tenths_off_a_terminal():
    stream = io.StringIO()
    assert list(progress(range(20), label="Counting", stream=stream)) == list(range(20))
    lines = stream.getvalue().splitlines()
    assert lines[-1].startswith("Counting [") and lines[-1].endswith("20/20 100%")
    assert len(lines) == 10


def test_progress_redraws_in_place_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    list(progress(iter([1, 2, 3]), total=3, stream=stream))
    assert stream.getvalue().count("\r") == 4 and stream.getvalue().endswith("\n")


def test_the_sweep_promotes_everyone_who_is_due(db, monkeypatch):
    monkeypatch.setitem(progression_sources._SOURCES, CriterionKind.CONTRIBUTIONS, lambda m, c: 5)
    monkeypatch.setitem(progression_sources._SOURCES, CriterionKind.HELPFUL_MARKS, lambda m, c: 2)
    ward, other = CommunityFactory(), CommunityFactory()
    old = timezone.now() - timedelta(days=10)
    due = [MembershipFactory(community=ward, joined_at=old) for _ in range(3)]
    new = MembershipFactory(community=ward)
    elsewhere = MembershipFactory(community=other, joined_at=old)
    out, err = io.StringIO(), io.StringIO()
    call_command("evaluate-progression", "--", ward.slug, stdout=out, stderr=err)
    assert "Evaluated 4 members: 3 promoted" in out.getvalue()
    assert "4/4 100%" in err.getvalue()
    for membership in due + [new, elsewhere]:
        membership.refresh_from_db()
    assert [m.stage for m in due] == [Stage.PARTICIPANT] * 3
    assert new.stage == Stage.PERIPHERAL
    assert elsewhere.stage == Stage.PERIPHERAL
    call_command("evaluate-progression", stdout=out, stderr=err)
    elsewhere.refresh_from_db()
    assert elsewhere.stage == Stage.PARTICIPANT


def test_the_sweep_refuses_an_unknown_community(db):
    with pytest.raises(CommandError, match="No community"):
        call_command("evaluate-progression", "nowhere", stdout=io.StringIO(), stderr=io.StringIO())
