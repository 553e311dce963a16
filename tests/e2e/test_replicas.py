"""End to end: the production topology, as separate ``python -m bot`` processes.

Web replicas (``BOT_ROLE=web``, webhook mode, each on its own port) and one scheduler
(``BOT_ROLE=scheduler``) share one PostgreSQL database and one Redis database, and talk to the
test's fake Bot API server. The test plays Telegram: it builds each update with the fake and
POSTs it to the replica it picks, as a load balancer would (see ``cluster.py``). A replica
answers 200 only after the update was handled and committed, so every check right after a
200 sees all the bot did for it.

PostgreSQL and Redis are the ``postgres+redis`` backend of ``backends.py``
(``TEST_POSTGRES_URL`` and ``TEST_REDIS_URL``, emptied for each test); without them the tests
are skipped.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.__main__ import SHUTDOWN_TIMEOUT
from tests.e2e.backends import POSTGRES_REDIS_ONLY, Backend
from tests.e2e.cluster import SECRET, WEBHOOK_URL, Caller, Cluster, Gate, Replica, last_reply
from tests.e2e.process import E2E, text_of
from tests.e2e.test_interviews_process import (
    ALL_DONE_Q,
    CHANNEL_Q,
    COMPANY_Q,
    CONTACT_Q,
    DONE_PICKING,
    EMAIL_Q,
    FINAL,
    KEEP_SIGNATURE,
    KEEP_ZONE,
    LAST_STAGE_Q,
    OUTCOME_Q,
    POLITE,
    POSITION_Q,
    PRIORITIES_Q,
    REJECTED,
    RESULT_ON_Q,
    SAVE,
    SKIP,
    SUMMARY_Q,
    TECH,
    TECH_ON,
    TONE_Q,
    flat,
)
from tests.e2e.test_process import (
    AGREE,
    APOLOGY,
    CONSENT,
    DONE,
    GENDER_QUESTION,
    SIGNATURE_QUESTION,
)
from tests.e2e.test_process import TIMEZONE_QUESTION as TIMEZONE_Q

pytestmark = [pytest.mark.e2e, POSTGRES_REDIS_ONLY]

SETTINGS_CARD = "⚙️ Настройки"
QUIET_HOURS = "🌙 Тихие часы"
QUIET_MENU = "В какое время вас не беспокоить?"
NO_QUIET_HOURS = "🔔 Без тихих часов"
QUIET_OFF = "🌙 Тихие часы: выключены"
REMIND_LATER = "⏰ Напомнить позже"
WHEN_TO_REMIND = "⏰ Когда напомнить?"
IN_AN_HOUR = "⏰ Через час"
WILL_REMIND = "⏰ Напомню"
REMINDER = "⏰ Пора написать: "
SAVED = "✅ Сохранено: Яндекс — Python-разработчик."


@pytest.fixture
async def cluster(e2e: E2E, backend: Backend) -> AsyncIterator[Cluster]:
    """The processes of the test on the backend's fresh PostgreSQL and empty Redis."""
    async with Cluster.running(
        e2e, database_url=backend.database_url, redis_url=backend.redis_url
    ) as cluster:
        yield cluster


def update_id(update: dict[str, object]) -> int:
    value = update["update_id"]
    assert isinstance(value, int)
    return value


# --- 1. the webhook secret --------------------------------------------------------------------


