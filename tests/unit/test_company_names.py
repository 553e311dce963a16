"""Company names as a person writes them in a letter: the legal form left out, «ёлочки» in
Russian, the bare name in English; and the drafts use exactly that."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from bot.domain.intake import Channel, Outcome
from bot.drafting.names import company_name, without_legal_form
from bot.drafting.render import DraftContext, Kind, Tone, render

# (typed, in a Russian letter, in an English letter)
NAMES = [
    ('ООО "Ромашка"', "«Ромашка»", "Ромашка"),
    ("ООО «Ромашка»", "«Ромашка»", "Ромашка"),
    ("ООО«Ромашка»", "«Ромашка»", "Ромашка"),  # no space after the form
    ('ООО "Ромашка', "«Ромашка»", "Ромашка"),  # the closing quote forgotten
    ("  ООО   «Ромашка»  ", "«Ромашка»", "Ромашка"),
    ("Ромашка ООО", "«Ромашка»", "Ромашка"),
    ("АО «Альфа»", "«Альфа»", "Альфа"),
    ("ПАО «Сбербанк»", "«Сбербанк»", "Сбербанк"),
    ("Банк ВТБ (ПАО)", "«Банк ВТБ»", "Банк ВТБ"),
    # An individual entrepreneur is a person: the form stays, no quotes.
    ("ИП Иванов", "ИП Иванов", "ИП Иванов"),
    ("ИП Иванова А. С.", "ИП Иванова А. С.", "ИП Иванова А. С."),
    (
        "Индивидуальный предприниматель Петров",
        "Индивидуальный предприниматель Петров",
        "Индивидуальный предприниматель Петров",
    ),
    ("Общество с ограниченной ответственностью «Вектор»", "«Вектор»", "Вектор"),
    ('"Рога и копыта"', "«Рога и копыта»", "Рога и копыта"),
    ('ООО "Кафе "Ромашка""', "«Кафе „Ромашка“»", 'Кафе "Ромашка"'),
    ("ООО «Кафе «Ромашка»»", "«Кафе „Ромашка“»", "Кафе «Ромашка»"),
    ('Кафе "Ромашка"', "«Кафе „Ромашка“»", 'Кафе "Ромашка"'),
    ("Яндекс", "«Яндекс»", "Яндекс"),
    ("Лаборатория Касперского", "«Лаборатория Касперского»", "Лаборатория Касперского"),
    # Latin names: bare in Russian text too, whatever the legal form.
    ("LLC Acme", "Acme", "Acme"),
    ("Acme Inc.", "Acme", "Acme"),
    ("Acme, Inc.", "Acme", "Acme"),
    ("Acme Holdings Pty Ltd", "Acme Holdings", "Acme Holdings"),
    ("SAP SE", "SAP", "SAP"),
    ("Spotify AB", "Spotify", "Spotify"),
    ("Tinkoff Bank JSC", "Tinkoff Bank", "Tinkoff Bank"),
    ("OOO Romashka", "Romashka", "Romashka"),
    ('ООО "Acme Group"', "Acme Group", "Acme Group"),
    ("Google", "Google", "Google"),
    # Traps: names that merely start like a legal form, or are nothing but one.
    ("Ипотека", "«Ипотека»", "Ипотека"),
    ("Оао-Тех", "«Оао-Тех»", "Оао-Тех"),
    ("Аокс", "«Аокс»", "Аокс"),
    ("Sa Group", "Sa Group", "Sa Group"),
    ("Limited Edition", "Limited Edition", "Limited Edition"),
    ("ООО", "«ООО»", "ООО"),
    ('ООО ""', "«ООО»", "ООО"),
    ("Ltd", "Ltd", "Ltd"),
]


def test_the_table_is_real_shaped_and_long_enough() -> None:
    assert len(NAMES) >= 15
    assert len({typed for typed, _ru, _en in NAMES}) == len(NAMES)


@pytest.mark.parametrize(("typed", "russian", "english"), NAMES)
def test_company_name(typed: str, russian: str, english: str) -> None:
    assert company_name(typed, "ru") == russian
    assert company_name(typed, "en") == english


@pytest.mark.parametrize("typed", ["ООО", "АО", "LLC", "  ЗАО  "])
def test_a_name_that_is_only_a_legal_form_is_kept(typed: str) -> None:
    assert without_legal_form(typed) == typed.strip()


def _context(typed: str, language: str, kind: Kind) -> DraftContext:
    return DraftContext(
        language=language,
        tone=Tone.FORMAL,
        gender="f",
        channel=Channel.EMAIL.value,
        company=typed,
        position="Python-разработчик" if language == "ru" else "Python Developer",
        contact_name="Анна Петрова" if language == "ru" else "Anna Smith",
        signature="Мария Соколова" if language == "ru" else "Maria Sokolova",
        priorities=("tech",),
        outcome=Outcome.OFFER.value if kind is Kind.THANKS_OFFER else Outcome.REJECTED.value,
    )


# The kinds whose text names the company (the chat thanks after feedback does not).
NAMING_KINDS = [Kind.REQUEST, Kind.FOLLOW_UP, Kind.CLARIFY, Kind.THANKS_OFFER]


@pytest.mark.parametrize(("typed", "russian", "english"), NAMES)
def test_drafts_name_the_company_as_a_person_writes_it(
    typed: str, russian: str, english: str
) -> None:
    for kind, tone, channel in itertools.product(
        NAMING_KINDS, Tone, (Channel.EMAIL.value, Channel.TELEGRAM.value)
    ):
        ru = render(kind, replace(_context(typed, "ru", kind), tone=tone, channel=channel))
        assert f"в компании {russian}" in ru.body, ru.body
        en = render(kind, replace(_context(typed, "en", kind), tone=tone, channel=channel))
        assert f" at {english}" in en.body, en.body
        if typed != english:  # the legal form and the quotes as typed are gone
            assert f"компании {typed}" not in ru.body
            assert f"at {typed}" not in en.body
