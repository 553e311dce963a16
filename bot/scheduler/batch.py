"""Group commit: callers submit one item each; a single task writes them in batches.

When thousands of reminders fall due at once, claiming and marking each in a transaction of
its own costs more than sending it. Callers ``await batcher.submit(item)``; one flusher task
takes everything submitted so far (at most ``max_batch``), runs ``flush`` on it in one
transaction and hands each caller its own result. What arrives during a flush goes into the
next one, so under load batches grow by themselves and an idle bot pays no delay at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

Flush = Callable[[list[Item]], Awaitable[Sequence[Result]]]


class Batcher(Generic[Item, Result]):
    def __init__(self, flush: Flush[Item, Result], *, max_batch: int = 500) -> None:
        self._flush = flush
        self._max_batch = max_batch
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Queue one item and wait for its result (the flush's exception, if it failed).

        A caller cancelled while waiting does not stop the batch: its item is still written.
        """
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name="batch-flush")
        return await future

    async def _run(self) -> None:
        while self._waiting:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
            try:
                results = await self._flush([item for item, _future in batch])
            except BaseException as error:
                for _item, future in batch:
                    if not future.done():
                        future.set_exception(error)
                if isinstance(error, asyncio.CancelledError):
                    for _item, future in self._waiting:
                        future.cancel()
                    self._waiting.clear()
                    raise
                continue
            for (_item, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def idle(self) -> None:
        """Wait until everything submitted so far is written."""
        while self._worker is not None and not self._worker.done():
            await asyncio.wait({self._worker})
