import pytest

from practica.communities.stages import Stage


@pytest.fixture
def learner(member_at):
    return member_at(Stage.PERIPHERAL)


@pytest.fixture
def participant(member_at):
    return member_at(Stage.PARTICIPANT)


@pytest.fixture
def full_member(member_at):
    return member_at(Stage.FULL)


@pytest.fixture
def steward(member_at):
    return member_at(Stage.STEWARD)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on-commit follow-ups (indexing, notifications, re-evaluation) as they happen."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
