"""Drafts: every combination renders clean text, Russian agreement is exact, goldens match.

Set ``UPDATE_GOLDEN=1`` to rewrite the golden files in ``tests/golden/drafts/`` (then read
every one of them before committing).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import jinja2
import pytest

from bot.domain.intake import Area, Channel
from bot.domain.preferences import SIGNATURE_MAX, Gender
from bot.drafting.render import (
    FORBIDDEN,
    SHORT_LIMIT,
    Draft,
    DraftContext,
    DraftRenderError,
    Kind,
    Tone,
    check,
    environment,
    greeting_name,
    render,
    tidy,
)

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden" / "drafts"
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"

LANGUAGES = ("ru", "en")
GENDERS = tuple(g.value for g in Gender)
CHANNELS = tuple(c.value for c in Channel)
CHAT_CHANNELS = tuple(c for c in CHANNELS if c != Channel.EMAIL)
CONTACTS = (None, "Анна Петрова")
PRIORITY_SETS: tuple[tuple[str, ...], ...] = (
    (),
    (Area.TECHNICAL.value,),
    (Area.ATTITUDE.value, Area.TECHNICAL.value, Area.CULTURE.value, Area.COMMUNICATION.value),
)
WITH_SUBJECT = frozenset(Kind) - {Kind.SHORT_REQUEST}

MASCULINE = ("признателен", "благодарен", "рад ", "рад,", "был бы", "мог бы", "писал ")
FEMININE = ("признательна", "благодарна", "рада ", "рада,", "была бы", "могла", "писала")

HOSTILE_COMPANY = "<b>&Co</b>"
HOSTILE_POSITION = ("Senior Python Developer (Backend & Data) <i>«Платформа»</i> %s {{ y }} " * 3)[
    :100
].strip()
HOSTILE_SIGNATURE = ("Иван <u>Петров</u> & None {% raw %} " * 3)[:SIGNATURE_MAX].strip()
HOSTILE_CONTACTS = ("{{ x }} %s", "%s{{x}}<b>")


def context(**changes: object) -> DraftContext:
    base = DraftContext(
        language="ru",
        tone=Tone.FORMAL,
        gender="m",
        channel="email",
        company="Ромашка",
        position="Python-разработчик",
        contact_name="Анна Петрова",
        signature="Иван Петров",
        priorities=(Area.TECHNICAL.value, Area.COMMUNICATION.value),
        rejected=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def contexts(kind: Kind, language: str) -> Iterator[DraftContext]:
    for tone, gender, channel, contact, priorities, rejected in itertools.product(
        Tone, GENDERS, CHANNELS, CONTACTS, PRIORITY_SETS, (True, False)
    ):
        yield context(
            language=language,
            tone=tone,
            gender=gender,
            channel=channel,
            contact_name=contact,
            priorities=priorities,
            rejected=rejected,
        )


def layout_problems(text: str) -> list[str]:
    problems = [f"contains {bad!r}" for bad in FORBIDDEN if bad in text]
    if text != text.strip():
        problems.append("leading or trailing whitespace")
    if "\n\n\n" in text:
        problems.append("two blank lines in a row")
    if any(line != line.strip() for line in text.split("\n")):
        problems.append("spaces at a line's end or start")
    never = ("Уважаемый", "Уважаемая", "(ая)", "(а)", "Dear Ms", "Dear Mr")
    problems.extend(f"contains {bad!r}" for bad in never if bad in text)
    return problems


def describe(kind: Kind, ctx: DraftContext, draft: Draft, problems: list[str]) -> str:
    return f"{kind} {ctx}: {problems}\n{draft.subject}\n{draft.body}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(Kind))
def test_every_combination_renders_clean_text(kind: Kind, language: str) -> None:
    failures: list[str] = []
    count = 0
    for ctx in contexts(kind, language):
        draft = render(kind, ctx)
        count += 1
        problems = layout_problems(draft.body)
        if kind in WITH_SUBJECT and ctx.channel == Channel.EMAIL:
            if not draft.subject:
                problems.append("no subject on email")
            else:
                problems += [f"subject: {p}" for p in layout_problems(draft.subject)]
                if "\n" in draft.subject or len(draft.subject) > SHORT_LIMIT:
                    problems.append("subject is not one short line")
        elif draft.subject is not None:
            problems.append("a subject where none belongs")
        if not draft.body.endswith(ctx.signature):
            problems.append("the signature is not at the end")
        first_line = draft.body.split("\n", 1)[0]
        if ctx.contact_name is None and "Анна" in first_line:
            problems.append("a name in the greeting although none is known")
        if ctx.contact_name and "Анна" not in first_line:
            problems.append("the known name is missing from the greeting")
        if "Петрова" in first_line and not (
            language == "en" and ctx.tone is Tone.FORMAL and ctx.channel == Channel.EMAIL
        ):
            problems.append("the surname in the greeting")
        if kind is Kind.SHORT_REQUEST and len(draft.body) > SHORT_LIMIT:
            problems.append(f"short request of {len(draft.body)} characters")
        chat_thanks = kind is Kind.THANKS_AFTER_FEEDBACK and ctx.channel != Channel.EMAIL
        if (
            kind is not Kind.SHORT_REQUEST
            and not chat_thanks
            and ("Ромашка" not in draft.body and "Python-разработчик" not in draft.body)
        ):
            problems.append("neither the company nor the position is mentioned")
        if problems:
            failures.append(describe(kind, ctx, draft, problems))
    assert count == 2 * 3 * 5 * 2 * 3 * 2
    assert not failures, "\n\n".join(failures[:5])


@pytest.mark.parametrize("kind", list(Kind))
def test_russian_agreement_is_exact(kind: Kind) -> None:
    failures: list[str] = []
    for ctx in contexts(kind, "ru"):
        body = draft_text(render(kind, ctx))
        masculine = [form for form in MASCULINE if form in body]
        feminine = [form for form in FEMININE if form in body]
        problems: list[str] = []
        if ctx.gender == Gender.MASCULINE:
            if feminine:
                problems.append(f"feminine forms {feminine}")
            if kind is not Kind.SHORT_REQUEST and not masculine:
                problems.append("no masculine form")
        elif ctx.gender == Gender.FEMININE:
            if masculine:
                problems.append(f"masculine forms {masculine}")
            if kind is not Kind.SHORT_REQUEST and not feminine:
                problems.append("no feminine form")
        elif masculine or feminine or "(а)" in body:
            problems.append(f"gendered forms {masculine + feminine}")
        if problems:
            failures.append(f"{ctx}: {problems}\n{body}")
    assert not failures, "\n\n".join(failures[:5])


def test_masculine_and_feminine_requests_differ_only_in_agreement() -> None:
    masculine = render(Kind.REQUEST, context(gender="m")).body
    feminine = render(Kind.REQUEST, context(gender="f")).body
    assert "был бы признателен" in masculine
    assert "была бы признательна" in feminine
    assert masculine.replace("был бы признателен", "была бы признательна") == feminine


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(WITH_SUBJECT))
def test_chat_drafts_have_no_subject_and_are_shorter(kind: Kind, language: str) -> None:
    for tone, gender, priorities, rejected in itertools.product(
        Tone, GENDERS, PRIORITY_SETS, (True, False)
    ):
        ctx = context(
            language=language, tone=tone, gender=gender, priorities=priorities, rejected=rejected
        )
        email = render(kind, ctx)
        assert email.subject
        for channel in CHAT_CHANNELS:
            chat = render(kind, replace(ctx, channel=channel))
            assert chat.subject is None
            assert len(chat.body) < len(email.body), (email.body, chat.body)
            assert "\n\n" not in chat.body  # one message, no paragraphs of ceremony


def hostile_contexts() -> Iterator[DraftContext]:
    for language, tone, gender, channel, contact, priorities, rejected in itertools.product(
        LANGUAGES,
        Tone,
        GENDERS,
        (Channel.EMAIL.value, Channel.TELEGRAM.value, Channel.PHONE.value),
        HOSTILE_CONTACTS,
        (PRIORITY_SETS[0], PRIORITY_SETS[2]),
        (True, False),
    ):
        yield DraftContext(
            language=language,
            tone=tone,
            gender=gender,
            channel=channel,
            company=HOSTILE_COMPANY,
            position=HOSTILE_POSITION,
            contact_name=contact,
            signature=HOSTILE_SIGNATURE,
            priorities=priorities,
            rejected=rejected,
        )


@pytest.mark.parametrize("kind", list(Kind))
def test_hostile_inputs_come_back_exactly(kind: Kind) -> None:
    assert len(HOSTILE_POSITION) == 100
    assert len(HOSTILE_SIGNATURE) == SIGNATURE_MAX
    for ctx in hostile_contexts():
        draft = render(kind, ctx)
        body = draft.body
        assert body.endswith(HOSTILE_SIGNATURE), body
        assert contact_in_greeting(kind, ctx) in body.split("\n", 1)[0], body
        if kind is Kind.SHORT_REQUEST:
            assert len(body) <= SHORT_LIMIT, body
            continue
        if kind is not Kind.THANKS_AFTER_FEEDBACK or ctx.channel == Channel.EMAIL:
            assert HOSTILE_COMPANY in body, body
            assert HOSTILE_POSITION in body, body
        if draft.subject is not None:
            assert HOSTILE_POSITION in draft.subject
        # Nothing typed was evaluated, escaped or quoted twice.
        assert "&amp;" not in body
        assert "&lt;" not in body
        assert "««" not in body


def contact_in_greeting(kind: Kind, ctx: DraftContext) -> str:
    assert ctx.contact_name
    if (
        kind is not Kind.SHORT_REQUEST
        and ctx.language == "en"
        and ctx.tone is Tone.FORMAL
        and ctx.channel == Channel.EMAIL
    ):
        return ctx.contact_name  # "Dear {{ x }} %s,"
    return ctx.contact_name.split()[0]


def test_hostile_contact_is_kept_whole_in_the_formal_english_email() -> None:
    for contact in HOSTILE_CONTACTS:
        ctx = context(language="en", contact_name=contact, company=HOSTILE_COMPANY)
        assert render(Kind.REQUEST, ctx).body.startswith(f"Dear {contact},\n")
        ru = render(Kind.REQUEST, replace(ctx, language="ru")).body
        assert ru.startswith(f"Добрый день, {contact.split()[0]}!\n")


@pytest.mark.parametrize("language", LANGUAGES)
def test_short_request_always_fits(language: str) -> None:
    long_word = "Ааааааааа" * 11 + "а"  # a 100-character one-word name
    assert len(long_word) == 100
    # The short request has no gendered words; email and chats differ in the sign-off only.
    for tone, gender, channel, contact, company, position, rejected in itertools.product(
        Tone,
        (Gender.FEMININE.value,),
        (Channel.EMAIL.value, Channel.TELEGRAM.value),
        (None, long_word, f"{long_word} Петрова"),
        ("Ромашка", "К" * 100, HOSTILE_COMPANY),
        ("Python-разработчик", "П" * 100, HOSTILE_POSITION),
        (True, False),
    ):
        ctx = context(
            language=language,
            tone=tone,
            gender=gender,
            channel=channel,
            contact_name=contact,
            company=company,
            position=position,
            signature="Я" * SIGNATURE_MAX,
            rejected=rejected,
        )
        draft = render(Kind.SHORT_REQUEST, ctx)
        assert len(draft.body) <= SHORT_LIMIT, draft.body
        assert draft.subject is None
        assert draft.body.endswith("Я" * SIGNATURE_MAX)
        assert not layout_problems(draft.body), draft.body
        # Shortened by leaving details out, never by cutting words.
        sentences = draft.body.split("\n")[1]
        assert sentences.endswith((".", "?")), draft.body


def test_short_request_keeps_every_detail_when_it_fits() -> None:
    body = render(Kind.SHORT_REQUEST, context()).body
    assert "«Ромашка»" in body
    assert "«Python-разработчик»" in body
    assert body.startswith("Добрый день, Анна!\n")


def test_short_request_leaves_the_position_out_first() -> None:
    ctx = context(position="П" * 100, signature="Я" * SIGNATURE_MAX)
    body = render(Kind.SHORT_REQUEST, ctx).body
    assert "П" * 100 not in body
    assert "«Ромашка»" in body
    assert "Анна" in body


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Анна", "Анна"),
        ("Анна Петрова", "Анна"),
        ("  Anna   Smith ", "Anna"),
        ("Анна Сергеевна", "Анна Сергеевна"),
        ("Анна Сергеевна Петрова", "Анна Сергеевна"),
        ("Петрова Анна Сергеевна", "Анна Сергеевна"),
        ("Иван Ильич Петров", "Иван Ильич"),
        ("Роман Абрамович", "Роман"),  # a surname just as likely as a patronymic
        (None, ""),
        ("   ", ""),
    ],
)
def test_greeting_name(typed: str | None, expected: str) -> None:
    assert greeting_name(typed) == expected


def test_greetings_never_guess_the_recipients_gender() -> None:
    assert render(Kind.REQUEST, context()).body.startswith("Добрый день, Анна!\n\n")
    neutral = context(tone=Tone.NEUTRAL, contact_name=None)
    assert render(Kind.REQUEST, neutral).body.startswith("Здравствуйте!\n\n")
    english = context(language="en", contact_name=None)
    assert render(Kind.REQUEST, english).body.startswith("Dear Hiring Team,\n\n")
    english_chat = context(
        language="en", tone=Tone.NEUTRAL, channel="telegram", contact_name="Anna Smith"
    )
    assert render(Kind.REQUEST, english_chat).body.startswith("Hi Anna!\n")


def test_company_already_in_quotes_is_not_quoted_again() -> None:
    body = render(Kind.REQUEST, context(company="ООО «Ромашка»")).body
    assert "в компании ООО «Ромашка»." in body
    assert "««" not in body


def test_priorities_follow_the_persons_order() -> None:
    body = render(Kind.REQUEST, context(priorities=("culture", "tech"))).body
    assert body.index("культуре компании") < body.index("технический уровень")
    general = render(Kind.REQUEST, context(priorities=())).body
    assert "какие навыки мне стоит развить" in general


def test_environment_is_strict_plain_text() -> None:
    env = environment()
    assert env is environment()
    assert env.undefined is jinja2.StrictUndefined
    assert env.autoescape is False
    assert env.trim_blocks
    assert env.lstrip_blocks
    assert not env.keep_trailing_newline


@pytest.mark.parametrize("bad", ["None", "{{", "()", "[]", "a  b", "a ,", "a .", "(а)", "(-льна)"])
def test_check_rejects_broken_wording(bad: str) -> None:
    with pytest.raises(DraftRenderError):
        check(f"Текст {bad} текст", "test")


def test_tidy() -> None:
    assert tidy("\n\n  Привет,   мир  \n\n\n\nТекст \n\n") == "Привет, мир\n\nТекст"


@pytest.mark.parametrize(
    "changes",
    [
        {"language": "de"},
        {"gender": "x"},
        {"priorities": ("tech", "charisma")},
        {"company": " "},
    ],
)
def test_invalid_context_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        render(Kind.REQUEST, context(**changes))


# --- golden files -----------------------------------------------------------------------

GOLDEN: dict[str, tuple[Kind, DraftContext]] = {
    "ru_request_email_formal_m": (Kind.REQUEST, context()),
    "ru_request_telegram_neutral_f": (
        Kind.REQUEST,
        context(
            tone=Tone.NEUTRAL,
            gender="f",
            channel="telegram",
            contact_name="Анна",
            signature="Мария Соколова",
            priorities=("culture",),
        ),
    ),
    "ru_request_email_neutral_n_no_contact": (
        Kind.REQUEST,
        context(
            tone=Tone.NEUTRAL,
            gender="n",
            contact_name=None,
            signature="Саша Ким",
            priorities=(),
            rejected=False,
        ),
    ),
    "ru_short_request_chat_formal_n": (
        Kind.SHORT_REQUEST,
        context(gender="n", channel="chat", contact_name="Ольга Сергеевна Иванова"),
    ),
    "ru_follow_up_email_formal_f": (
        Kind.FOLLOW_UP,
        context(gender="f", signature="Мария Соколова"),
    ),
    "ru_thanks_after_feedback_telegram_neutral_m": (
        Kind.THANKS_AFTER_FEEDBACK,
        context(tone=Tone.NEUTRAL, channel="telegram"),
    ),
    "ru_thanks_offer_email_formal_n": (
        Kind.THANKS_OFFER,
        context(gender="n", signature="Саша Ким", rejected=False, priorities=()),
    ),
    "en_request_email_formal": (
        Kind.REQUEST,
        context(
            language="en",
            company="Acme",
            position="Senior Python Developer",
            contact_name="Anna Smith",
            signature="John Smith",
            priorities=("tech", "comm", "culture", "attitude"),
        ),
    ),
    "en_request_telegram_neutral": (
        Kind.REQUEST,
        context(
            language="en",
            tone=Tone.NEUTRAL,
            channel="telegram",
            company="Acme",
            position="Senior Python Developer",
            contact_name="Anna Smith",
            signature="John Smith",
            priorities=("comm",),
            rejected=False,
        ),
    ),
    "en_short_request_email_neutral": (
        Kind.SHORT_REQUEST,
        context(
            language="en",
            tone=Tone.NEUTRAL,
            company="Acme",
            position="Senior Python Developer",
            contact_name=None,
            signature="John Smith",
        ),
    ),
    "en_follow_up_telegram_formal": (
        Kind.FOLLOW_UP,
        context(
            language="en",
            channel="telegram",
            company="Acme",
            position="Senior Python Developer",
            contact_name="Anna Smith",
            signature="John Smith",
        ),
    ),
    "en_thanks_after_feedback_email_neutral": (
        Kind.THANKS_AFTER_FEEDBACK,
        context(
            language="en",
            tone=Tone.NEUTRAL,
            company="Acme",
            position="Senior Python Developer",
            contact_name="Anna Smith",
            signature="John Smith",
        ),
    ),
}


def draft_text(draft: Draft) -> str:
    if draft.subject is None:
        return f"{draft.body}\n"
    return f"Subject: {draft.subject}\n\n{draft.body}\n"


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden(name: str) -> None:
    kind, ctx = GOLDEN[name]
    text = draft_text(render(kind, ctx))
    path = GOLDEN_DIR / f"{name}.txt"
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text


def test_no_stale_golden_files() -> None:
    assert {path.stem for path in GOLDEN_DIR.glob("*.txt")} == set(GOLDEN)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(Kind))
def test_empty_signature_and_contact(kind: Kind, language: str) -> None:
    for tone, channel in itertools.product(Tone, CHANNELS):
        ctx = context(language=language, tone=tone, channel=channel, contact_name=" ", signature="")
        body = render(kind, ctx).body
        assert not layout_problems(body), body
        assert not body.endswith(","), body
