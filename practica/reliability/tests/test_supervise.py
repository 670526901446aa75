"""`serve --with-worker` keeps its worker: a child that exits is started again."""

import sys
import time

from practica.reliability.supervise import Supervised


def test_a_child_that_exits_is_started_again_and_stopped_for_good(tmp_path):
    starts = tmp_path / "starts"
    # Each run notes itself and exits at once, as a worker killed by the OOM killer would.
    child = Supervised(
        [sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x')"],
        name="worker",
        steady=30,
        max_delay=0.3,
    )
    child.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and child.restarts < 3:
        child.check()
        time.sleep(0.05)
    assert child.restarts >= 3
    child.stop()
    time.sleep(0.2)
    assert starts.read_text().count("x") >= 3


def test_a_running_child_is_left_alone_and_stopped_with_sigterm():
    child = Supervised([sys.executable, "-c", "import time; time.sleep(60)"], name="worker")
    child.start()
    first = child.pid
    for _ in range(5):
        child.check()
        time.sleep(0.05)
    assert (child.pid, child.restarts) == (first, 0)
    child.stop(timeout=5)
    assert child.process.poll() is not None
