"""Deadlines for request-body reads, kept by one sweep instead of a timer per read.

Every request with a body reads it under a deadline (``server/app.py``: a client that
trickles its body is cut). ``asyncio.timeout`` would do, but it builds a timer handle,
pushes it on the loop's heap and cancels it for every read, although nearly every body
has already arrived when the application asks for it: that bookkeeping was the largest
single cost of a small signed request after the signature check itself (measured with
py-spy through the ASGI app: ~14% of a GetCallerIdentity).

Here a read registers its task and deadline in a dict (an insertion and a deletion), and
one callback per event loop, armed only while reads are registered, wakes every
:data:`SWEEP_SECONDS`, and cancels the task of every read past its deadline. The read
tells that cancellation from any other by its entry's ``fired`` flag (and takes it back
with ``Task.uncancel``, as ``asyncio.timeout`` does).

Why this is safe: a cancellation is delivered at the task's next ``await``. The sweep can
only run while the reading task is suspended, and the reader removes its entry with no
``await`` between its last read and the removal, so the cancellation always lands inside
the read (never later, at an unrelated ``await`` of the request). A deadline is kept to
within one sweep interval, which is small against the deadlines themselves (seconds).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

#: How often registered reads are checked against their deadlines.
SWEEP_SECONDS = 0.25


@dataclass(slots=True)
class Watch:
    """One read under a deadline (loop time, seconds)."""

    task: asyncio.Task[object]
    deadline: float
    #: Set by the sweep when it cancelled the task for this deadline.
    fired: bool = False


@dataclass
class _LoopWatches:
    loop: asyncio.AbstractEventLoop
    reads: dict[int, Watch] = field(default_factory=dict)
    armed: bool = False


class ReadDeadlines:
    """The reads of one application under deadlines, swept per event loop."""

    def __init__(self, sweep_seconds: float = SWEEP_SECONDS) -> None:
        self._sweep_seconds = sweep_seconds
        # Usually one loop per process; tests drive an app from several loops in turn.
        self._loops: dict[asyncio.AbstractEventLoop, _LoopWatches] = {}

    def watch(self, deadline: float) -> Watch:
        """Put the current task's read under ``deadline`` (the running loop's time)."""
        task = asyncio.current_task()
        assert task is not None, "a read runs in a task"
        loop = task.get_loop()
        watches = self._loops.get(loop)
        if watches is None:
            # Loops that are gone are forgotten here: the app outlives them in tests.
            for old in [lp for lp in self._loops if lp.is_closed()]:
                del self._loops[old]
            watches = self._loops[loop] = _LoopWatches(loop)
        w = Watch(task, deadline)
        watches.reads[id(w)] = w
        if not watches.armed:
            watches.armed = True
            loop.call_later(self._sweep_seconds, self._sweep, watches)
        return w

    def done(self, w: Watch) -> None:
        """The read is over (successfully or not): its deadline no longer applies."""
        watches = self._loops.get(w.task.get_loop())
        if watches is not None:
            watches.reads.pop(id(w), None)

    def _sweep(self, watches: _LoopWatches) -> None:
        now = watches.loop.time()
        for w in list(watches.reads.values()):
            if not w.fired and now >= w.deadline:
                w.fired = True
                del watches.reads[id(w)]
                w.task.cancel()
        if watches.reads:
            watches.loop.call_later(self._sweep_seconds, self._sweep, watches)
        else:
            watches.armed = False

    def pending(self) -> int:
        """Reads under a deadline now (for tests)."""
        return sum(len(w.reads) for w in self._loops.values())
