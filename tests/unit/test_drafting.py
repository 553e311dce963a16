"""Drafts: every combination renders clean text, Russian agreement is exact, goldens match.

Set ``UPDATE_GOLDEN=1`` to rewrite the golden files in ``tests/golden/drafts/`` (then read
every one of them before committing).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import jinja2
import pytest

from bot.domain.intake import Area, Channel, Outcome
from bot.domain.preferences import SIGNATURE_MAX, Gender
from bot.drafting.names import company_name
from bot.drafting.render import (
    FORBIDDEN,
    SHORT_LIMIT,
    SUBJECT_LIMIT,
    Draft,
    DraftContext,
    DraftRenderError,
    Kind,
    Tone,
    chat_version,
    check,
    cyrillic_fields,
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
OUTCOMES = tuple(o.value for o in Outcome)

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
        outcome="rejected",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def contexts(kind: Kind, language: str) -> Iterator[DraftContext]:
    for tone, gender, channel, contact, priorities, outcome in itertools.product(
        Tone, GENDERS, CHANNELS, CONTACTS, PRIORITY_SETS, OUTCOMES
    ):
        yield context(
            language=language,
            tone=tone,
            gender=gender,
            channel=channel,
            contact_name=contact,
            priorities=priorities,
            outcome=outcome,
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
                if "\n" in draft.subject or len(draft.subject) > SUBJECT_LIMIT:
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
    assert count == 2 * 3 * 5 * 2 * 3 * 4
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
    for tone, gender, priorities, outcome in itertools.product(
        Tone, GENDERS, PRIORITY_SETS, OUTCOMES
    ):
        ctx = context(
            language=language, tone=tone, gender=gender, priorities=priorities, outcome=outcome
        )
        email = render(kind, ctx)
        assert email.subject
        for channel in CHAT_CHANNELS:
            chat = render(kind, replace(ctx, channel=channel))
            assert chat.subject is None
            assert len(chat.body) < len(email.body), (email.body, chat.body)
            assert "\n\n" not in chat.body  # one message, no paragraphs of ceremony


def hostile_contexts() -> Iterator[DraftContext]:
    for language, tone, gender, channel, contact, priorities, outcome in itertools.product(
        LANGUAGES,
        Tone,
        GENDERS,
        (Channel.EMAIL.value, Channel.TELEGRAM.value, Channel.PHONE.value),
        HOSTILE_CONTACTS,
        (PRIORITY_SETS[0], PRIORITY_SETS[2]),
        OUTCOMES,
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
            outcome=outcome,
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
            # Too long for the subject with the rest: left out whole, never cut.
            assert len(draft.subject) <= SUBJECT_LIMIT, draft.subject
            assert HOSTILE_POSITION[:10] not in draft.subject, draft.subject
            assert HOSTILE_SIGNATURE not in draft.subject  # 64 + the title > 80
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
    for tone, gender, channel, contact, company, position, outcome in itertools.product(
        Tone,
        (Gender.FEMININE.value,),
        (Channel.EMAIL.value, Channel.TELEGRAM.value),
        (None, long_word, f"{long_word} Петрова"),
        ("Ромашка", "К" * 100, HOSTILE_COMPANY),
        ("Python-разработчик", "П" * 100, HOSTILE_POSITION),
        OUTCOMES,
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
            outcome=outcome,
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
    body = render(Kind.REQUEST, context(company="«Ромашка»")).body
    assert "в компании «Ромашка»." in body
    assert "««" not in body


def test_priorities_follow_the_persons_order() -> None:
    body = render(Kind.REQUEST, context(priorities=("culture", "tech"))).body
    assert "как вы оцениваете мою совместимость с командой и технический уровень." in body
    general = render(Kind.REQUEST, context(priorities=())).body
    assert "как вы оцениваете" not in general
    assert "над чем мне стоит поработать." in general


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
        {"outcome": "maybe"},
        {"company": " "},
    ],
)
def test_invalid_context_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        render(Kind.REQUEST, context(**changes))


# --- golden files -----------------------------------------------------------------------

ENGLISH = {
    "language": "en",
    "company": "Acme Inc.",
    "position": "Senior Python Developer",
    "contact_name": "Anna Smith",
    "signature": "John Smith",
}

GOLDEN: dict[str, tuple[Kind, DraftContext]] = {
    "ru_request_email_formal_m": (Kind.REQUEST, context(company='ООО "Ромашка"')),
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
    "ru_request_email_formal_f_waiting": (
        Kind.REQUEST,
        context(
            gender="f",
            company="АО «Альфа»",
            signature="Мария Соколова",
            priorities=("attitude", "tech", "culture"),
            outcome="waiting",
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
            outcome="waiting",
        ),
    ),
    "ru_request_telegram_neutral_m_silent": (
        Kind.REQUEST,
        context(tone=Tone.NEUTRAL, channel="telegram", priorities=(), outcome="silent"),
    ),
    "ru_short_request_chat_formal_n": (
        Kind.SHORT_REQUEST,
        context(gender="n", channel="chat", contact_name="Ольга Сергеевна Иванова"),
    ),
    "ru_follow_up_email_formal_f": (
        Kind.FOLLOW_UP,
        context(gender="f", signature="Мария Соколова"),
    ),
    "ru_follow_up_telegram_neutral_m": (
        Kind.FOLLOW_UP,
        context(tone=Tone.NEUTRAL, channel="telegram", company="ПАО «Сбербанк»"),
    ),
    "ru_clarify_email_formal_m": (Kind.CLARIFY, context()),
    "ru_clarify_telegram_neutral_n": (
        Kind.CLARIFY,
        context(
            tone=Tone.NEUTRAL,
            gender="n",
            channel="telegram",
            signature="Саша Ким",
            priorities=("culture",),
        ),
    ),
    "ru_thanks_after_feedback_telegram_neutral_m": (
        Kind.THANKS_AFTER_FEEDBACK,
        context(tone=Tone.NEUTRAL, channel="telegram"),
    ),
    "ru_thanks_offer_email_formal_n": (
        Kind.THANKS_OFFER,
        context(gender="n", signature="Саша Ким", outcome="offer", priorities=()),
    ),
    "en_request_email_formal": (
        Kind.REQUEST,
        context(**ENGLISH, priorities=("tech", "comm", "culture", "attitude")),
    ),
    "en_request_email_formal_silent": (
        Kind.REQUEST,
        context(**ENGLISH, priorities=("comm",), outcome="silent"),
    ),
    "en_request_telegram_neutral": (
        Kind.REQUEST,
        context(
            **ENGLISH,
            tone=Tone.NEUTRAL,
            channel="telegram",
            priorities=("comm",),
            outcome="waiting",
        ),
    ),
    "en_short_request_email_neutral": (
        Kind.SHORT_REQUEST,
        context(**{**ENGLISH, "contact_name": None}, tone=Tone.NEUTRAL),
    ),
    "en_follow_up_telegram_formal": (
        Kind.FOLLOW_UP,
        context(**ENGLISH, channel="telegram"),
    ),
    "en_clarify_email_formal": (Kind.CLARIFY, context(**ENGLISH)),
    "en_thanks_after_feedback_email_neutral": (
        Kind.THANKS_AFTER_FEEDBACK,
        context(**ENGLISH, tone=Tone.NEUTRAL),
    ),
    "en_thanks_offer_email_neutral": (
        Kind.THANKS_OFFER,
        context(**ENGLISH, tone=Tone.NEUTRAL, outcome="offer", priorities=()),
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


# --- what a recruiter reads (issue 18) ----------------------------------------------------

# The longest real-shaped inputs: a 60-character position, a long company with a legal form,
# a contact with a patronymic and a double surname, a long signature.
LONG_POSITION = "Ведущий инженер-программист Python (бэкенд, платёжные шлюзы)"
LONG_COMPANY = (
    'Общество с ограниченной ответственностью "Научно-производственное объединение '
    '«Информационные технологии и системы безопасности»"'
)
LONG_CONTACT = "Александра Константиновна Римская-Корсакова"
LONG_SIGNATURE = "Екатерина Вячеславовна Голенищева-Кутузова"
NO_DECISION = (Outcome.WAITING.value, Outcome.SILENT.value)

# How each language asks where things stand, and how it mentions feedback.
STATUS_QUESTION = {"ru": ("решения?",), "en": ("decision", "hear back")}
FEEDBACK_WORDS = {
    "ru": ("обратн", "как вы оцениваете"),
    "en": ("feedback", "how you see"),
}


def every_context(language: str, outcomes: tuple[str, ...] = OUTCOMES) -> Iterator[DraftContext]:
    for tone, gender, channel, priorities, outcome in itertools.product(
        Tone, GENDERS, CHANNELS, PRIORITY_SETS, outcomes
    ):
        yield context(
            language=language,
            tone=tone,
            gender=gender,
            channel=channel,
            priorities=priorities,
            outcome=outcome,
        )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", [Kind.REQUEST, Kind.SHORT_REQUEST, Kind.FOLLOW_UP])
def test_no_decision_yet_asks_about_the_status_first(kind: Kind, language: str) -> None:
    """Waiting or silent: where the process stands and when a decision is expected first;
    feedback, if at all, after it — in both tones, every wording form, email and chats."""
    for ctx in every_context(language, NO_DECISION):
        draft = render(kind, ctx)
        body = draft.body
        positions = [body.find(q) for q in STATUS_QUESTION[language] if q in body]
        assert positions, body
        status_at = min(positions)
        for word in FEEDBACK_WORDS[language]:
            if word in body:
                assert body.index(word) > status_at, body
        assert "не в мою пользу" not in body
        assert "по итогам собеседования" not in body
        assert "not in my favor" not in body
        assert "wasn't in my favor" not in body
        if draft.subject:
            assert draft.subject.startswith(("Уточнение статуса", "Following up")), draft.subject


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_rejection_asks_for_feedback_not_the_status(language: str) -> None:
    for ctx in every_context(language, (Outcome.REJECTED.value,)):
        for kind in (Kind.REQUEST, Kind.SHORT_REQUEST, Kind.FOLLOW_UP):
            body = render(kind, ctx).body
            assert "на каком этапе" not in body
            assert "where things stand" not in body
            asks = {
                "ru": ("обратн", "улучшить", "поработать", "подтянуть"),
                "en": ("feedback", "improve", "work on"),
            }[language]
            assert any(word in body for word in asks), body


# The words each area is named by in a letter (the request and the clarifying question).
AREA_WORDS = {
    "ru": {
        "tech": ("технический уровень", "технические темы"),
        "comm": ("навыки коммуникации", "рассказываю о своём опыте"),
        "culture": ("совместимость с командой", "вписаться в вашу команду"),
        "attitude": ("отношение к работе",),
    },
    "en": {
        "tech": ("technical skills", "technical topics"),
        "comm": ("communication", "talk about my experience"),
        "culture": ("fit with the team", "fit in well with your team"),
        "attitude": ("attitude to work",),
    },
}
ALL_AREAS = (
    Area.ATTITUDE.value,
    Area.TECHNICAL.value,
    Area.CULTURE.value,
    Area.COMMUNICATION.value,
)


def areas_named(body: str, language: str) -> list[str]:
    return [area for area, words in AREA_WORDS[language].items() if any(w in body for w in words)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", [Kind.REQUEST, Kind.CLARIFY])
def test_a_letter_names_at_most_the_first_two_areas(kind: Kind, language: str) -> None:
    for tone, gender, channel, outcome in itertools.product(Tone, GENDERS, CHANNELS, OUTCOMES):
        ctx = context(
            language=language,
            tone=tone,
            gender=gender,
            channel=channel,
            priorities=ALL_AREAS,
            outcome=outcome,
        )
        body = render(kind, ctx).body
        assert sorted(areas_named(body, language)) == ["attitude", "tech"], body
        if kind is Kind.REQUEST and language == "ru":
            assert "моё отношение к работе и технический уровень" in body, body
        if kind is Kind.REQUEST and language == "en":
            assert "my attitude to work and technical skills" in body, body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_request_asks_for_a_sentence_or_two(language: str) -> None:
    brief = {
        "ru": (
            "одного-двух предложений",
            "одном-двух предложениях",
            "пары предложений",
            "паре предложений",
            "паре слов",
            "парой слов",
            "пару слов",
            "Пара слов",
            "двух словах",
        ),
        "en": (
            "a sentence or two",
            "a couple of sentences",
            "a few words",
            "Brief feedback",
            "A few words",
        ),
    }[language]
    for ctx in every_context(language):
        for kind in (Kind.REQUEST, Kind.SHORT_REQUEST):
            body = render(kind, ctx).body
            assert any(phrase in body for phrase in brief), body
            assert "\n—" not in body, body  # no list of questions
            assert "\n-" not in body, body


# Wording a recruiter should never receive.
NEVER = (
    "Заранее спасибо",
    "заранее спасибо",
    "in advance",
    "Напоминаю",
    "offer for",
    "Уточняющий вопрос",
)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(Kind))
def test_phrases_a_recruiter_should_not_read(kind: Kind, language: str) -> None:
    for ctx in every_context(language):
        draft = render(kind, ctx)
        text = f"{draft.subject or ''}\n{draft.body}"
        found = [phrase for phrase in NEVER if phrase in text]
        assert not found, text


@pytest.mark.parametrize("language", LANGUAGES)
def test_thanks_for_an_offer_is_not_a_feedback_request(language: str) -> None:
    for ctx in every_context(language, (Outcome.OFFER.value,)):
        body = render(Kind.THANKS_OFFER, ctx).body
        if language == "ru":
            assert body.count("предложен") == 1, body
            assert "обратн" not in body
            assert "предложение занять позицию «Python-разработчик»" in body
        else:
            assert "feedback" not in body
            assert "offering me the Python-разработчик position" in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_chat_follow_up_is_soft_and_short(language: str) -> None:
    for ctx in every_context(language):
        for channel in CHAT_CHANNELS:
            body = render(Kind.FOLLOW_UP, replace(ctx, channel=channel)).body
            assert "Напоминаю" not in body
            assert "reminder" not in body
            if ctx.tone is Tone.NEUTRAL:
                assert (
                    "на случай, если сообщение затерялось" in body or "in case it got lost" in body
                )


def test_the_subject_names_the_candidate() -> None:
    draft = render(Kind.REQUEST, context())
    assert draft.subject == "Обратная связь по собеседованию — Python-разработчик, Иван Петров"
    english = render(Kind.REQUEST, context(language="en", position="Python Developer"))
    assert english.subject == "Feedback on my interview — Python Developer, Иван Петров"
    unsigned = render(Kind.REQUEST, context(signature=""))
    assert unsigned.subject == "Обратная связь по собеседованию — Python-разработчик"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(WITH_SUBJECT))
def test_longest_real_inputs_fit_and_nothing_is_cut(kind: Kind, language: str) -> None:
    assert len(LONG_POSITION) == 60
    for tone, gender, outcome in itertools.product(Tone, GENDERS, OUTCOMES):
        ctx = context(
            language=language,
            tone=tone,
            gender=gender,
            company=LONG_COMPANY,
            position=LONG_POSITION,
            contact_name=LONG_CONTACT,
            signature=LONG_SIGNATURE,
            priorities=ALL_AREAS,
            outcome=outcome,
        )
        draft = render(kind, ctx)
        assert draft.subject is not None
        assert len(draft.subject) <= SUBJECT_LIMIT, draft.subject
        # The position and the signature are in the subject whole, or not at all.
        title, _dash, details = draft.subject.partition(" — ")
        assert details in {"", LONG_SIGNATURE, LONG_POSITION, f"{LONG_POSITION}, {LONG_SIGNATURE}"}
        assert "—" not in title
        assert draft.subject == (f"{title} — {details}" if details else title)
        assert LONG_POSITION in draft.body
        short = render(Kind.SHORT_REQUEST, ctx)
        assert len(short.body) <= SHORT_LIMIT, short.body
        assert short.body.endswith(LONG_SIGNATURE)
        for channel in CHAT_CHANNELS:
            chat = render(Kind.SHORT_REQUEST, replace(ctx, channel=channel))
            assert len(chat.body) <= SHORT_LIMIT, chat.body


def test_the_subject_leaves_out_the_position_before_the_name() -> None:
    ctx = context(position=LONG_POSITION, signature="Анна Петрова")
    assert render(Kind.REQUEST, ctx).subject == ("Обратная связь по собеседованию — Анна Петрова")
    subject = render(Kind.REQUEST, replace(ctx, signature=LONG_SIGNATURE)).subject
    assert subject == f"Обратная связь по собеседованию — {LONG_SIGNATURE}"


CYRILLIC = re.compile(r"[\u0400-\u04FF]")
LATIN_FIELDS = {
    "company": "LLC Acme",
    "position": "Python Developer",
    "contact_name": "Anna Smith",
    "signature": "Ivan Petrov",
}


@pytest.mark.parametrize("kind", list(Kind))
def test_an_english_draft_has_no_cyrillic_the_person_did_not_type(kind: Kind) -> None:
    for ctx in every_context("en"):
        draft = render(kind, replace(ctx, **LATIN_FIELDS))  # type: ignore[arg-type]
        text = f"{draft.subject or ''}\n{draft.body}"
        assert not CYRILLIC.search(text), text
        assert cyrillic_fields(replace(ctx, **LATIN_FIELDS), draft) == ()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({}, ()),
        ({"company": 'ООО "Ромашка"'}, ("company",)),
        ({"company": 'ООО "Acme"'}, ()),  # the legal form is left out: no Russian remains
        ({"position": "Python-разработчик"}, ("position",)),
        ({"contact_name": "Анна Петрова"}, ("contact",)),
        ({"signature": "Иван Петров"}, ("signature",)),
        (
            {
                "company": "Ромашка",
                "position": "Python-разработчик",
                "contact_name": "Анна Петрова",
                "signature": "Иван Петров",
            },
            ("company", "position", "contact", "signature"),
        ),
    ],
)
def test_cyrillic_fields_of_an_english_draft_are_named(
    changes: dict[str, str], fields: tuple[str, ...]
) -> None:
    for kind, tone, channel in itertools.product(Kind, Tone, CHANNELS):
        ctx = context(language="en", tone=tone, channel=channel, **{**LATIN_FIELDS, **changes})
        draft = render(kind, ctx)
        named = cyrillic_fields(ctx, draft)
        text = f"{draft.subject or ''}\n{draft.body}"
        assert set(named) <= set(fields)
        # Whatever Cyrillic the draft holds comes from a field that is named.
        rest = text
        for field in named:
            value = {"company": company_name(ctx.company, "en"), "contact": ctx.contact_name}.get(
                field, getattr(ctx, field, "")
            )
            for word in (value or "").split():
                rest = rest.replace(word, "")
        assert not CYRILLIC.search(rest), (named, text)
        # The Russian draft of the same never needs the note.
        assert cyrillic_fields(replace(ctx, language="ru"), draft) == ()


def test_the_chat_version_has_no_email_layout() -> None:
    for language, tone, kind in itertools.product(LANGUAGES, Tone, list(Kind)):
        ctx = context(language=language, tone=tone)
        chat = render(kind, chat_version(ctx))
        assert chat.subject is None
        assert "\n\n" not in chat.body
        assert not chat.body.endswith(("С уважением,\nИван Петров", "Kind regards,\nИван Петров"))
        assert chat.body.endswith("Иван Петров")
    telegram = context(channel="telegram")
    assert chat_version(telegram) is telegram
