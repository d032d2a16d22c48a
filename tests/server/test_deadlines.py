"""Body-read deadlines kept by one sweep (server/deadlines.py)."""

from __future__ import annotations

import asyncio

import pytest

from credmint.server.deadlines import ReadDeadlines


async def _read(deadlines: ReadDeadlines, seconds: float, wait: asyncio.Future[None] | float) -> str:
    """A read shaped like the body reader's: watch, await, tell its own cancellation apart."""
    loop = asyncio.get_running_loop()
    watch = deadlines.watch(loop.time() + seconds)
    try:
        if isinstance(wait, float):
            await asyncio.sleep(wait)
        else:
            await wait
        return "read"
    except asyncio.CancelledError:
        if not watch.fired:
            raise
        assert watch.task.uncancel() == 0
        return "timed out"
    finally:
        deadlines.done(watch)


def test_a_read_past_its_deadline_is_cut() -> None:
    async def main() -> tuple[str, int]:
        deadlines = ReadDeadlines(sweep_seconds=0.01)
        never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        result = await asyncio.wait_for(_read(deadlines, 0.05, never), 5)
        return result, deadlines.pending()

    assert asyncio.run(main()) == ("timed out", 0)


def test_a_read_within_its_deadline_is_left_alone_and_the_task_goes_on() -> None:
    async def main() -> tuple[str, int]:
        deadlines = ReadDeadlines(sweep_seconds=0.01)
        result = await _read(deadlines, 0.05, 0.0)
        # Long past the deadline, the task must not receive a late cancellation.
        await asyncio.sleep(0.1)
        return result, deadlines.pending()

    assert asyncio.run(main()) == ("read", 0)


def test_a_cancellation_that_is_not_the_deadline_propagates() -> None:
    async def main() -> None:
        deadlines = ReadDeadlines(sweep_seconds=0.01)
        never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(_read(deadlines, 60.0, never))
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert deadlines.pending() == 0

    asyncio.run(main())


def test_the_sweep_stops_when_nothing_is_watched_and_works_across_loops() -> None:
    deadlines = ReadDeadlines(sweep_seconds=0.01)
    for _ in range(2):  # a new loop each time, as in-process tests drive the app

        async def main() -> str:
            never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            return await _read(deadlines, 0.03, never)

        assert asyncio.run(main()) == "timed out"
    assert deadlines.pending() == 0
