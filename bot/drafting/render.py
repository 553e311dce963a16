"""Drafts the person sends to an employer, rendered from Jinja templates (pure: no aiogram, no DB).

Templates live in ``bot/drafting/templates/<language>/<kind>.txt.j2``, one file per kind and
language, plus ``_macros.txt.j2`` per language (greeting, sign-off). Each kind's template
holds two blocks: ``body`` and, for the kinds sent by email, ``subject``. The blocks are
rendered separately; the subject is used only on the email channel (``short_request`` has
none). Templates are plain text: no autoescaping (the bot escapes HTML when it shows a draft).

Variables every template gets:

``formal``, ``email``
    Booleans: the tone, and whether the channel is email (otherwise a chat: Telegram, the
    hh.ru or site chat, a messenger after a phone call — shorter, no subject, no ceremony).
``rejected``, ``status``, ``silent``
    The situation, from the outcome: a rejection; no decision yet (``status``: waiting for
    it, or the company went silent — then ``silent`` too). With no decision the request and
    its follow-up first ask where the process stands and when a decision is expected, and
    mention feedback only as a second, optional sentence.
``gender``
    ``"m"``, ``"f"`` or ``"n"``: the Russian agreement of the *author*. Masculine and
    feminine use exact forms ("был бы признателен" / "была бы признательна"); the neutral
    form rewrites the sentence with no gendered word at all ("поделитесь, пожалуйста…",
    "даже пара предложений мне очень поможет") — never "(а)".
``areas``
    The priority areas (``bot.domain.intake.Area`` values) in the person's order, at most
    :data:`MAX_AREAS` of them: the seed asks for feedback in one or two sentences, so a
    letter names the person's first two and the rest wait for a later question.
``company``, ``position``, ``name``, ``full_name``, ``signature``
    What the person typed. The company arrives as a letter names it
    (:func:`bot.drafting.names.company_name`: ``ООО "Ромашка"`` → «Ромашка» in Russian,
    ``Acme Inc.`` → Acme); the position in «ёлочки» in Russian (left as typed when it
    already contains quotes), bare in English.
    Russian sentences name the company as "в компании «…»", so it never needs declining.
    ``name`` is the form used in greetings ("" when unknown): the first word of the contact
    ("Анна Петрова" → "Анна"); in Russian, the name with the patronymic when one was typed
    ("Анна Сергеевна Петрова" → "Анна Сергеевна", the usual business address).
    ``full_name`` is the contact as typed, used only by the formal English email greeting
    ("Dear Anna Smith," — "Dear Ms Smith" would need the recipient's gender, unknown here).
    An empty signature leaves the sign-off without a name.
``details``
    For the ``subject`` block only: " — <position>, <signature>" with whichever of the two
    fits (the position bare), or "". A subject is at most :data:`SUBJECT_LIMIT` characters:
    it is rendered with both, then without the position, without the signature, without
    both — parts are left out, words are never cut.

``short_request`` must fit ``SHORT_LIMIT`` (Telegram's ``copy_text``): it is rendered with
every detail first, then without the position, without the company, without both, without
the name, and as a last resort (a signature longer than the 64 characters allowed) without
the signature — details are left out, words are never cut. The template sees the left-out
values as "".

A chat never gets the e-mail layout: inline mode, which pastes a draft into a chat, renders
:func:`chat_version` of the context (no subject, no e-mail sign-off block).

An English draft keeps what the person typed in Cyrillic as typed (no silent
transliteration); :func:`cyrillic_fields` says which fields those are, so the bot can say
so above the draft.

Paragraphs are written over several template lines inside ``{% filter para %}``: the lines
are joined with single spaces, and a line starting with punctuation is glued to the one
before, so a sentence can end in another ``{% if %}`` branch (see :func:`paragraph`).

The recipient's gender is never guessed: the formal Russian greeting is
"Добрый день, Анна!" and the neutral one "Здравствуйте, Анна!" (no "Уважаемый(ая)");
without a name, "Добрый день!" / "Здравствуйте!". Russian drafts address the reader as
"вы" in lower case throughout.

Everything the person typed is inserted as a placeholder token first; the template output
is tidied (trailing spaces, doubled spaces, blank-line runs) and checked against the output
rules (no "None", "{{", empty brackets, doubled spaces, space before punctuation, "(а)"…)
with the placeholders in place — so the rules judge the wording, while the typed text
(a company called ``<b>&Co</b>``, a contact typed as ``{{ x }}``) comes back exactly as
typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Final

import jinja2

from bot.drafting.names import company_name, has_cyrillic

TEMPLATES_DIR: Final = Path(__file__).resolve().parent / "templates"
LANGUAGES: Final = ("ru", "en")
GENDERS: Final = frozenset({"m", "f", "n"})
AREAS: Final = ("tech", "comm", "culture", "attitude")
EMAIL: Final = "email"
CHAT: Final = "chat"  # bot.domain.intake.Channel values
SHORT_LIMIT: Final = 256
SUBJECT_LIMIT: Final = 80
MAX_AREAS: Final = 2  # priority areas one letter names
REJECTED: Final = "rejected"  # bot.domain.intake.Outcome values
WAITING: Final = "waiting"
SILENT: Final = "silent"
OFFER: Final = "offer"
OUTCOMES: Final = frozenset({REJECTED, WAITING, SILENT, OFFER})

# Never allowed in the wording itself (the typed values are checked separately: they are
# the person's own text and are kept as typed).
FORBIDDEN: Final = (
    "None",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "()",
    "[]",
    "«»",
    '""',
    "  ",
    " ,",
    " .",
    " !",
    " ?",
    " :",
    " ;",
    ",,",
    "..",
    ",.",
    ".,",
    "!.",
    "?.",
    "(а)",
    "(ая)",
    "(-льна)",
    "(ла)",
    "\t",
)

_QUOTES: Final = frozenset('«»"“”„')
_PATRONYMIC: Final = re.compile(r"(?:вич|вна|ична|ьич)$", re.IGNORECASE)
_FEMININE_PATRONYMIC: Final = re.compile(r"(?:вна|ична)$", re.IGNORECASE)
_TOKEN: Final = re.compile("\ue000(\\d+)\ue001")
_SPACES: Final = re.compile(r" {2,}")
_GLUE: Final = re.compile(r" ([,.:;!?])")


class Kind(StrEnum):
    REQUEST = "request"
    SHORT_REQUEST = "short_request"
    FOLLOW_UP = "follow_up"
    THANKS_AFTER_FEEDBACK = "thanks_after_feedback"
    THANKS_OFFER = "thanks_offer"
    CLARIFY = "clarify"  # a clarifying question about feedback received


class Tone(StrEnum):
    FORMAL = "formal"
    NEUTRAL = "neutral"


@dataclass(frozen=True, slots=True)
class DraftContext:
    language: str  # "ru" | "en": the draft's language, independent of the interface language
    tone: Tone
    gender: str  # bot.domain.preferences.Gender value: the author's Russian agreement
    channel: str  # bot.domain.intake.Channel value
    company: str
    position: str
    contact_name: str | None  # the interviewer or recruiter as typed; None = unknown
    signature: str  # the author's name
    priorities: tuple[str, ...]  # bot.domain.intake.Area values, in the person's order
    outcome: str  # bot.domain.intake.Outcome value: rejected | waiting | offer | silent


@dataclass(frozen=True, slots=True)
class Draft:
    subject: str | None  # the email subject; None on chat channels and for short_request
    body: str


class DraftRenderError(RuntimeError):
    """A template produced text that breaks the output rules (a bug in the templates)."""


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - plain text; the bot escapes HTML when showing it
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["para"] = paragraph
    return env


def paragraph(text: str) -> str:
    """The ``para`` filter: a paragraph written on several template lines, as one line.

    Lines are joined with a space; a line starting with punctuation continues the previous
    one without it, so a sentence may end in another ``{% if %}`` branch than the one it
    started in. (With ``trim_blocks`` a text line must not end with a block tag, or the
    line break that becomes the space is lost.) The paragraph ends with a line break.
    """
    return _GLUE.sub(r"\1", " ".join(text.split())) + "\n"


def greeting_name(contact: str | None, *, full: bool = False, first_word: bool = False) -> str:
    """The contact as a greeting addresses them; "" when unknown.

    The first word ("Анна Петрова" → "Анна"), or the name with the patronymic when one was
    typed ("Анна Сергеевна Петрова" → "Анна Сергеевна", "Петрова Анна Сергеевна" →
    "Анна Сергеевна"). Two words ending like a masculine patronymic ("Роман Абрамович")
    may as well be a surname, so only the first word is used then. ``full`` keeps the name
    as typed; ``first_word`` ignores patronymics (English drafts).
    """
    words = (contact or "").split()
    if not words:
        return ""
    if full:
        return " ".join(words)
    if first_word:
        return words[0]
    if len(words) == 2 and _FEMININE_PATRONYMIC.search(words[1]):
        return " ".join(words)
    if len(words) >= 3:
        if _PATRONYMIC.search(words[1]) and not _PATRONYMIC.search(words[0]):
            return " ".join(words[:2])
        if _PATRONYMIC.search(words[2]) and not _PATRONYMIC.search(words[1]):
            return " ".join(words[1:3])
    return words[0]


def quoted(value: str, language: str) -> str:
    """A position for the running text: «…» in Russian unless already quoted."""
    if language != "ru" or _QUOTES & set(value):
        return value
    return f"«{value}»"


@dataclass(slots=True)
class _Typed:
    """The person's text, replaced by tokens while rendering and put back at the end."""

    values: list[str] = field(default_factory=list)

    def token(self, value: str) -> str:
        if not value:
            return ""
        self.values.append(value)
        return f"\ue000{len(self.values) - 1}\ue001"

    def restore(self, text: str) -> str:
        return _TOKEN.sub(lambda match: self.values[int(match.group(1))], text)


