"""Conversation state kept outside the database moves only when the update commits."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage

from bot.fsm_buffer import TransactionalStorage

KEY = StorageKey(bot_id=1, chat_id=1001, user_id=1001)


class Steps(StatesGroup):
    first = State()
    second = State()


async def test_an_updates_writes_are_seen_by_it_and_reach_the_store_at_commit() -> None:
    inner = MemoryStorage()
    storage = TransactionalStorage(inner)
    await storage.set_state(KEY, Steps.first)  # outside an update: straight through
    assert await inner.get_state(KEY) == Steps.first.state

    buffer, token = storage.begin()
    await storage.set_state(KEY, Steps.second)
    await storage.set_data(KEY, {"company": "Яндекс"})
    assert await storage.get_state(KEY) == Steps.second.state
    assert await storage.get_data(KEY) == {"company": "Яндекс"}
    assert await inner.get_state(KEY) == Steps.first.state  # not yet
    assert await inner.get_data(KEY) == {}
    storage.end(token)
    await storage.commit(buffer)

    assert await inner.get_state(KEY) == Steps.second.state
    assert await inner.get_data(KEY) == {"company": "Яндекс"}


async def test_a_rolled_back_update_leaves_the_state_where_it_was() -> None:
    inner = MemoryStorage()
    storage = TransactionalStorage(inner)
    await storage.set_state(KEY, Steps.first)
    await storage.set_data(KEY, {"company": "Яндекс"})

    _buffer, token = storage.begin()
    await storage.set_state(KEY, None)
    await storage.update_data(KEY, {"position": "Аналитик"})
    storage.end(token)  # the transaction failed: no commit

    assert await storage.get_state(KEY) == Steps.first.state
    assert await storage.get_data(KEY) == {"company": "Яндекс"}


async def test_buffered_data_is_a_copy() -> None:
    storage = TransactionalStorage(MemoryStorage())
    _buffer, token = storage.begin()
    answers = {"priorities": ["skills"]}
    await storage.set_data(KEY, answers)
    answers["priorities"].append("mutated")
    (await storage.get_data(KEY))["priorities"].append("mutated too")
    assert await storage.get_data(KEY) == {"priorities": ["skills"]}
    storage.end(token)
