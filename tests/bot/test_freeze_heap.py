"""freeze_startup_heap: start-up objects leave the collector's sight (in a child process, so
the test run's own heap is left alone)."""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import gc
from bot.processor import freeze_startup_heap

before = gc.get_freeze_count()
frozen = freeze_startup_heap()
assert before == 0, before
assert frozen == gc.get_freeze_count() > 1000, frozen
assert len(gc.get_objects()) < frozen  # what the collector still walks is what came after
print(frozen)
"""


def test_freezing_moves_start_up_objects_out_of_collection() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 1000
