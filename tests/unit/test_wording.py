"""Interface wording (issue 18): phrases that read as translations stay out of the Russian
catalog, the improvement plan has one name in every screen, and no «(а)» anywhere."""

from __future__ import annotations

import re
from functools import cache

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.app.commands import bot_commands
from bot.domain.intake import Outcome
from bot.telegram.i18n import LOCALES_DIR, create_i18n
from bot.telegram.views.interviews import OUTCOME_LABELS

PLAN_RU = "план развития"
PLAN_EN = "improvement plan"
# «план», «плана», «плане», «планом» as a word: not «запланированные», not the command /plan
PLAN_WORD_RU = re.compile(r"(?<![\w/])план\w*", re.IGNORECASE)
PLAN_WORD_EN = re.compile(r"(?<![\w/])plans?\b", re.IGNORECASE)
POKA = re.compile(r"(?<!\w)пока(?!\w)", re.IGNORECASE)


@cache
def catalog(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def translations(locale: str) -> list[str]:
    """Every translated text of the catalog, each plural form on its own."""
    texts: list[str] = []
    for message in catalog(locale):
        if not message.id:
            continue
        if isinstance(message.string, str):
            texts.append(message.string)
        else:
            texts += [str(form or "") for form in message.string or ()]
    return texts


def ru(msgid: str) -> str:
    message = catalog("ru").get(msgid)
    assert message is not None, f"no msgid {msgid!r} in the Russian catalog"
    return str(message.string)


@pytest.mark.parametrize(
    "phrase",
    [
        "Удалить собеседование в «",  # → «в компании «…»»: the name stays in the nominative
        "Советы об обратной связи",  # → «по обратной связи»
        "Жду решения",  # an outcome label is a noun: «Ожидание решения»
        "(медиана)",  # → «Обычно отвечают за …»
        "ждут утра",  # quiet hours end at the hour the person chose, not «утром»
        "Когда мне молчать?",
        "дверь открытой",  # "keeps the door open", word for word
        "Короткое напоминание",  # a reminder is the bot's message; the letter is «повторное»
    ],
)
def test_calqued_phrase_is_gone_from_russian(phrase: str) -> None:
    offending = [text for text in translations("ru") if phrase in text]
    assert not offending, offending


def test_no_sentence_says_poka_twice() -> None:
    offending = [text for text in translations("ru") if len(POKA.findall(text)) > 1]
    assert not offending, offending


def test_no_gender_brackets_in_russian() -> None:
    offending = [
        text for text in translations("ru") if "(а)" in text or "(ла)" in text or "(на)" in text
    ]
    assert not offending, offending


def test_the_plan_has_one_name_in_russian() -> None:
    named = [text for text in translations("ru") if PLAN_WORD_RU.search(text)]
    assert len(named) >= 5, named  # the menu, /help, the button, the title, /tips, /start
    loose = [
        text
        for text in named
        for match in PLAN_WORD_RU.finditer(text)
        if not text[match.start() :].lower().startswith(("план развития", "плане развития"))
    ]
    assert not loose, loose
    for other in ("план улучшения", "мой план"):  # the other two names it had
        assert not [text for text in named if other in text.lower()], other


def test_the_plan_has_one_name_in_english() -> None:
    loose = [
        message.id
        for message in catalog("en")
        if isinstance(message.id, str)
        for match in PLAN_WORD_EN.finditer(message.id)
        if not message.id[: match.start()].lower().endswith("improvement ")
    ]
    assert not loose, loose


@pytest.mark.parametrize(("locale", "name"), [("ru", PLAN_RU), ("en", PLAN_EN)])
def test_plan_screens_use_that_name(locale: str, name: str) -> None:
    """The command menu (and /help, which lists it), the button after a journal entry and
    the title of /plan say the same thing."""
    i18n = create_i18n()
    menu = {command.command: command.description for command in bot_commands(i18n, locale)}
    button = i18n.gettext("📈 Improvement plan", locale=locale)
    title = i18n.gettext("📈 <b>Your improvement plan</b>", locale=locale)
    for text in (menu["plan"], button, title):
        assert name in text.lower(), text


def test_tips_command_reads_naturally_in_russian() -> None:
    menu = {c.command: c.description for c in bot_commands(create_i18n(), "ru")}
    assert menu["tips"] == "Советы по обратной связи"


def test_outcome_labels_read_as_one_set_of_nouns() -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("ru"):
        labels = {outcome: str(label) for outcome, label in OUTCOME_LABELS.items()}
    assert labels == {
        Outcome.REJECTED: "Отказ",
        Outcome.WAITING: "Ожидание решения",
        Outcome.OFFER: "Оффер",
        Outcome.SILENT: "Молчание компании",
    }


def test_fixed_sentences_read_naturally() -> None:
    assert ru("Delete the interview with «{company}»? This cannot be undone.").startswith(
        "Удалить собеседование в компании «{company}»?"
    )
    assert ru("⏱ They usually answer within {days}") == "⏱ Обычно отвечают за {days}"
    assert ru("It is kept until you delete it.") == "Данные хранятся, пока вы их не удалите."
    quiet = ru("{start}–{end}; reminders due then come at {end}")
    assert quiet.endswith("придут в {end}"), quiet