def tidy(text: str) -> str:
    """Trailing and doubled spaces removed, at most one blank line, none at either end."""
    lines: list[str] = []
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw.replace("\t", " ")).strip()
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def check(text: str, where: str) -> None:
    """Raise when the wording breaks an output rule (the typed values are tokens here)."""
    for bad in FORBIDDEN:
        if bad in text:
            raise DraftRenderError(f"{where}: the draft contains {bad!r}: {text!r}")
    if not text.strip():
        raise DraftRenderError(f"{where}: the draft is empty")


@dataclass(frozen=True, slots=True)
class _Detail:
    """What a short request may leave out to fit ``SHORT_LIMIT``."""

    name: bool = True
    company: bool = True
    position: bool = True
    signature: bool = True


# The short request tries these in order and takes the first that fits.
_SHORT_DETAILS: Final = (
    _Detail(),
    _Detail(position=False),
    _Detail(company=False),
    _Detail(company=False, position=False),
    _Detail(name=False, position=False),
    _Detail(name=False, company=False, position=False),
    _Detail(name=False, company=False, position=False, signature=False),
)


def _validate(context: DraftContext) -> None:
    if context.language not in LANGUAGES:
        raise ValueError(f"unsupported draft language: {context.language!r}")
    if context.gender not in GENDERS:
        raise ValueError(f"unknown gender form: {context.gender!r}")
    Tone(context.tone)
    if context.outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome: {context.outcome!r}")
    unknown = [area for area in context.priorities if area not in AREAS]
    if unknown:
        raise ValueError(f"unknown priority areas: {unknown!r}")
    if not context.company.strip() or not context.position.strip():
        raise ValueError("a draft needs the company and the position")


