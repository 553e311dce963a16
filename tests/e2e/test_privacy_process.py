"""End to end: /export and /delete through the real process and the fake Bot API server."""

from __future__ import annotations

import json

import pytest

from tests.e2e.backends import SQLITE_ONLY, BackendE2E, count, planned_jobs
from tests.e2e.process import Person
from tests.e2e.test_process import consent

pytestmark = pytest.mark.e2e


async def onboard(person: Person) -> None:
    await consent(person)
    person.press(next(b for row in person.last.button_texts for b in row))  # keep the name
    await person.expect("Как писать о вас")
    person.press("Пропустить →")
    await person.expect("Ваш часовой пояс?")
    person.press("Оставить Europe/Moscow")
    await person.expect("🎉 Готово!")


async def record_interview(person: Person, company: str) -> None:
    person.send("/new")
    await person.expect("В какой компании")
    for text, question in (
        (company, "На какую позицию?"),
        ("Python-разработчик", "Кто проводил собеседование"),
    ):
        person.send(text)
        await person.expect(question)
    for button, question in (
        ("Пропустить →", "Где вы общаетесь с компанией?"),
        ("Телефон", "Когда был последний этап?"),
        ("Вчера", "Все этапы пройдены?"),
        ("Да, это был финальный этап", "Чем всё закончилось"),
        ("⏳ Ожидание решения", "О чём больше всего хочется узнать?"),
        ("Готово →", "Всё верно?"),
        ("✅ Сохранить", "✅ Сохранено"),
    ):
        person.press(button)
        await person.expect(question)


async def rows(e2e: BackendE2E, table: str, user_id: int) -> int:
    column = "id" if table == "users" else "user_id"
    return await count(e2e.database_url, table, **{column: user_id})


async def test_export_then_delete_leaves_nothing_and_spares_others(e2e: BackendE2E) -> None:
    anna = e2e.person()
    boris = e2e.person(2002, first_name="Борис")
    await e2e.start()
    for person, company in ((anna, "Яндекс"), (boris, "Озон")):
        await onboard(person)
        await record_interview(person, company)
    anna.press("⏰ Напомнить позже")
    await anna.expect("⏰ Когда напомнить?")
    anna.press("⏰ Завтра")
    await e2e.wait_for(
        lambda: any("⏰ Напомню" in (m.text or "") for m in anna.fake.bot_messages(anna.chat_id)),
        "the reminder is planned",
        10,
    )

    anna.send("/export")
    await e2e.wait_for(lambda: bool(e2e.fake.documents), "the export document", 20)
    document = e2e.fake.documents[-1]
    assert document.chat_id == anna.chat_id
    data = json.loads(document.content)
    assert data["format"] == "interview-feedback-bot/export"
    assert data["person"]["id"] == anna.user.id
    assert [item["company"] for item in data["interviews"]] == ["Яндекс"]
    assert len(data["reminders"]) == 1

    anna.send("/delete")
    await anna.expect("Удалить всё, что я о вас храню")
    anna.press("🗑 Да, удалить всё")
    await anna.expect("Я больше ничего о вас не храню")
    await e2e.process.terminate()

    for table in ("users", "interviews", "reminders", "journal_entries", "plan_actions"):
        assert await rows(e2e, table, anna.user.id) == 0, table
    assert await rows(e2e, "users", boris.user.id) == 1
    assert await rows(e2e, "interviews", boris.user.id) == 1
    keys = await e2e.fsm_keys()  # Redis on postgres+redis, the fsm_states table on SQLite
    assert not [key for key in keys if f":{anna.user.id}:" in key]
    jobs = sorted(await planned_jobs(e2e.database_url))
    assert not [job for job in jobs if job.startswith("reminder:")], jobs


COMPANY = "Рога и Копыта Холдинг"
FEEDBACK = "Кандидат путает декораторы с дескрипторами, но хорошо держится."


def on_disk(e2e: BackendE2E) -> dict[str, bytes]:
    """The SQLite database file and its write-ahead log, byte for byte."""
    files = (e2e.db_path, e2e.db_path.with_name(e2e.db_path.name + "-wal"))
    return {path.name: path.read_bytes() for path in files if path.exists()}


def holding(files: dict[str, bytes], *texts: str) -> dict[str, list[str]]:
    """Which of the files hold which of the texts (UTF-8, as SQLite stores them)."""
    found = {name: [t for t in texts if t.encode() in data] for name, data in files.items()}
    return {name: held for name, held in found.items() if held}


@SQLITE_ONLY
async def test_delete_leaves_no_trace_in_the_database_file_or_its_log(e2e: BackendE2E) -> None:
    anna = e2e.person()
    boris = e2e.person(2002, first_name="Борис")
    await e2e.start()
    await onboard(anna)
    await record_interview(anna, COMPANY)
    anna.send("/feedback")
    await anna.expect("вставьте текст обратной связи")
    anna.send(FEEDBACK)
    await anna.expect("📝 Добавлено")
    for button in ("✅ Готово", "▫️ Технические навыки", "Готово →", "⚖️ Смешанная"):
        await e2e.wait_handled(anna.press(button))  # the journal's questions, in place
    assert "📓 Сохранено." in (anna.last.text or "")
    await onboard(boris)
    await record_interview(boris, "Озон")
    await e2e.wait_idle()
    assert holding(on_disk(e2e), COMPANY, FEEDBACK)  # the texts were there to be erased

    anna.send("/delete")
    await anna.expect("Удалить всё, что я о вас храню")
    anna.press("🗑 Да, удалить всё")
    await anna.expect("Я больше ничего о вас не храню")
    await e2e.wait_idle()

    running = on_disk(e2e)
    assert holding(running, COMPANY, FEEDBACK) == {}, "while the bot runs"
    assert b"\xd0\x9e\xd0\xb7\xd0\xbe\xd0\xbd" in b"".join(running.values())  # Boris's «Озон»
    await e2e.process.terminate()
    assert holding(on_disk(e2e), COMPANY, FEEDBACK) == {}, "after the bot stopped"
