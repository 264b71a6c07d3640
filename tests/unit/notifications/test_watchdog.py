"""The faust worker's watchdog ends a process whose heartbeat stopped, and only that."""

import subprocess
import sys

PROGRAM = """
import threading, time
from notifications.watchdog import Watchdog
dog = Watchdog(deadline=0.3)
dog.start()
beats_until = time.monotonic() + {beating}
stuck = threading.Event()
while time.monotonic() < beats_until:
    dog.beat()
    stuck.wait(0.05)
stuck.wait({then})
"""


def run(beating: float, then: float) -> subprocess.CompletedProcess[bytes]:
    program = PROGRAM.format(beating=beating, then=then)
    return subprocess.run([sys.executable, "-c", program], timeout=30, capture_output=True)


def test_a_worker_whose_heartbeat_stops_exits_to_be_restarted():
    assert run(beating=0.5, then=20).returncode == 3  # well before the 20 s are over


def test_a_worker_that_beats_is_left_alone():
    assert run(beating=1.5, then=0).returncode == 0  # five deadlines long