def asked_areas(priorities: tuple[str, ...]) -> tuple[str, ...]:
    """The areas a letter names: the person's first :data:`MAX_AREAS`, without repeats."""
    return tuple(dict.fromkeys(priorities))[:MAX_AREAS]


def chat_version(context: DraftContext) -> DraftContext:
    """The context rendered as a chat message: what inline mode pastes into a chat."""
    if context.channel == EMAIL:
        return replace(context, channel=CHAT)
    return context


def _clean(value: str) -> str:
    return " ".join(value.split())


def _variables(context: DraftContext, typed: _Typed, detail: _Detail) -> dict[str, Any]:
    formal = Tone(context.tone) is Tone.FORMAL
    email = context.channel == EMAIL
    language = context.language
    company = company_name(context.company, language)
    position = quoted(_clean(context.position), language)
    status = context.outcome in {WAITING, SILENT}
    return {
        "formal": formal,
        "email": email,
        "gender": context.gender,
        "rejected": context.outcome == REJECTED,
        "status": status,
        "silent": context.outcome == SILENT,
        "areas": list(asked_areas(context.priorities)),
        "company": typed.token(company) if detail.company else "",
        "position": typed.token(position) if detail.position else "",
        "name": (
            typed.token(greeting_name(context.contact_name, first_word=language != "ru"))
            if detail.name
            else ""
        ),
        "full_name": (
            typed.token(greeting_name(context.contact_name, full=True)) if detail.name else ""
        ),
        "signature": typed.token(_clean(context.signature)) if detail.signature else "",
        "details": "",
    }


