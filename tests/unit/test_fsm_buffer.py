"""Conversation state kept outside the database moves only when the update commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from hypothesis import given
from hypothesis import strategies as st

from bot.fsm_buffer import TransactionalStorage, copied

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
    await storage.flush(buffer)

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


async def test_nested_and_non_json_values_are_copied_too() -> None:
    storage = TransactionalStorage(MemoryStorage())
    _buffer, token = storage.begin()
    when: dict[str, Any] = {
        "dates": [date(2026, 11, 25)],
        "edit": {"field": "company", "seen": {"a": [1]}},
    }
    await storage.set_data(KEY, when)
    when["edit"]["seen"]["a"].append(2)
    when["dates"][0] = date(2000, 1, 1)
    read = await storage.get_data(KEY)
    assert read == {"dates": [date(2026, 11, 25)], "edit": {"field": "company", "seen": {"a": [1]}}}
    read["edit"]["field"] = "position"
    assert (await storage.get_data(KEY))["edit"]["field"] == "company"
    storage.end(token)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), json_values))
def test_copied_data_equals_the_original_and_shares_no_container(data: dict[str, Any]) -> None:
    duplicate = copied(data)
    assert duplicate == data

    def containers(value: Any) -> list[int]:
        if isinstance(value, dict):
            return [id(value), *(i for item in value.values() for i in containers(item))]
        if isinstance(value, list):
            return [id(value), *(i for item in value for i in containers(item))]
        return []

    assert not set(containers(duplicate)) & set(containers(data))


class CountingStore(MemoryStorage):
    """A store that reads and writes state and data together, counting each."""

    writes_in_transaction = True

    def __init__(self) -> None:
        super().__init__()
        self.loads = 0
        self.stores: list[tuple[str | None, dict[str, object]]] = []

    async def load(self, key: StorageKey) -> tuple[str | None, dict[str, object]]:
        self.loads += 1
        return await super().get_state(key), await super().get_data(key)

    async def store(self, key: StorageKey, state: str | None, data: dict[str, object]) -> None:
        self.stores.append((state, data))
        await super().set_state(key, state)
        await super().set_data(key, data)


async def test_an_update_reads_the_conversation_once_and_writes_it_once() -> None:
    inner = CountingStore()
    await inner.store(KEY, Steps.first.state, {"company": "Яндекс"})
    inner.stores.clear()
    storage = TransactionalStorage(inner)
    assert storage.writes_in_transaction

    buffer, token = storage.begin()
    assert await storage.get_state(KEY) == Steps.first.state
    assert await storage.get_data(KEY) == {"company": "Яндекс"}
    await storage.update_data(KEY, {"position": "Аналитик"})
    await storage.update_data(KEY, {"contact": "Ольга"})
    await storage.set_state(KEY, Steps.second)
    storage.end(token)
    await storage.flush(buffer)

    assert inner.loads == 1
    assert inner.stores == [
        (Steps.second.state, {"company": "Яндекс", "position": "Аналитик", "contact": "Ольга"})
    ]


async def test_a_write_without_a_read_keeps_the_other_half() -> None:
    inner = CountingStore()
    await inner.store(KEY, Steps.first.state, {"company": "Яндекс"})
    storage = TransactionalStorage(inner)

    buffer, token = storage.begin()
    await storage.set_state(KEY, Steps.second)  # the data was never read in this update
    storage.end(token)
    await storage.flush(buffer)

    assert await inner.get_state(KEY) == Steps.second.state
    assert await inner.get_data(KEY) == {"company": "Яндекс"}


async def test_an_update_that_only_reads_writes_nothing() -> None:
    inner = CountingStore()
    storage = TransactionalStorage(inner)
    buffer, token = storage.begin()
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}
    storage.end(token)
    await storage.flush(buffer)
    assert inner.stores == []


async def test_a_store_without_combined_reads_is_written_after_the_commit() -> None:
    storage = TransactionalStorage(MemoryStorage())  # Redis-like: outside the database
    assert not storage.writes_in_transaction
