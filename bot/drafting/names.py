"""Company names as a person writes them in a letter (pure: no I/O).

People type a company the way it appears on a contract or a job site: ``ООО "Ромашка"``,
``ПАО «Сбербанк»``, ``Банк ВТБ (ПАО)``, ``Acme, Inc.``, ``LLC Acme``. Nobody writes
«в компании ООО "Ромашка"» in a letter: the legal form is left out, and in Russian the name
stands in «ёлочки», with „лапки“ for quotes inside it («Кафе „Ромашка“»). A name in Latin
letters is written bare in Russian text too («в компании Acme»), as Russian typography does;
English text always has it bare ("at Acme").

:func:`company_name` does exactly that and nothing else: a legal form counts only as a whole
word at the start or the end (``Ипотека`` and ``Оао-Тех`` are names, not forms), a name
that is nothing but a legal form is kept as typed, and so is an individual entrepreneur
(«ИП Иванов»: a person's name, not quoted).
"""

from __future__ import annotations

import re
from typing import Final

# Russian abbreviations are matched in capitals only (people type them so; a word like
# «Ао» or «Ип» at the start of a name is more likely the name itself).
_RU_ABBREVIATIONS: Final = (
    "ООО",
    "ОАО",
    "ЗАО",
    "ПАО",
    "НАО",
    "АО",
    "НКО",
    "АНО",
    "ФГУП",
    "ГУП",
    "МУП",
    "ФГБУ",
    "ГБУ",
    "ТОО",
)
# Written out, in any letter case.
_RU_WORDS: Final = (
    "общество с ограниченной ответственностью",
    "публичное акционерное общество",
    "непубличное акционерное общество",
    "закрытое акционерное общество",
    "открытое акционерное общество",
    "акционерное общество",
    "товарищество с ограниченной ответственностью",
)
# Latin forms that may stand before the name: Russian forms written in Latin letters
# ("LLC Acme", "OOO Romashka"). Any letter case.
_LATIN_BEFORE: Final = ("LLC", "OOO", "JSC", "PJSC", "CJSC", "OJSC")
# Latin forms after the name only ("Acme Inc.", "Acme, Ltd"; "Limited Edition" is a name).
_LATIN_AFTER: Final = (
    "L.L.C.",
    "Inc.",
    "Inc",
    "Incorporated",
    "Ltd.",
    "Ltd",
    "Limited",
    "Corp.",
    "Corp",
    "Corporation",
    "PLC",
    "LLP",
    "GmbH",
    "Pty Ltd",
    "Pte Ltd",
    "Pty. Ltd.",
    "S.A.",
    "S.A.S.",
    "S.r.l.",
    "S.p.A.",
    "B.V.",
    "N.V.",
)
# Short Latin forms that are ordinary letters in other cases ("Sa", "Ab"): capitals only,
# after the name only.
_LATIN_EXACT: Final = ("AG", "SA", "SAS", "SE", "SRL", "BV", "NV", "AB", "Oy", "ApS", "A/S")

_QUOTES: Final = "\"'«»“”„‟‘’`"
_OPENERS: Final = frozenset(" ([{-—–/")
_CYRILLIC: Final = re.compile(r"[\u0400-\u04FF]")
_LATIN: Final = re.compile(r"[A-Za-z]")


def _alternatives(forms: tuple[str, ...]) -> str:
    ordered = sorted(forms, key=len, reverse=True)  # the longest first: "Pty Ltd" before "Ltd"
    return "|".join(re.escape(form).replace(r"\ ", r"\s+") for form in ordered)


_BEFORE: Final = (
    f"(?:(?i:{_alternatives(_RU_WORDS + _LATIN_BEFORE)})|{_alternatives(_RU_ABBREVIATIONS)})"
)
_AFTER: Final = (
    f"(?:(?i:{_alternatives(_RU_WORDS + _LATIN_BEFORE + _LATIN_AFTER)})"
    f"|{_alternatives(_RU_ABBREVIATIONS + _LATIN_EXACT)})"
)
# A form at the start is followed by a space or a quote; at the end, preceded by a space or
# a comma, or it stands in brackets ("Банк ВТБ (ПАО)").
_PREFIX: Final = re.compile(rf"^{_BEFORE}(?:\s+|(?=[{re.escape(_QUOTES)}]))")
_SUFFIX: Final = re.compile(rf"(?:,?\s+|(?<=[{re.escape(_QUOTES)}]))(?:{_AFTER}|\({_AFTER}\))$")
_EDGES: Final = " ,;-—–"
# An individual entrepreneur trades under their own name («ИП Иванов»): a person, not a
# company name, so the form stays and no quotes are added («в компании ИП Иванов»).
_ENTREPRENEUR: Final = re.compile(r"^(?:ИП|(?i:индивидуальный\s+предприниматель))\s")


def has_cyrillic(text: str) -> bool:
    return bool(_CYRILLIC.search(text))


def without_legal_form(name: str) -> str:
    """The name with a legal form at its start or end left out; as typed when nothing else
    is left (a name that is only ``ООО``)."""
    name = " ".join(name.split())
    rest = name
    for _round in range(2):  # "ООО «Ромашка» (ООО)", "Acme Holdings, Inc. LLC": at most two
        stripped = _SUFFIX.sub("", _PREFIX.sub("", rest)).strip(_EDGES)
        if stripped == rest:
            break
        rest = stripped
    if rest.strip(_QUOTES + _EDGES):
        return rest
    # Only a legal form (perhaps with empty quotes, ``ООО ""``): the form itself is the name.
    return " ".join(name.translate({ord(quote): " " for quote in _QUOTES}).split()) or name


def _unquoted(name: str) -> str:
    """The name without the quotes around it (one pair; a lone quote at one end too)."""
    quotes = sum(char in _QUOTES for char in name)
    starts, ends = name[:1] in _QUOTES, name[-1:] in _QUOTES
    if starts and ends and len(name) > 1:
        name = name[1:-1]
    elif (starts or ends) and quotes == 1:
        name = name[1:] if starts else name[:-1]
    return name.strip()


def _inner_quotes(name: str) -> str:
    """Quotes inside a Russian name as „лапки“: opening after a space or at the start."""
    out: list[str] = []
    for index, char in enumerate(name):
        if char in _QUOTES and char not in "'’‘":
            before = name[index - 1] if index else " "
            out.append("„" if before in _OPENERS else "“")
        else:
            out.append(char)
    return "".join(out)


def company_name(typed: str, language: str) -> str:
    """The company as the running text of a ``language`` letter names it.

    ``ООО "Ромашка"`` → «Ромашка» in Russian, Ромашка in English; ``LLC Acme`` → Acme in
    both. A name that is only a legal form (``ООО``) is kept as typed.
    """
    cleaned = " ".join(typed.split())
    if _ENTREPRENEUR.match(cleaned):
        return cleaned
    bare = _unquoted(without_legal_form(cleaned)) or cleaned
    if language != "ru":
        return bare
    if not has_cyrillic(bare) and _LATIN.search(bare):
        return bare  # «в компании Acme»: Latin names are not quoted in Russian text
    return f"«{_inner_quotes(bare)}»"