def _subject_details(context: DraftContext, typed: _Typed, position: bool, name: bool) -> str:
    """The subject's tail: " — Python-разработчик, Анна Петрова", the parts asked for and known."""
    parts = [
        typed.token(value)
        for value, wanted in (
            (_clean(context.position), position),
            (_clean(context.signature), name),
        )
        if wanted and value
    ]
    return f" — {', '.join(parts)}" if parts else ""


# The subject tries these (position, signature) in order and takes the first that fits.
_SUBJECT_DETAILS: Final = ((True, True), (False, True), (True, False), (False, False))


def _render_block(
    template: jinja2.Template, block: str, variables: dict[str, Any], typed: _Typed
) -> str:
    render: Callable[[Any], Iterator[str]] = template.blocks[block]
    text = tidy("".join(render(template.new_context(dict(variables)))))
    check(text, f"{template.name}#{block}")
    return typed.restore(text)


def _subject(
    template: jinja2.Template, context: DraftContext, variables: dict[str, Any], typed: _Typed
) -> str:
    subject = ""
    for position, name in _SUBJECT_DETAILS:
        details = _subject_details(context, typed, position, name)
        subject = _render_block(template, "subject", {**variables, "details": details}, typed)
        if "\n" in subject:
            raise DraftRenderError(f"{template.name}: the subject spans several lines")
        if len(subject) <= SUBJECT_LIMIT:
            return subject
    raise DraftRenderError(f"{template.name}: the subject exceeds {SUBJECT_LIMIT}: {subject!r}")


def _render(kind: Kind, context: DraftContext, detail: _Detail) -> Draft:
    template = environment().get_template(f"{context.language}/{kind.value}.txt.j2")
    typed = _Typed()
    variables = _variables(context, typed, detail)
    body = _render_block(template, "body", variables, typed)
    subject = None
    if variables["email"] and "subject" in template.blocks:
        subject = _subject(template, context, variables, typed)
    return Draft(subject=subject, body=body)


def render(kind: Kind, context: DraftContext) -> Draft:
    """The draft of ``kind`` for ``context``; a ``short_request`` body fits ``SHORT_LIMIT``."""
    kind = Kind(kind)
    _validate(context)
    if kind is not Kind.SHORT_REQUEST:
        return _render(kind, context, _Detail())
    draft = None
    for detail in _SHORT_DETAILS:
        draft = _render(kind, context, detail)
        if len(draft.body) <= SHORT_LIMIT:
            return draft
    raise DraftRenderError(f"the short request does not fit {SHORT_LIMIT} characters: {draft}")


def cyrillic_fields(context: DraftContext, draft: Draft) -> tuple[str, ...]:
    """What the person typed in Cyrillic that an English draft shows as typed.

    ``company``, ``position``, ``contact`` and ``signature``, in that order, each only when
    the draft's text holds it (an English draft names the company without its legal form,
    greets the contact by the first word in a chat). Empty for a Russian draft.
    """
    if context.language == "ru":
        return ()
    text = f"{draft.subject or ''}\n{draft.body}"
    fields = (
        ("company", company_name(context.company, context.language)),
        ("position", _clean(context.position)),
        ("contact", context.contact_name or ""),
        ("signature", _clean(context.signature)),
    )
    return tuple(
        field
        for field, value in fields
        if any(has_cyrillic(word) and word in text for word in value.split())
    )