async def test_only_updates_with_the_webhook_secret_are_processed(cluster: Cluster) -> None:
    """A POST without the secret header, or with a wrong one, gets 401 and changes nothing:
    no message to the person, no row, no log line. The same update with the secret is
    handled in full before the 200."""
    [web] = await cluster.start_replicas("web-a")
    webhook = cluster.fake.webhook
    assert webhook is not None
    assert (webhook.url, webhook.secret_token) == (WEBHOOK_URL, SECRET)
    anna = cluster.caller(1001)

    start = anna.message_update("/start")
    for secret in (None, "not-the-secret"):
        assert await cluster.post(web, start, secret=secret) == 401
    assert anna.replies() == []
    assert await cluster.processed([update_id(start)]) == set()
    consent = last_reply(await anna.deliver(web, start), CONSENT)

    accept = anna.button_update(AGREE)
    for secret in (None, "", SECRET.upper()):
        assert await cluster.post(web, accept, secret=secret) == 401
    assert anna.replies() == []
    assert await cluster.users([anna.chat_id]) == {}  # the consent was not taken
    assert consent.button_texts[0] == [AGREE]
    last_reply(await anna.deliver(web, accept), SIGNATURE_QUESTION)
    assert consent.buttons == []
    assert list(await cluster.users([anna.chat_id])) == [anna.chat_id]
    ids = [update_id(start), update_id(accept)]
    assert await cluster.processed(ids) == set(ids)

    # each update was handled once: the rejected attempts left no log line
    await cluster.wait_for(lambda: web.process.handled(ids[-1]), "the last update's log line")
    assert web.process.outcomes() == {ids[0]: ["ok"], ids[1]: ["ok"]}


# --- 2. two web replicas and the scheduler ----------------------------------------------------


async def test_replicas_share_one_conversation_and_the_scheduler_reminds_once(
    cluster: Cluster,
) -> None:
    """Every update of one person goes to the other replica than the one before: consent,
    onboarding, quiet hours off, a whole new interview and «remind me later». Each step gets
    its next question (the conversation state lives in Redis, the data in PostgreSQL), and the
    interview is stored once with every answer. The reminder written through a web replica
    is delivered exactly once, by the scheduler process: web replicas run no scheduler."""
    a, b, scheduler = await cluster.start_replicas("web-a", "web-b", scheduler=True)
    for replica in (a, b, scheduler):
        assert await cluster.readiness(replica) == (200, {"status": "ready"})
    turns = itertools.cycle([a, b])
    anna = cluster.caller(1001)

    # consent and onboarding
    await anna.say(next(turns), "/start", CONSENT)
    await anna.tap(next(turns), AGREE, SIGNATURE_QUESTION)
    await anna.tap(next(turns), KEEP_SIGNATURE, GENDER_QUESTION)
    await anna.tap(next(turns), SKIP, TIMEZONE_Q)
    await anna.tap(next(turns), KEEP_ZONE, DONE)

    # quiet hours off: the test runs at any hour and the reminder must not wait for morning
    card = await anna.say(next(turns), "/settings", SETTINGS_CARD)
    await anna.tap_in_place(next(turns), QUIET_HOURS, card, lambda t: QUIET_MENU in t)
    await anna.tap_in_place(next(turns), NO_QUIET_HOURS, card, lambda t: QUIET_OFF in t)

    # /new: every step answered on the other replica than the step before
    await anna.say(next(turns), "/new", COMPANY_Q)
    await anna.say(next(turns), "Яндекс", POSITION_Q)
    await anna.say(next(turns), "Python-разработчик", CONTACT_Q)
    await anna.tap(next(turns), SKIP, CHANNEL_Q)
    await anna.tap(next(turns), "Почта", EMAIL_Q)
    await anna.say(next(turns), "anna@yandex.ru", LAST_STAGE_Q)
    await anna.tap(next(turns), "Вчера", ALL_DONE_Q)
    await anna.tap(next(turns), FINAL, OUTCOME_Q)
    await anna.tap(next(turns), REJECTED, TONE_Q)
    await anna.tap(next(turns), POLITE, RESULT_ON_Q)
    priorities = await anna.tap(next(turns), "Сегодня", PRIORITIES_Q)
    await anna.tap_in_place(next(turns), TECH, priorities, lambda _t: TECH_ON in flat(priorities))
    summary = await anna.tap(next(turns), DONE_PICKING, SUMMARY_Q)
    lines = text_of(summary).splitlines()
    for line in (
        "🏢 Компания: Яндекс",
        "💼 Позиция: Python-разработчик",
        "✉️ Канал: Почта · anna@yandex.ru",
        "📌 Итог: ❌ Отказ (вежливый)",
        "🎯 О чём спросить: технические навыки",
    ):
        assert line in lines, lines
    saved = await anna.tap(next(turns), SAVE, SAVED)

    interviews = await cluster.rows("SELECT * FROM interviews")
    assert len(interviews) == 1, interviews
    [interview] = interviews
    assert interview["user_id"] == anna.chat_id
    assert (interview["company"], interview["position"], interview["contact_name"]) == (
        "Яндекс",
        "Python-разработчик",
        None,
    )
    assert (interview["channel"], interview["contact_address"]) == ("email", "anna@yandex.ru")
    assert (interview["outcome"], interview["rejection_tone"]) == ("rejected", "polite")
    assert interview["all_stages_done"] is True
    assert interview["priorities"] == ["tech"]
    assert await cluster.fsm_state(anna.chat_id) is None  # the intake is over

    # «remind me later» → in an hour, through the replicas
    await anna.tap(next(turns), REMIND_LATER, WHEN_TO_REMIND, saved.message_id)
    options = anna.last
    await anna.tap_in_place(next(turns), IN_AN_HOUR, options, lambda t: t.startswith(WILL_REMIND))
    [row] = await cluster.rows("SELECT * FROM reminders")
    assert (row["user_id"], row["interview_id"], row["status"]) == (
        anna.chat_id,
        interview["id"],
        "pending",
    )
    # No button plans a reminder seconds ahead: bring this one forward in the database.
    due = datetime.now(UTC) + timedelta(seconds=1)
    await cluster.execute(
        "UPDATE reminders SET due_at = :due WHERE id = :id AND status = 'pending'",
        due=due,
        id=row["id"],
    )

    def reminders() -> list[str]:
        return [text_of(m) for m in anna.replies() if text_of(m).startswith(REMINDER)]

    await cluster.wait_for(lambda: reminders() != [], "the reminder", timeout=20)
    [reminder] = anna.replies()
    assert text_of(reminder).startswith(f"{REMINDER}Яндекс — Python-разработчик"), reminder.text

    # the run that sent it ends (the reminder is marked sent), and the next one finds
    # nothing more to send
    runs = reconcile_runs(scheduler)
    await cluster.wait_for(
        lambda: reconcile_runs(scheduler) >= runs + 2, "two more reconcile runs", timeout=15
    )
    assert len(anna.replies()) == 1, [m.text for m in anna.replies()]
    [sent] = await cluster.rows("SELECT * FROM reminders")
    assert (sent["status"], sent["attempts"], sent["message_id"]) == (
        "sent",
        1,
        reminder.message_id,
    )
    for web in (a, b):
        assert f"reminder={row['id']}" not in web.process.stderr
        assert "reminder scheduler started" not in web.process.stderr
    assert f"reminder={row['id']} sent" in scheduler.process.stderr


