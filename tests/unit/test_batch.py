"""Group commit for reminder claims and «sent» marks: each caller gets its own result, many
callers at one moment share one flush, and a failed flush fails exactly its callers."""

from __future__ import annotations

import asyncio

import pytest

from bot.scheduler.batch import Batcher


class Recorder:
    """A flush that records its batches and waits for the test to let it finish."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()
        self.release.set()
        self.fail_on: int | None = None

    async def __call__(self, items: list[int]) -> list[str]:
        self.batches.append(list(items))
        await self.release.wait()
        if self.fail_on is not None and self.fail_on in items:
            raise RuntimeError(f"cannot write {self.fail_on}")
        return [f"done {item}" for item in items]


async def test_callers_at_the_same_moment_share_one_flush_and_get_their_own_results() -> None:
    flush = Recorder()
    batcher = Batcher(flush)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(5)))
    assert results == [f"done {n}" for n in range(5)]
    assert flush.batches == [[0, 1, 2, 3, 4]]


async def test_what_arrives_during_a_flush_goes_into_the_next_one() -> None:
    flush = Recorder()
    flush.release.clear()
    batcher = Batcher(flush)
    first = asyncio.ensure_future(batcher.submit(1))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert flush.batches == [[1]]  # writing, and not finished
    later = [asyncio.ensure_future(batcher.submit(n)) for n in (2, 3)]
    await asyncio.sleep(0)
    flush.release.set()
    assert await first == "done 1"
    assert [await task for task in later] == ["done 2", "done 3"]
    assert flush.batches == [[1], [2, 3]]


async def test_batches_have_a_maximum_size() -> None:
    flush = Recorder()
    batcher = Batcher(flush, max_batch=3)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(7)))
    assert results == [f"done {n}" for n in range(7)]
    assert flush.batches == [[0, 1, 2], [3, 4, 5], [6]]


async def test_a_failed_flush_fails_its_own_callers_only() -> None:
    flush = Recorder()
    flush.fail_on = 4
    batcher = Batcher(flush, max_batch=3)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(6)), return_exceptions=True)
    assert results[:3] == ["done 0", "done 1", "done 2"]
    assert all(isinstance(r, RuntimeError) for r in results[3:])
    assert await batcher.submit(9) == "done 9"  # the batcher goes on


async def test_a_cancelled_caller_does_not_stop_the_write() -> None:
    flush = Recorder()
    flush.release.clear()
    batcher = Batcher(flush)
    impatient = asyncio.ensure_future(batcher.submit(1))
    patient = asyncio.ensure_future(batcher.submit(2))
    await asyncio.sleep(0)
    impatient.cancel()
    with pytest.raises(asyncio.CancelledError):
        await impatient
    flush.release.set()
    assert await patient == "done 2"
    assert flush.batches == [[1, 2]]  # 1 was written all the same
    await batcher.idle()
