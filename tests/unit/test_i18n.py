"""The translation catalogs: complete, in sync with the code, safe to format and to send."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.telegram.i18n import LOCALES_DIR, create_i18n
from scripts.sync_locales import KEYWORDS, ROOT

LOCALES = ("ru", "en")
POT = LOCALES_DIR / "messages.pot"
HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
# «рад(а)», «признателен(на)», «готов(-а)»: Russian texts use the chosen wording form instead
GENDER_BRACKETS = re.compile(r"[а-яё]\(-?[а-яё]{1,3}\)", re.IGNORECASE)
FIX_HINT = "run `make extract`, translate the new entries in locales/ru, then `make locales`"


def po_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"


@cache
def catalog(locale: str) -> Catalog:
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def messages(locale: str) -> list[Message]:
    return [message for message in catalog(locale) if message.id]


def msgids(source: Catalog | list[Message]) -> set[str | tuple[str, ...]]:
    return {
        message.id if isinstance(message.id, str) else tuple(message.id)
        for message in source
        if message.id
    }


def forms(message: Message) -> list[str]:
    """The translation's forms: one for a simple entry, one per plural form otherwise."""
    if isinstance(message.string, str):
        return [message.string]
    return [str(form or "") for form in message.string or ()]


def placeholders(text: str) -> Counter[str]:
    """``{name}`` fields as ``str.format`` sees them (``{{`` escapes are not fields)."""
    return Counter(name for _, name, _, _ in Formatter().parse(text) if name is not None)


def html_tags(text: str) -> list[str]:
    return sorted(HTML_TAG.findall(text))


def describe(message: Message) -> str:
    return repr(message.id if isinstance(message.id, str) else message.id[0])[:90]


def extracted_from_code(tmp_dir: Path) -> Catalog:
    """What ``make extract`` would write to messages.pot now (same options as the script)."""
    pot = tmp_dir / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            *KEYWORDS,
            "--no-location",
            "--sort-output",
            "--project",
            "interview-feedback-bot",
            "-o",
            str(pot),
            ".",
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def code_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return extracted_from_code(tmp_path_factory.mktemp("extract"))


# --- complete -----------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_every_msgid_is_translated_and_not_fuzzy(locale: str) -> None:
    entries = messages(locale)
    assert entries, f"no messages in {po_path(locale)}"
    fuzzy = [describe(m) for m in entries if m.fuzzy]
    empty = [describe(m) for m in entries if not all(form.strip() for form in forms(m))]
    assert not fuzzy, f"fuzzy translations in {locale}: {fuzzy}"
    assert not empty, f"untranslated entries in {locale}: {empty}; {FIX_HINT}"


@pytest.mark.parametrize(("locale", "count"), [("ru", 3), ("en", 2)])
def test_plural_entries_have_every_form(locale: str, count: int) -> None:
    assert catalog(locale).num_plurals == count
    for message in messages(locale):
        if not message.pluralizable:
            continue
        assert isinstance(message.string, tuple | list), describe(message)
        assert len(message.string) == count, describe(message)
        assert all(form.strip() for form in forms(message)), describe(message)


# --- in sync with the code ----------------------------------------------------------------


def test_messages_pot_matches_the_code(code_catalog: Catalog) -> None:
    with POT.open("rb") as handle:
        template = read_po(handle)
    in_code, in_pot = msgids(code_catalog), msgids(template)
    assert in_code, "nothing was extracted from the code: check babel.cfg"
    assert in_code == in_pot, (
        f"locales/messages.pot is out of date: {FIX_HINT}. "
        f"Missing: {sorted(map(str, in_code - in_pot))[:10]}; "
        f"no longer used: {sorted(map(str, in_pot - in_code))[:10]}"
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_matches_the_code(code_catalog: Catalog, locale: str) -> None:
    in_code, in_po = msgids(code_catalog), msgids(messages(locale))
    assert in_code == in_po, (
        f"locales/{locale} is out of date: {FIX_HINT}. "
        f"Missing: {sorted(map(str, in_code - in_po))[:10]}; "
        f"no longer used: {sorted(map(str, in_po - in_code))[:10]}"
    )


def test_extraction_finds_reply_keyboard_labels_and_plurals(code_catalog: Catalog) -> None:
    """The custom keywords matter: ``N_`` marks reply-keyboard labels, ``__`` lazy texts."""
    found = msgids(code_catalog)
    assert "⚙️ Settings" in found  # N_("⚙️ Settings") in bot/telegram/keyboards/common.py
    assert "What the bot can do" in found  # __("...") in bot/app/commands.py


# --- safe to format and to send -----------------------------------------------------------


def source_text(message: Message) -> str:
    """The English text a translation renders: the plural msgid for plural entries."""
    return message.id if isinstance(message.id, str) else message.id[-1]


def test_russian_keeps_the_placeholders() -> None:
    problems = [
        f"{describe(m)}: {dict(placeholders(form))} != {dict(placeholders(source_text(m)))}"
        for m in messages("ru")
        for form in forms(m)
        if placeholders(form) != placeholders(source_text(m))
    ]
    assert not problems, "\n".join(problems)


def test_russian_keeps_the_html_tags() -> None:
    problems = [
        f"{describe(m)}: {html_tags(form)} != {html_tags(source_text(m))}"
        for m in messages("ru")
        for form in forms(m)
        if html_tags(form) != html_tags(source_text(m))
    ]
    assert not problems, "\n".join(problems)


def test_russian_translations_format_with_their_placeholders() -> None:
    for message in messages("ru"):
        for form in forms(message):
            # raises on a broken field such as "{name" or a positional "{0}"
            form.format(**dict.fromkeys(placeholders(form), "x"))


def test_no_gender_brackets_in_russian() -> None:
    offending = [
        f"{describe(m)}: {form!r}"
        for m in messages("ru")
        for form in forms(m)
        if GENDER_BRACKETS.search(form)
    ]
    assert not offending, "use the person's wording form instead:\n" + "\n".join(offending)


def test_gender_bracket_pattern_catches_the_usual_shapes() -> None:
    for text in ("Я рад(а)", "был(а) бы признателен(на)", "готов(-а)"):
        assert GENDER_BRACKETS.search(text), text
    for text in ("Нажмите «Назад» (выше)", "UTC+3 (Москва)", "(а) пункт"):
        assert not GENDER_BRACKETS.search(text), text


# --- compiled and loaded ------------------------------------------------------------------


def test_compiled_catalogs_are_loaded() -> None:
    i18n = create_i18n()
    assert set(LOCALES) <= set(i18n.available_locales)
    assert i18n.gettext("⚙️ Settings", locale="ru") == "⚙️ Настройки"
    assert i18n.gettext("⚙️ Settings", locale="en") == "⚙️ Settings"
    with i18n.context(), i18n.use_locale("ru"):
        assert i18n.gettext("❓ Help") == "❓ Помощь"


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_is_fresh(locale: str) -> None:
    """The .mo the bot loads says what the .po says (else: `make locales`)."""
    i18n = create_i18n()
    stale = []
    for message in messages(locale):
        if message.pluralizable:
            singular, plural = message.id[0], message.id[1]
            for n, form in zip((1, 2, 5), forms(message), strict=False):
                if i18n.gettext(singular, plural, n, locale=locale) != form:
                    stale.append(describe(message))
        elif i18n.gettext(str(message.id), locale=locale) != message.string:
            stale.append(describe(message))
    assert not stale, (
        f"locales/{locale} .mo is older than the .po, run `make locales`: {stale[:10]}"
    )