def reconcile_runs(replica: Replica) -> int:
    return sum(
        1
        for line in replica.process.stderr_lines
        if 'Job "reconcile (trigger: interval' in line and "executed successfully" in line
    )


# --- kill -9 and SIGTERM during a burst -------------------------------------------------------

BURST = 20
RETRY_TIMEOUT = 10.0
"""A redelivered update is answered within this many seconds by a live replica."""


async def at_consent(cluster: Cluster, replica: Replica, count: int, first_id: int) -> list[Caller]:
    """``count`` people who sent /start (through ``replica``) and see the consent."""
    people = [cluster.caller(first_id + i, first_name=f"Человек{i}") for i in range(count)]
    await asyncio.gather(*(person.say(replica, "/start", CONSENT) for person in people))
    return people


async def at_signature(
    cluster: Cluster, replica: Replica, count: int, first_id: int
) -> list[Caller]:
    """``count`` people who consented (through ``replica``) and are asked for a signature."""
    people = await at_consent(cluster, replica, count, first_id)
    await asyncio.gather(*(person.tap(replica, AGREE, SIGNATURE_QUESTION) for person in people))
    return people


def burst(
    cluster: Cluster, replica: Replica, updates: dict[int, dict[str, object]]
) -> dict[int, asyncio.Task[int | Exception]]:
    """POST every update at once; each task ends with the HTTP status or the error."""

    async def post(update: dict[str, object]) -> int | Exception:
        try:
            return await cluster.post(replica, update)
        except (aiohttp.ClientError, TimeoutError) as error:
            return error

    tasks = {chat: asyncio.create_task(post(update)) for chat, update in updates.items()}
    for task in tasks.values():  # a finished request wakes the waits
        task.add_done_callback(lambda _task: cluster.fake.notify())
    return tasks


