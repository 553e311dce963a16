"""Conversation state in Redis, read and written as a whole (one round trip each way).

aiogram's :class:`RedisStorage` keeps the state and the data under two keys and reads or
writes each with its own command. :class:`bot.fsm_buffer.TransactionalStorage` asks for both
at once: here that is one ``MGET``, and one ``MULTI``/``EXEC`` pipeline that writes (or
deletes) both keys together, so a replica dying between the two cannot leave a state with
the wrong data.
"""

from __future__ import annotations

from typing import Any, cast

from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage


class RedisRecordStorage(RedisStorage):
    writes_in_transaction = False  # Redis is outside the database: written after the commit

    def _keys(self, key: StorageKey) -> tuple[str, str]:
        return self.key_builder.build(key, "state"), self.key_builder.build(key, "data")

    async def load(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        state, data = await self.redis.mget(self._keys(key))
        if isinstance(state, bytes):
            state = state.decode("utf-8")
        if data is None:
            return state, {}
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        return state, cast(dict[str, Any], self.json_loads(data))

    async def store(self, key: StorageKey, state: str | None, data: dict[str, Any]) -> None:
        state_key, data_key = self._keys(key)
        async with self.redis.pipeline(transaction=True) as pipe:
            if state is None:
                pipe.delete(state_key)
            else:
                pipe.set(state_key, state, ex=self.state_ttl)
            if data:
                pipe.set(data_key, self.json_dumps(data), ex=self.data_ttl)
            else:
                pipe.delete(data_key)
            await pipe.execute()
