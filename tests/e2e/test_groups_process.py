"""End to end: /export in a group through the real process answers with the note only."""

from __future__ import annotations

import json

import pytest

from tests.e2e.backends import BackendE2E
from tests.e2e.test_privacy_process import onboard, record_interview

pytestmark = pytest.mark.e2e

GROUP = -1001234567890
NOTE = (
    "🔒 Я работаю только в личном чате, чтобы всё, что вы рассказываете, оставалось "
    "между нами. Откройте его кнопкой ниже."
)


async def test_export_in_a_group_sends_the_note_and_no_data(e2e: BackendE2E) -> None:
    anna = e2e.person()
    e2e.fake.add_group(GROUP, "Ищем работу вместе")
    await e2e.start()
    await onboard(anna)
    await record_interview(anna, "Яндекс")

    export = e2e.fake.send_group_text(anna.user, GROUP, "/export")
    plain = e2e.fake.send_group_text(anna.user, GROUP, "Всем привет, я в Яндекс ходила")
    for update in (export, plain):
        assert await e2e.wait_handled(update["update_id"]) == "ok"

    [note] = e2e.fake.bot_messages(GROUP)  # the plain message got no answer
    assert note.text == NOTE
    assert note.buttons == [
        [{"text": "💬 Открыть личный чат", "url": "https://t.me/feedback_test_bot?start=group"}]
    ]
    assert e2e.fake.documents == []
    assert len(e2e.fake.calls_to("getMe")) == 1  # once at start-up, then the cached copy
    assert not [key for key in await e2e.fsm_keys() if str(GROUP) in key]

    # In the private chat /export works as before.
    anna.send("/export")
    await e2e.wait_for(lambda: bool(e2e.fake.documents), "the export document", 20)
    document = e2e.fake.documents[-1]
    assert document.chat_id == anna.chat_id
    assert [item["company"] for item in json.loads(document.content)["interviews"]] == ["Яндекс"]