async def test_kill_9_of_a_replica_loses_no_acknowledged_update(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty people accept the privacy note at once on replica A, which is killed with
    ``kill -9`` while half of those updates are still being handled (their Bot API calls are
    held). Every accept A acknowledged with 200 is fully committed: the person is stored, the
    update is recorded as handled and the signature question was sent. Every accept cut by
    the kill failed at Telegram's end and left nothing behind: no person, no handled mark,
    no question, so Telegram's redelivery starts it afresh."""
    a, b = await cluster.start_replicas("web-a", "web-b")
    people = await at_consent(cluster, b, BURST, first_id=3000)
    cut = {person.chat_id for person in people[::2]}
    gate = Gate(cluster.fake, cut).install(monkeypatch)
    accepts = {person.chat_id: person.button_update(AGREE) for person in people}
    requests = burst(cluster, a, accepts)

    def half_answered_half_held() -> bool:
        answered = {chat for chat, task in requests.items() if task.done()}
        return answered == set(accepts) - cut and gate.held_chats() == cut

    await cluster.wait_for(half_answered_half_held, "half the accepts answered, half in flight")
    assert await cluster.kill(a) == -9
    outcomes = {chat: await task for chat, task in requests.items()}
    gate.open()

    acknowledged = {chat for chat, outcome in outcomes.items() if outcome == 200}
    assert acknowledged == set(accepts) - cut, outcomes
    for chat in cut:
        assert isinstance(outcomes[chat], aiohttp.ClientError), outcomes[chat]
    stored = await cluster.users(accepts)
    handled = await cluster.processed(update_id(update) for update in accepts.values())
    assert set(stored) == acknowledged
    assert handled == {update_id(accepts[chat]) for chat in acknowledged}
    for person in people:
        questions = [m for m in person.replies() if SIGNATURE_QUESTION in text_of(m)]
        assert len(questions) == (1 if person.chat_id in acknowledged else 0), person.chat_id
    assert not b.process.exited


async def test_an_update_cut_by_kill_9_succeeds_on_the_other_replica(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram delivers again an update it got no 200 for; behind a load balancer the retry
    goes to a live replica. A person whose accept was in flight on replica A when A was
    killed gets the signature question from replica B at the retry, within seconds."""
    a, b = await cluster.start_replicas("web-a", "web-b")
    [anna] = await at_consent(cluster, b, 1, first_id=4000)
    gate = Gate(cluster.fake, [anna.chat_id]).install(monkeypatch)
    accept = anna.button_update(AGREE)
    [request] = burst(cluster, a, {anna.chat_id: accept}).values()
    await cluster.wait_for(lambda: gate.held_chats() == {anna.chat_id}, "the accept in flight")
    assert await cluster.kill(a) == -9
    assert isinstance(await request, aiohttp.ClientError)
    gate.open()

    started = asyncio.get_running_loop().time()
    assert await cluster.post(b, accept, timeout=RETRY_TIMEOUT) == 200
    elapsed = asyncio.get_running_loop().time() - started
    last_reply(anna.replies(), SIGNATURE_QUESTION)
    assert list(await cluster.users([anna.chat_id])) == [anna.chat_id]
    assert elapsed < RETRY_TIMEOUT


async def refuses_connections(cluster: Cluster, replica: Replica) -> bool:
    try:
        async with cluster.http.get(f"{replica.base_url}/healthz"):
            return False
    except aiohttp.ClientConnectionError:
        return True


async def test_sigterm_completes_acknowledged_updates_and_exits_cleanly(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty people send their signature at once to replica A, and A gets SIGTERM (as in a
    rolling deploy) while half of those updates wait on their next question. A stops taking
    updates at once (new ones go to B), lets the ones in flight finish, and exits with code
    0. Every signature answered 200 is saved, each person got the next question once, and
    the conversation state (Redis) agrees with the data (PostgreSQL) for everyone."""
    a, b = await cluster.start_replicas("web-a", "web-b")
    people = await at_signature(cluster, b, BURST, first_id=5000)
    in_flight = {person.chat_id for person in people[::2]}
    # held at the next question: the signature is written, the step has moved on, the
    # transaction is open
    gate = Gate(cluster.fake, in_flight, methods={"sendMessage"}).install(monkeypatch)
    names = {person.chat_id: f"Подпись {person.chat_id}" for person in people}
    signatures = {person.chat_id: person.message_update(names[person.chat_id]) for person in people}
    requests = burst(cluster, a, signatures)

    def half_answered_half_held() -> bool:
        answered = {chat for chat, task in requests.items() if task.done()}
        return answered == set(signatures) - in_flight and gate.held_chats() == in_flight

    await cluster.wait_for(half_answered_half_held, "half the signatures answered, half in flight")
    cluster.send_sigterm(a)
    loop = asyncio.get_running_loop()
    stopped_at = loop.time()
    while not await refuses_connections(cluster, a):  # it stops listening at once
        assert loop.time() - stopped_at < 10, "replica A still takes connections after SIGTERM"
        await asyncio.sleep(0.05)
    assert not a.process.exited  # it waits for the updates in flight

    # an update sent now goes to B, as the load balancer retries a refused connection
    late = cluster.caller(5999)
    start = late.message_update("/start")
    with pytest.raises(aiohttp.ClientConnectionError):
        await cluster.post(a, start)
    last_reply(await late.deliver(b, start), CONSENT)

    gate.open()
    outcomes = {chat: await task for chat, task in requests.items()}
    assert outcomes == dict.fromkeys(signatures, 200), outcomes
    assert await a.process.wait(timeout=SHUTDOWN_TIMEOUT) == 0
    assert "INFO bot: Stopped" in a.process.stderr
    assert loop.time() - stopped_at < SHUTDOWN_TIMEOUT

    for person in people:
        texts = [text_of(m) for m in person.replies()]
        assert sum(GENDER_QUESTION in t for t in texts) == 1, (person.chat_id, texts)
        assert not any(t.startswith(APOLOGY) for t in texts), (person.chat_id, texts)
    stored = await cluster.users(names)
    assert {chat: user["signature"] for chat, user in stored.items()} == names
    for chat in names:
        assert await cluster.fsm_state(chat) == "Onboarding:gender", chat
    ids = [update_id(update) for update in signatures.values()]
    assert await cluster.processed(ids) == set(ids)
    outcomes_logged = a.process.outcomes()
    assert {i: outcomes_logged.get(i) for i in ids} == {i: ["ok"] for i in ids}


# --- a failed update ----------------------------------------------------------------------


async def test_a_failed_update_leaves_the_conversation_where_it_was(cluster: Cluster) -> None:
    """An update that fails is rolled back whole. The person types a signature and Telegram
    refuses the next question (a 429): the person gets an apology, the signature is not
    saved, and the conversation stays at the signature question, so the second try is taken
    as the signature."""
    [web] = await cluster.start_replicas("web-a")
    [anna] = await at_signature(cluster, web, 1, first_id=6000)
    [before] = (await cluster.users([anna.chat_id])).values()
    cluster.fake.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=anna.chat_id)
    await anna.say(web, "Анна Петрова", APOLOGY)
    [after_failure] = (await cluster.users([anna.chat_id])).values()
    assert after_failure["signature"] == before["signature"] != "Анна Петрова"

    gender = await anna.say(web, "Анна Петрова", GENDER_QUESTION)
    assert "✓ Подпись: Анна Петрова" in text_of(gender)
    [saved] = (await cluster.users([anna.chat_id])).values()
    assert saved["signature"] == "Анна Петрова"
    assert await cluster.fsm_state(anna.chat_id) == "Onboarding:gender"
