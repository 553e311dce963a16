"""Many people, plausible and hostile, in every state of the bot: nothing breaks, nothing leaks.

The walk and its checks are in :mod:`tests.fuzz`: 40 people, 5,000 updates, seed 17 by
default (about 30 s). ``FUZZ_SEED``, ``FUZZ_UPDATES`` and ``FUZZ_PEOPLE`` replay a failure
(its message gives the command) or make a longer run; ``FUZZ_TRACE=path`` writes every step:
``FUZZ_SEED=5 FUZZ_UPDATES=50000 .venv/bin/pytest tests/integration/test_fuzz.py -s --timeout 0``.
"""

from __future__ import annotations

import time

from tests.clock import FakeClock
from tests.fuzz import FuzzConfig, Fuzzer
from tests.harness import BotApp
from tests.integration.test_journal import interview

APOLOGY = "😔 Извините, у меня что-то сломалось."

# Below this many updates a run is a quick look: it need not reach every state.
FULL_RUN = 4000


async def test_fuzzed_people_break_nothing_and_see_only_their_own_data(
    app: BotApp, clock: FakeClock
) -> None:
    config = FuzzConfig.from_env()
    started = time.perf_counter()
    fuzzer = Fuzzer(app, clock, config)
    coverage = await fuzzer.run()
    elapsed = time.perf_counter() - started
    print(  # shown with -s: what the run reached
        f"\nfuzz: seed {config.seed}, {fuzzer.updates} updates from {config.people} people "
        f"in {elapsed:.1f} s\n{coverage.summary()}"
    )
    assert fuzzer.updates >= config.updates
    if config.updates >= FULL_RUN:
        missing = coverage.missing()
        assert not missing, (
            f"seed {config.seed}: the walk did not reach {missing}\n{coverage.summary()}"
        )


# --- what the fuzz found ---------------------------------------------------------------------


async def test_a_second_tap_on_done_in_the_journal_says_the_button_is_spent(
    app: BotApp, clock: FakeClock
) -> None:
    """The first tap answered the press, the second answered it again: Telegram refused,
    and the person got the apology."""
    anna = await app.person().onboarded()
    await interview(app, anna, clock, "Яндекс")
    await anna.send("/feedback")
    await anna.send("Сильная база по Python.")
    done = next(data for data in anna.last.callback_data if ":done:" in data)
    prompt = anna.last.message_id
    await anna.press_data(prompt, done)
    await anna.press_data(prompt, done, forge=True)  # the same tap again, before the edit
    assert anna.answers()[-1] == "Эта кнопка уже не действует."
    assert not [text for text in anna.answers() if APOLOGY in text]
    assert not [m for m in app.fake.bot_messages(anna.chat_id) if APOLOGY in (m.text or "")]
    assert anna.last.text == "🏷 О чём была обратная связь? Отметьте всё подходящее."


async def test_a_journal_button_forged_on_the_export_file_changes_no_text(
    app: BotApp, clock: FakeClock
) -> None:
    """A modified client can name any message of the chat in a button press: the bot then
    tried to edit the text of the /export document, which has none."""
    anna = await app.person().onboarded()
    await interview(app, anna, clock, "Яндекс")
    await anna.send("/export")
    document = anna.last
    await anna.send("/feedback")
    await anna.send("Сильная база по Python.")
    await anna.press("✅ Готово")
    areas_done = anna.last.callback_data[-1]
    await anna.press_data(document.message_id, areas_done, forge=True)
    assert not [text for text in anna.answers() if APOLOGY in text]
    assert not [m for m in app.fake.bot_messages(anna.chat_id) if APOLOGY in (m.text or "")]
    assert document.kind == "document"
    assert not document.edited
