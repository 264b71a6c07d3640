"""The faust worker's watchdog. Faust starts its timers only once the worker holds its
partitions, and a worker can wedge before that for good: a group join cut short by a
broker loss may never complete, with the process alive and idle. The heartbeat timer
stamps the watchdog; a thread ends the process when the stamp grows older than the
deadline, so that its supervisor (make run, compose's restart policy, Kubernetes) starts
it afresh. Nothing is lost by that: every effect is recorded before it is attempted."""

import logging
import os
import threading
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Watchdog:
    deadline: float  # seconds without a beat (from the start, too) before the process ends
    last: float = field(default_factory=time.monotonic)

    def beat(self) -> None:
        self.last = time.monotonic()

    def stale(self) -> bool:
        return time.monotonic() - self.last > self.deadline

    def start(self) -> threading.Event:
        """Watch from a thread (the event loop may be what is stuck); set the event
        returned to stop watching."""
        stop = threading.Event()
        threading.Thread(target=self._watch, args=(stop,), name="watchdog", daemon=True).start()
        return stop

    def _watch(self, stop: threading.Event) -> None:
        while not stop.wait(min(self.deadline / 4, 10.0)):
            if self.stale():
                log.error("the worker made no progress; exiting to be restarted",
                          extra={"seconds": round(time.monotonic() - self.last)})  # fmt: skip
                os._exit(3)  # no clean-up: whatever is stuck would hold it up too
