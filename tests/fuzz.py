"""A seeded random walk of many people through the real dispatcher (tests/harness.py).

Each step one person does something plausible — answers the question their conversation is
at, presses a button on their latest messages, taps the menu, sends a command — or something
hostile: texts up to 10,000 characters (sent in parts, as a Telegram client does), emoji, RTL,
control characters, HTML, commands in the middle of a conversation, impossible dates, forged
buttons of every prefix (with the ids of other people), buttons pressed twice, media, edited
messages, inline queries, blocking the bot. Every few steps the clock moves on and the
reminders that fell due are delivered as the scheduler would; people then press their buttons.

After every step the walk checks what the bot did, through the Bot API calls the fake
Telegram recorded:

* nothing was logged at ERROR and no traceback was logged; no update raised;
* no apology of the error handler (either language) was sent;
* every Bot API call succeeded, except the harmless failures the bot expects (an edit of a
  message that did not change or is gone, a person who blocked the bot): the fake enforces
  Telegram's limits (4096 characters, 100 buttons, 64-byte button data...), so a screen
  that breaks them shows up here;
* HTML a person typed shows literally: every marker of :data:`HTML_INPUTS` is preceded by
  its literal markup in whatever the person sees (never bold, never a link, never «&»);
* nobody sees another person's data: each person's names and texts carry a tag of their
  own (``Q007Z``), and no other tag appears in anything sent to them (messages, buttons,
  alerts, inline results, exported files).

A failure names the seed, the person and their last steps; ``FUZZ_SEED``, ``FUZZ_UPDATES``
and ``FUZZ_PEOPLE`` replay or lengthen the run.
"""

from __future__ import annotations

import logging
import os
import random
import re
import sqlite3
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey

from bot.app.commands import COMMANDS
from bot.domain.preferences import local_today
from bot.scheduler.delivery import ReminderDelivery
from bot.scheduler.limiter import RateLimiter
from bot.telegram import states
from bot.telegram.i18n import create_i18n
from bot.telegram.keyboards import callbacks
from tests.clock import FakeClock
from tests.fakeapi.core import CallRecord, FakeUser, SentMessage
from tests.harness import BotApp

DEFAULT_SEED: Final = 17
DEFAULT_UPDATES: Final = 5000
DEFAULT_PEOPLE: Final = 40

# Histories stay small, whatever the length of the run: a person with this many interviews
# or journal entries erases everything (/delete) and starts over. Screens that grow with a
# history have tests of their own.
MAX_INTERVIEWS: Final = 6
MAX_ENTRIES: Final = 8

HOSTILE: Final = 0.25  # the share of hostile steps
STAY: Final = 0.5  # the chance that the next step is the same person's
HISTORY: Final = 14  # steps of a person shown when something fails
DELIVER_EVERY: Final = 20  # person steps between two deliveries of due reminders
CLIENT_TEXT_LIMIT: Final = 4096  # a Telegram client sends longer texts in parts
GROUP: Final = -1001234567890  # a group all the people are in, with the bot

APOLOGY_MSGID: Final = (
    "😔 Sorry, something went wrong on my side. What you saved before is safe; "
    "please try again in a moment."
)
"""The error handler's apology (bot/telegram/handlers/errors.py), translated below."""

# Failed Bot API calls the bot expects and tolerates (bot/telegram/handlers/utils.py): an
# edit of a message that did not change or is gone; sending to a person who blocked it.
HARMLESS_FAILURES: Final = (
    "message is not modified",
    "message to edit not found",
    "message can't be edited",
    "Forbidden: bot was blocked by the user",
)

# Markup a person types, and the marker whose literal prefix must be shown before it.
HTML_INPUTS: Final = (
    ("<b>", "hxB", "<b>hxB</b>"),
    ("<i>", "hxI", "<i>hxI</i>"),
    ("&amp;", "hxA", "&amp;hxA"),
    ("&lt;", "hxT", "&lt;hxT"),
    ("</i>", "hxC", "</i>hxC"),
    ('<a href="https://e.com">', "hxL", '<a href="https://e.com">hxL</a>'),
    ("<code>", "hxP", "<code>hxP</code>"),
)
HTML_PREFIX: Final = {marker: prefix for prefix, marker, _input in HTML_INPUTS}
HTML_MARKER: Final = re.compile("|".join(HTML_PREFIX))

TEXT_STATES: Final = frozenset(
    str(s.state)
    for s in (
        states.Onboarding.signature,
        states.Onboarding.timezone,
        states.SettingsInput.signature,
        states.SettingsInput.timezone,
        states.SettingsInput.quiet_hours,
        states.Intake.company,
        states.Intake.position,
        states.Intake.contact,
        states.Intake.address,
        states.Intake.last_stage,
        states.Intake.next_stage,
        states.Intake.result_on,
        states.Intake.last_contact,
        states.Journal.text,
        states.Journal.reflect,
    )
)
ALL_STATES: Final = tuple(
    str(s.state)
    for group in (states.Onboarding, states.SettingsInput, states.Intake, states.Journal)
    for s in group.__all_states__
)

CALLBACK_CLASSES: Final = tuple(
    value
    for value in vars(callbacks).values()
    if isinstance(value, type) and issubclass(value, CallbackData) and value is not CallbackData
)
PREFIXES: Final = tuple(str(cls.__prefix__) for cls in CALLBACK_CLASSES)

LANGUAGES: Final = ("ru", "ru", "ru", "en", "en", "uk", "de", None, "kk")
FIRST_NAMES: Final = (
    "Анна",
    "John",
    "Zoë",
    "محمد",
    "דוד",
    "👩‍💻",
    "<b>hxB</b>",
    "Tom &amp;hxA",
    "Ольга-Мария",
    "X Æ A-12",
)
COMPANIES: Final = (
    "Яндекс",
    "Т-Банк",
    "Acme <b>hxB</b>",
    "Tom &amp;hxA Jerry",
    "Рога & копыта",
    "«Ромашка»",
    "שלום בע״מ",
    "شركة النور",
    "</i>hxC Ltd",
    "🚀 Rocket",
    '<a href="https://e.com">hxL</a>',
    "{company} %s {0}",
    "O'Reilly; DROP TABLE users; --",
    "Ко" * 40,
)
POSITIONS: Final = (
    "Python-разработчик",
    "Go developer",
    "<i>hxI</i> analyst",
    "&lt;hxT QA",
    "Team lead 🧑‍🚀",
    "مهندس",
    "<code>hxP</code> DevOps",
    "x" * 90,
)
NAMES: Final = ("Анна Смирнова", "Bob", "<b>hxB</b>", "Мария &amp;hxA", "Ли", "José Ñúñez")
TIMEZONES: Final = (
    "Europe/Moscow",
    "UTC+5",
    "+3",
    "МСК+2",
    "asia/yekaterinburg",
    "Новосибирск",
    "UTC+15",
    "UTC-12",
    "GMT+05:45",
    "Mars/Olympus",
    "../../etc/passwd",
    "UTC+5:75",
)
QUIET_HOURS: Final = ("22-9", "23:00–07:00", "с 23 до 8", "0-6", "25-3", "9-9", "ночью", "22:61-7")
FEEDBACK: Final = (
    "Сильная теория, но слабый system design. Советуем больше практики.",
    "Recruiter: great communication, <b>hxB</b> weak SQL &amp;hxA",
    "Не хватило опыта с Kubernetes 😔",
    "They said: culture fit </i>hxC unclear",
)
EMOJI: Final = "😀🎉👩‍💻🏳️‍🌈🇷🇺🧑🏽‍🚀❤️‍🔥👍🏿🤷‍♀️"
RTL: Final = "مرحبا بالعالم \u202eevil\u202c שלום עולם \u200fק"
CONTROL: Final = "a\x00b\x07c\x1b[31m\u200b\ufeff\u2028d\u0301\x7f\x1f"
BAD_DATES: Final = (
    "32.13",
    "29.02.2027",
    "31.04",
    "00.00",
    "2026-13-45",
    "999 дней назад",
    "через 999 дней",
    "-1 days ago",
    "1.1.1",
    "٣١.١٢",
    "１２.１１",
    "31 февраля",
    "February 30, 2026",
    "25.11.1899",
    "9" * 40,
)
# How often a person sends a command of the menu (others: 1).
COMMAND_WEIGHTS: Final[dict[str, float]] = {
    "new": 6,
    "list": 4,
    "draft": 4,
    "reminders": 3,
    "feedback": 6,
    "plan": 3,
    "settings": 2,
    "delete": 0.3,
    "start": 0.5,
    "cancel": 0.5,
}
UNKNOWN_COMMANDS: Final = ("/foo", "/NEW", "/", "/start@other_bot", "/удалить", "/new_", "//new")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass(frozen=True)
class FuzzConfig:
    seed: int = DEFAULT_SEED
    updates: int = DEFAULT_UPDATES
    people: int = DEFAULT_PEOPLE

    @classmethod
    def from_env(cls) -> FuzzConfig:
        return cls(
            seed=env_int("FUZZ_SEED", DEFAULT_SEED),
            updates=env_int("FUZZ_UPDATES", DEFAULT_UPDATES),
            people=env_int("FUZZ_PEOPLE", DEFAULT_PEOPLE),
        )

    def replay(self) -> str:
        """The command that runs this walk again (a long one without pytest's timeout)."""
        timeout = " --timeout 0" if self.updates > DEFAULT_UPDATES else ""
        return (
            f"FUZZ_SEED={self.seed} FUZZ_UPDATES={self.updates} FUZZ_PEOPLE={self.people} "
            f".venv/bin/pytest tests/integration/test_fuzz.py -s{timeout}"
        )


class FuzzError(AssertionError):
    """What went wrong, with everything needed to replay it."""


@dataclass
class Persona:
    index: int
    user: FakeUser
    tag: str
    history: deque[str] = field(default_factory=lambda: deque(maxlen=HISTORY))
    blocked: bool = False
    erased: bool = False  # erased everything at least once (to see them come back)
    texts: deque[int] = field(default_factory=lambda: deque(maxlen=20))
    seen_data: list[str] = field(default_factory=list)  # button data in their chat, unique
    seen_ids: list[int] = field(default_factory=list)  # numbers in that data: their ids

    @property
    def id(self) -> int:
        return self.user.id

    def describe(self) -> str:
        user = self.user
        return (
            f"person #{self.index} (id {user.id}, language {user.language_code!r}, "
            f"name {user.first_name!r}, tag {self.tag})"
        )


@dataclass
class Coverage:
    states: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    pressed: Counter[str] = field(default_factory=Counter)  # real buttons, by prefix
    forged: Counter[str] = field(default_factory=Counter)  # forged data, by prefix
    commands: Counter[str] = field(default_factory=Counter)
    delivered: int = 0
    reminder_presses: int = 0
    exports: int = 0
    erasures: int = 0
    comebacks: int = 0
    inline_answers: int = 0
    html_shown: int = 0  # bot messages that showed typed HTML literally
    warnings: Counter[str] = field(default_factory=Counter)  # by logger and message template

    def missing(self) -> list[str]:
        """What a full run must have reached: every conversation state, a real press of
        every kind of button, reminders delivered and pressed, export, erasure and coming
        back, inline answers, forgeries of every prefix."""
        gaps = [f"state {s}" for s in ALL_STATES if not self.states[s]]
        gaps += [f"a real {p}: button" for p in PREFIXES if not self.pressed[p]]
        gaps += [f"a forged {p}: button" for p in PREFIXES if not self.forged[p]]
        for name, count in (
            ("a delivered reminder", self.delivered),
            ("a press on a delivered reminder", self.reminder_presses),
            ("an export", self.exports),
            ("an erasure", self.erasures),
            ("a comeback after an erasure", self.comebacks),
            ("an inline answer", self.inline_answers),
            ("typed HTML shown literally", self.html_shown),
        ):
            if not count:
                gaps.append(name)
        return gaps

    def summary(self) -> str:
        lines = [
            (
                f"states reached: {len([s for s in ALL_STATES if self.states[s]])}"
                f"/{len(ALL_STATES)} (the rarest: "
                f"{sorted((self.states[s], s) for s in ALL_STATES)[:3]})"
            ),
            f"actions: {dict(sorted(self.actions.items()))}",
            f"real presses by prefix: {dict(sorted(self.pressed.items()))}",
            f"forged presses by prefix: {dict(sorted(self.forged.items()))}",
            f"commands: {dict(sorted(self.commands.items()))}",
            (
                f"reminders delivered: {self.delivered}, pressed: {self.reminder_presses}; "
                f"exports: {self.exports}; erasures: {self.erasures}, "
                f"comebacks: {self.comebacks}; inline answers: {self.inline_answers}; "
                f"screens with typed HTML: {self.html_shown}"
            ),
            f"warnings logged: {dict(self.warnings.most_common())}",
        ]
        return "\n".join(lines)


class LogWatch(logging.Handler):
    """Keeps every record at WARNING or above, and every record with a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING or record.exc_info:
            self.records.append(record)

    @contextmanager
    def installed(self) -> Iterator[LogWatch]:
        root = logging.getLogger()
        level = root.level
        root.addHandler(self)
        root.setLevel(min(level, logging.WARNING))
        try:
            yield self
        finally:
            root.removeHandler(self)
            root.setLevel(level)


def visible_strings(call: CallRecord) -> Iterator[tuple[str, str]]:
    """What the person sees from a successful call, with where: texts after Telegram parsed
    them, button labels and what buttons copy or open, alerts, inline results; and files
    (``file …``: bytes, not rendered)."""
    params, result = call.params, call.response.get("result")
    method = call.method
    if isinstance(result, dict):
        if "text" in result or "caption" in result:
            yield f"{method} text", str(result.get("text", result.get("caption", "")))
        markup = result.get("reply_markup") or {}
        for value in _leaves(markup.get("inline_keyboard", [])):
            yield f"{method} button", value
    if method == "answerCallbackQuery" and params.get("text"):
        yield "alert", str(params["text"])
    if method == "answerInlineQuery":
        for value in _leaves([params.get("results"), params.get("button")]):
            yield "inline answer", value
    for filename, content in call.files.values():
        yield f"file {filename}", content.decode("utf-8", "replace")


def _leaves(value: object) -> Iterator[str]:
    """Every string inside JSON-shaped data."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)


def literal_html_problem(text: str) -> str | None:
    """Typed HTML rendered as markup: a marker whose literal prefix is missing before it."""
    for match in HTML_MARKER.finditer(text):
        prefix = HTML_PREFIX[match.group()]
        if not text[: match.start()].endswith(prefix):
            shown = text[max(0, match.start() - 40) : match.end() + 20]
            return f"{match.group()!r} not shown after a literal {prefix!r}: …{shown!r}"
    return None


class Fuzzer:
    def __init__(self, app: BotApp, clock: FakeClock, config: FuzzConfig) -> None:
        self.app = app
        self.fake = app.fake
        self.clock = clock
        self.config = config
        self.rng = random.Random(config.seed)
        self.coverage = Coverage()
        self.updates = 0
        self.logs = LogWatch()
        self._logs_seen = 0
        self._calls_seen = 0
        self.trace: list[str] = []  # every step of the run (FUZZ_TRACE=path writes it)
        self.i18n = create_i18n()
        self.apologies = {
            self.i18n.gettext(APOLOGY_MSGID, locale=locale) for locale in ("ru", "en")
        }
        self.fake.add_group(GROUP, "Job hunting <b>hxB</b>")
        self.people = [self._persona(index) for index in range(config.people)]
        self.by_id = {p.id: p for p in self.people}
        self.tags = re.compile("|".join(p.tag for p in self.people))
        self.delivered: dict[int, set[int]] = {}  # chat id -> ids of reminder messages
        self.delivery = ReminderDelivery(
            bot=app.bot,
            sessionmaker=app.sessionmaker,
            i18n=self.i18n,
            clock=clock,
            limiter=RateLimiter(clock=self._seconds, sleep=_no_sleep),
            sleep=_no_sleep,
        )
        self.bot_id = app.bot.id
        database = app.sessionmaker.kw["bind"].url.database
        assert isinstance(database, str), "the fuzz reads a SQLite file"
        self.database = database
        self.keys = DefaultKeyBuilder(with_destiny=True)  # SQLAlchemyStorage's default
        self.db: sqlite3.Connection

    def _seconds(self) -> float:
        """The rate limiter's monotonic time: the fake clock's."""
        return self.clock.now.timestamp()

    # --- the people -------------------------------------------------------------------------

    def _persona(self, index: int) -> Persona:
        rng = self.rng
        tag = f"Q{index:03d}Z"
        user = self.fake.user(
            6_100_000 + index * 7,
            first_name=f"{rng.choice(FIRST_NAMES)} {tag}",
            last_name=rng.choice((None, "Иванова", "<i>hxI</i>", "O'Neil")),
            language_code=rng.choice(LANGUAGES),
        )
        return Persona(index, user, tag)

    # --- running ----------------------------------------------------------------------------

    async def run(self) -> Coverage:
        if len(self.apologies) != 2:
            msg = f"the apology is not translated, so it would go unseen: {self.apologies}"
            raise FuzzError(msg)
        with (
            closing(
                sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, isolation_level=None)
            ) as self.db,
            self.logs.installed(),
        ):
            try:
                await self._walk()
            finally:
                trace = os.environ.get("FUZZ_TRACE")
                if trace:
                    Path(trace).write_text("\n".join(self.trace) + "\n", encoding="utf-8")
        return self.coverage

    async def _walk(self) -> None:
        await self._probe_keys()
        steps = 0
        person: Persona | None = None
        while self.updates < self.config.updates:
            # Now and then several steps in a row, as a person finishing what they started.
            if person is None or self.rng.random() > STAY:
                person = self.rng.choice(self.people)
            before = self.updates
            await self._step(person)
            steps += 1
            if self.updates != before and steps % DELIVER_EVERY == 0:
                await self._deliver_due()
        self._final_sweep()

    async def _probe_keys(self) -> None:
        """The state is read the way the bot's storage keeps it (else no state is seen)."""
        probe = self.people[0]
        storage = self.app.dp.fsm.storage
        await storage.set_state(self._key(probe), "fuzz:probe")
        seen = self._state(probe)
        await storage.set_state(self._key(probe), None)
        if seen != "fuzz:probe":
            msg = "the conversation state is kept under another key than the fuzz reads"
            raise FuzzError(msg)

    async def _step(self, p: Persona) -> None:
        self.clock.advance(seconds=self.rng.randint(5, 300))
        if p.blocked:
            await self._unblock(p)
            return
        state, registered, interviews, entries = self._observe(p)
        self.coverage.states[state or "none"] += 1
        if registered and (interviews >= MAX_INTERVIEWS or entries >= MAX_ENTRIES):
            await self._start_over(p)
            return
        if self.rng.random() < HOSTILE:
            await self._hostile(p, state, registered)
        else:
            await self._plausible(p, state, registered)

    def _key(self, p: Persona) -> StorageKey:
        return StorageKey(bot_id=self.bot_id, chat_id=p.id, user_id=p.id)

    def _observe(self, p: Persona) -> tuple[str | None, bool, int, int]:
        """The conversation state, whether the person consented, how many interviews and
        journal entries they have: one query on a read-only connection of its own (reading
        through async sessions as the bot does made the whole run several times slower).
        The cursor is closed at once, so no read stays open to hold up a WAL checkpoint."""
        query = (
            "SELECT (SELECT state FROM fsm_states WHERE key = ?),"
            " (SELECT count(*) FROM users WHERE id = ?),"
            " (SELECT count(*) FROM interviews WHERE user_id = ?),"
            " (SELECT count(*) FROM journal_entries WHERE user_id = ?)"
        )
        key = self.keys.build(self._key(p))
        with closing(self.db.execute(query, (key, p.id, p.id, p.id))) as cursor:
            row = cursor.fetchone()
        return row[0], bool(row[1]), int(row[2]), int(row[3])

    def _state(self, p: Persona) -> str | None:
        return self._observe(p)[0]

    async def _draft(self, p: Persona) -> dict[str, Any]:
        data = await self.app.dp.fsm.storage.get_data(self._key(p))
        intake = data.get("intake")
        draft = intake.get("draft") if isinstance(intake, dict) else None
        return draft if isinstance(draft, dict) else {}

    # --- what the bot did -------------------------------------------------------------------

    def _fail(self, p: Persona | None, problem: str) -> FuzzError:
        lines = [
            f"fuzz: {problem}",
            f"after {self.updates} updates; replay: {self.config.replay()}",
        ]
        hint = known_defect(problem)
        if hint:
            lines.append(f"known defect? {hint}")
        if p is not None:
            lines.append(p.describe())
            lines.append("their last steps:")
            lines += [f"  {step}" for step in p.history]
            lines.append("the last messages in their chat:")
            for message in self.fake.messages(p.id)[-6:]:
                who = "bot" if message.from_bot else "them"
                lines.append(
                    f"  [{message.message_id} {who}] {_short(message.text or message.kind)}"
                )
        else:
            lines.append("(while delivering reminders, or in the final look at every chat)")
        return FuzzError("\n".join(lines))

    def _check(self, p: Persona | None) -> None:
        """Everything logged and called since the last check."""
        records = self.logs.records[self._logs_seen :]
        self._logs_seen = len(self.logs.records)
        for record in records:
            self.coverage.warnings[f"{record.name}: {str(record.msg)[:50]}"] += 1
            if record.levelno >= logging.ERROR or record.exc_info:
                detail = record.getMessage()
                if record.exc_info and record.exc_info[1] is not None:
                    error = record.exc_info[1]
                    detail += f" [{type(error).__name__}: {_short(str(error), 300)}]"
                raise self._fail(p, f"logged at {record.levelname} by {record.name}: {detail}")
        calls = self.fake.calls[self._calls_seen :]
        self._calls_seen = len(self.fake.calls)
        for call in calls:
            self._check_call(p, call)

    def _check_call(self, p: Persona | None, call: CallRecord) -> None:
        if not call.ok:
            description = str(call.response.get("description", ""))
            if not any(part in description for part in HARMLESS_FAILURES):
                raise self._fail(p, f"the Bot API refused a call: {call.describe()}")
            return
        recipient = self._recipient(p, call)
        in_group = call.params.get("chat_id") == GROUP
        for where, text in visible_strings(call):
            if in_group and (found := self.tags.search(text)):
                raise self._fail(p, f"{where} in the group shows {found.group()}: {_short(text)}")
            if any(apology in text for apology in self.apologies):
                raise self._fail(p, f"the error handler apologized ({where})")
            if recipient is not None:
                for match in self.tags.finditer(text):
                    if match.group() != recipient.tag:
                        owner = next(o for o in self.people if o.tag == match.group())
                        raise self._fail(
                            recipient,
                            f"{where} sent to {recipient.describe()} shows data of "
                            f"{owner.describe()}: {_short(text, 300)}",
                        )
            problem = None if where.startswith("file") else literal_html_problem(text)
            if problem:
                raise self._fail(
                    recipient or p, f"typed HTML shown as markup in {where}: {problem}"
                )
            if where.endswith("text") and HTML_MARKER.search(text):
                self.coverage.html_shown += 1
        self._note(call, recipient)

    def _recipient(self, p: Persona | None, call: CallRecord) -> Persona | None:
        chat = call.params.get("chat_id")
        if isinstance(chat, int):
            return self.by_id.get(chat)
        return p

    def _note(self, call: CallRecord, recipient: Persona | None) -> None:
        """Coverage, and the button data and ids each person has seen (for forgeries)."""
        if call.method == "sendDocument":
            self.coverage.exports += 1
        if call.method == "answerInlineQuery":
            self.coverage.inline_answers += 1
        result = call.response.get("result")
        if recipient is None or not isinstance(result, dict):
            return
        markup = result.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if isinstance(data, str) and data not in recipient.seen_data:
                    recipient.seen_data.append(data)
                    del recipient.seen_data[:-400]
                    for part in data.split(":"):
                        if part.isdigit() and int(part) > 0 and int(part) not in recipient.seen_ids:
                            recipient.seen_ids.append(int(part))
                    del recipient.seen_ids[:-100]

    def _final_sweep(self) -> None:
        """Every chat as it is now (edits included): no other person's tag, HTML literal;
        nobody's tag in the group."""
        for p in self.people:
            for message in self.fake.bot_messages(p.id, include_deleted=True):
                texts = [message.text or "", *_leaves(message.buttons)]
                for text in texts:
                    for match in self.tags.finditer(text):
                        if match.group() != p.tag:
                            raise self._fail(
                                p, f"message {message.message_id} shows {match.group()}"
                            )
                    problem = literal_html_problem(text)
                    if problem:
                        raise self._fail(p, f"message {message.message_id}: {problem}")
        for message in self.fake.bot_messages(GROUP, include_deleted=True):
            for text in (message.text or "", *_leaves(message.buttons)):
                if found := self.tags.search(text):
                    raise self._fail(None, f"the group shows {found.group()}: {_short(text)}")

    # --- feeding updates --------------------------------------------------------------------

    async def _feed(
        self, p: Persona, update: dict[str, Any], what: str, *, chat: int | None = None
    ) -> list[SentMessage]:
        """Feed one update of ``p`` (in their private chat, or in ``chat``) and check it."""
        self.updates += 1
        p.history.append(f"#{self.updates} {what}")
        self.trace.append(f"#{self.updates} {p.index}: {what}")
        answers, inline = len(self.fake.callback_answers), len(self.fake.inline_answers)
        try:
            sent = await self.app.feed(update, chat or p.id)
        except Exception as error:
            raise self._fail(p, f"the update raised {type(error).__name__}: {error}") from error
        self._check(p)
        # Never silence: a message is answered, a button press too (else the client's
        # spinner turns on), an inline query gets its list.
        if "message" in update and not sent and chat is None:  # a group gets no small talk
            raise self._fail(p, "the bot did not answer the message")
        if "callback_query" in update:
            query = update["callback_query"]["id"]
            if not any(a.callback_query_id == query for a in self.fake.callback_answers[answers:]):
                raise self._fail(p, "the bot did not answer the button press")
        if "inline_query" in update and len(self.fake.inline_answers) == inline:
            raise self._fail(p, "the bot did not answer the inline query")
        return sent

    async def _send(self, p: Persona, text: str, what: str = "text") -> None:
        """Send a text as a client does: parts of at most 4096 characters, none blank."""
        text = text if text.strip() else f"{text}."
        parts = _client_parts(text)
        for number, part in enumerate(parts, 1):
            if not part.strip():
                continue
            label = f"{what} {_short(part)}" + (
                f" (part {number}/{len(parts)})" if len(parts) > 1 else ""
            )
            update = self.fake.send_text(p.user, part)
            p.texts.append(int(update["message"]["message_id"]))
            await self._feed(p, update, label)
            if part.startswith("/"):
                self.coverage.commands[part.split()[0].split("@")[0]] += 1

    async def _press(self, p: Persona, message: SentMessage, button: dict[str, Any]) -> None:
        data = str(button["callback_data"])
        update = self.fake.press(p.user, message.message_id, data)
        prefix = data.split(":", 1)[0]
        self.coverage.pressed[prefix] += 1
        if message.message_id in self.delivered.get(p.id, set()):
            self.coverage.reminder_presses += 1
        if data.startswith("consent:accept") and p.erased:
            self.coverage.comebacks += 1
        if data == "pv:confirm":
            self.coverage.erasures += 1
            p.erased = True
        await self._feed(p, update, f"press {button['text']!r} ({data}) on {message.message_id}")

    async def _forge(self, p: Persona, data: str, what: str) -> None:
        data = data.encode()[:64].decode("utf-8", "ignore") or "x"
        mine = self.fake.bot_messages(p.id)
        message_id = (
            self.rng.choice(mine).message_id
            if mine and self.rng.random() < 0.8
            else self.rng.choice((1, 999_999, 2**31))
        )
        update = self.fake.press(p.user, message_id, data, forge=True)
        prefix = data.split(":", 1)[0]
        self.coverage.forged[prefix if prefix in PREFIXES else "(junk)"] += 1
        await self._feed(p, update, f"{what} {data!r} on {message_id}")

    # --- plausible --------------------------------------------------------------------------

    def _visible(self, p: Persona) -> list[tuple[SentMessage, dict[str, Any]]]:
        """Buttons that send something, on the latest bot messages that have any."""
        with_buttons = [m for m in self.fake.bot_messages(p.id)[-8:] if m.buttons]
        if not with_buttons:
            return []
        latest = with_buttons[-1]
        message = latest if self.rng.random() < 0.75 else self.rng.choice(with_buttons[-3:])
        return [
            (message, button)
            for row in message.buttons
            for button in row
            if "callback_data" in button or "switch_inline_query_current_chat" in button
        ]

    async def _press_visible(self, p: Persona) -> bool:
        visible = self._visible(p)
        if not visible:
            return False
        weights = [_eagerness(str(button.get("callback_data", ""))) for _m, button in visible]
        message, button = self.rng.choices(visible, weights)[0]
        if "callback_data" in button:
            self.coverage.actions["press"] += 1
            await self._press(p, message, button)
        else:
            self.coverage.actions["switch inline"] += 1
            await self._inline(p, str(button["switch_inline_query_current_chat"]))
        return True

    async def _plausible(self, p: Persona, state: str | None, registered: bool) -> None:
        rng = self.rng
        # The journal's question also has buttons («Done», «no feedback», «declined»).
        answering = 0.55 if state == states.Journal.text.state else 0.85
        if state is not None and state in TEXT_STATES and rng.random() < answering:
            self.coverage.actions["answer"] += 1
            await self._send(p, await self._answer(p, state), "answer")
            return
        if (state is not None or rng.random() < 0.6) and await self._press_visible(p):
            return
        if not registered:
            self.coverage.actions["start"] += 1
            await self._send(
                p, rng.choice(("/start", "/start", "/start inline", "/start group", "/help"))
            )
            return
        keyboard = self.fake.reply_keyboard(p.id) or {}
        menu = [b["text"] for row in keyboard.get("keyboard", []) for b in row]
        if menu and rng.random() < 0.3:
            self.coverage.actions["menu"] += 1
            choice = rng.choice(menu)
            await self._feed(p, self.fake.press_reply_button(p.user, choice), f"menu {choice!r}")
            return
        self.coverage.actions["command"] += 1
        names = [name for name, _text in COMMANDS]
        command = rng.choices(names, [COMMAND_WEIGHTS.get(name, 1) for name in names])[0]
        await self._send(p, f"/{command}")

    async def _answer(self, p: Persona, state: str) -> str:
        """A plausible answer to the question the conversation is at (now and then wrong)."""
        rng, tag = self.rng, p.tag
        today = local_today(self.clock.now, "Europe/Moscow")
        if rng.random() < 0.15:
            return self._hostile_text(p)
        if state in {states.Onboarding.signature.state, states.SettingsInput.signature.state}:
            return f"{rng.choice(NAMES)} {tag}"
        if state in {states.Onboarding.timezone.state, states.SettingsInput.timezone.state}:
            return rng.choice(TIMEZONES)
        if state == states.SettingsInput.quiet_hours.state:
            return rng.choice(QUIET_HOURS)
        if state == states.Intake.company.state:
            return f"{rng.choice(COMPANIES)[:80]} {tag}"
        if state == states.Intake.position.state:
            return f"{rng.choice(POSITIONS)[:80]} {tag}"
        if state == states.Intake.contact.state:
            return f"{rng.choice(NAMES)} {tag}"
        if state == states.Intake.address.state:
            return self._address(p, (await self._draft(p)).get("channel"))
        if state == states.Intake.next_stage.state:
            ahead = today + timedelta(days=rng.randint(0, 20))
            return rng.choice(("завтра", "tomorrow", "через 3 дня", "in 5 days", _dotted(ahead)))
        if state in {
            states.Intake.last_stage.state,
            states.Intake.result_on.state,
            states.Intake.last_contact.state,
        }:
            back = today - timedelta(days=rng.randint(0, 10))
            return rng.choice(("сегодня", "вчера", "yesterday", "3 дня назад", _dotted(back)))
        if state == states.Journal.text.state:
            return f"{rng.choice(FEEDBACK)} {tag}"
        return f"Next time I will prepare better {tag}"

    def _address(self, p: Persona, channel: object) -> str:
        rng, tag = self.rng, p.tag.lower()
        good = {
            "email": f"hr.{tag}@example.com",
            "telegram": f"@recruiter_{tag}",
        }.get(str(channel), f"https://hh.ru/chat/{tag}")
        return rng.choice((good, good, good, "not an address", f"<b>hxB</b>@{tag}.com", "@a"))

    # --- hostile ----------------------------------------------------------------------------

    async def _hostile(self, p: Persona, state: str | None, registered: bool) -> None:
        kinds: dict[str, tuple[int, Callable[[Persona], Any]]] = {
            "hostile text": (24, self._hostile_send),
            "command mid-way": (14, self._command),
            "forged button": (18, self._forged_button),
            "replayed button": (10, self._replayed_button),
            "media": (8, self._media),
            "edit": (7, self._edit),
            "double press": (8, self._double_press),
            "inline query": (7, self._inline_query),
            "older button": (3, self._older_button),
            "in the group": (5, self._group),
            "block": (1 if registered else 0, self._block),
        }
        names = list(kinds)
        kind = self.rng.choices(names, [kinds[n][0] for n in names])[0]
        self.coverage.actions[kind] += 1
        await kinds[kind][1](p)

    def _hostile_text(self, p: Persona) -> str:
        rng = self.rng
        choice = rng.randrange(12)
        if choice == 0:  # up to 10,000 characters (a client sends it in parts)
            words = [
                rng.choice(("слово", "word", "<b>hxB</b>", "&amp;hxA", "😀", p.tag, "שלום"))
                for _ in range(rng.randint(600, 1600))
            ]
            return " ".join(words)[: rng.randint(4097, 10_000)]
        if choice == 1:
            return EMOJI * rng.randint(1, 300) + f" {p.tag}"
        if choice == 2:
            return f"{RTL} {p.tag}"
        if choice == 3:
            return CONTROL * rng.randint(1, 10)
        if choice == 4:
            return " ".join(rng.sample([raw for _prefix, _marker, raw in HTML_INPUTS], 3))
        if choice == 5:
            return rng.choice(BAD_DATES)
        if choice == 6:
            alphabet = "abcXYZ019 !@#$%^&*()_+-=[]{};':\",./<>?\\|`~ЁёЪъ\u0301\u200d\U0001f600"
            return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 300)))
        if choice == 7:
            return rng.choice(TIMEZONES + QUIET_HOURS)
        if choice == 8:
            return "{name} {0} %s %(x)s {{}} ${PATH} {company!r}"
        if choice == 9:
            return "A" * CLIENT_TEXT_LIMIT
        if choice == 10:
            return rng.choice(("✅ I agree, let's start", "📋 Мои собеседования", "Пропустить →"))
        return "\n".join(rng.choice(FEEDBACK) for _ in range(rng.randint(1, 30)))

    async def _hostile_send(self, p: Persona) -> None:
        await self._send(p, self._hostile_text(p), "hostile")

    async def _command(self, p: Persona) -> None:
        rng = self.rng
        names = [name for name, _text in COMMANDS]
        command = rng.choice(
            (
                f"/{rng.choice(names)}",
                f"/{rng.choice(names)}@{self.fake.bot_username}",
                f"/{rng.choice(names)} {self._hostile_text(p)[:200]}",
                rng.choice(UNKNOWN_COMMANDS),
            )
        )
        await self._send(p, command, "command")

    async def _forged_button(self, p: Persona) -> None:
        """Button data of any prefix, built from the fields of its CallbackData class, with
        the ids of another person, values seen on real buttons, or nonsense."""
        rng = self.rng
        if rng.random() < 0.1:
            junk = "".join(rng.choice("iv:nu0123456789dr-_ab😀") for _ in range(rng.randint(1, 40)))
            await self._forge(p, junk, "forge junk")
            return
        cls = rng.choice(CALLBACK_CLASSES)
        prefix = f"{cls.__prefix__}{cls.__separator__}"
        seen = [
            data.split(cls.__separator__)
            for o in self.people
            for data in o.seen_data[-60:]
            if data.startswith(prefix)
        ]
        others = [o for o in self.people if o is not p and o.seen_ids]
        values = [str(cls.__prefix__)]
        for position, (name, info) in enumerate(cls.model_fields.items(), 1):
            known = [parts[position] for parts in seen if len(parts) > position]
            if info.annotation is int:
                pool = [0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, rng.randint(1, 10**6)]
                value = str(
                    rng.choice(rng.choice(others).seen_ids)
                    if others and rng.random() < 0.6
                    else rng.choice(pool)
                )
                value = rng.choice((value, value, value, "007", "1e3", "", "x"))
            elif info.annotation is bool:
                value = rng.choice(("0", "1", "True", "false", "2", ""))
            else:
                value = (
                    rng.choice(known)
                    if known and rng.random() < 0.7
                    else rng.choice(("", "x", "<b>", "../", "😀", name, "a" * 30))
                )
            values.append(value)
        if rng.random() < 0.1:
            values.append("extra")
        await self._forge(p, cls.__separator__.join(values), "forge")

    async def _replayed_button(self, p: Persona) -> None:
        """A real button of another person, pressed from this person's chat."""
        others = [o for o in self.people if o is not p and o.seen_data]
        if not others:
            await self._forged_button(p)
            return
        other = self.rng.choice(others)
        await self._forge(p, self.rng.choice(other.seen_data), f"replay of #{other.index}'s")

    async def _media(self, p: Persona) -> None:
        rng, fake = self.rng, self.fake
        choice = rng.randrange(5)
        if choice == 0:
            await self._feed(p, fake.send_sticker(p.user, emoji=rng.choice("👍😀🤷")), "sticker")
        elif choice == 1:
            caption = rng.choice(
                (None, f"{rng.choice(FEEDBACK)} {p.tag}", self._hostile_text(p)[:1000])
            )
            await self._feed(
                p, fake.send_photo(p.user, caption=caption), f"photo {_short(caption or '')}"
            )
        elif choice == 2:
            name = rng.choice(("resume.pdf", "<b>hxB</b>.txt", "../../etc/passwd", "отзыв.docx"))
            await self._feed(p, fake.send_document(p.user, file_name=name), f"document {name!r}")
        else:
            text = f"{rng.choice(FEEDBACK)} {p.tag}"
            update = fake.forward_text(p.user, text, from_name=rng.choice(("HR", "<b>hxB</b>")))
            p.texts.append(int(update["message"]["message_id"]))
            await self._feed(p, update, f"forwarded {_short(text)}")

    async def _edit(self, p: Persona) -> None:
        if not p.texts:
            await self._hostile_send(p)
            return
        message_id = self.rng.choice(list(p.texts))
        state = self._state(p)
        plausible = state is not None and state in TEXT_STATES
        text = await self._answer(p, state) if plausible and state else self._hostile_text(p)
        text = text[:CLIENT_TEXT_LIMIT].strip() or "x"
        update = self.fake.edit_text(p.user, message_id, text)
        await self._feed(p, update, f"edit {message_id} to {_short(text)}")

    async def _double_press(self, p: Persona) -> None:
        visible = [(m, b) for m, b in self._visible(p) if "callback_data" in b]
        if not visible:
            await self._forged_button(p)
            return
        message, button = self.rng.choice(visible)
        await self._press(p, message, button)
        data = str(button["callback_data"])
        update = self.fake.press(p.user, message.message_id, data, forge=True)
        await self._feed(p, update, f"again {data!r} on {message.message_id}")

    async def _older_button(self, p: Persona) -> None:
        older = [m for m in self.fake.bot_messages(p.id)[-30:] if m.callback_data]
        if not older:
            await self._hostile_send(p)
            return
        message = self.rng.choice(older)
        button = self.rng.choice(
            [b for row in message.buttons for b in row if "callback_data" in b]
        )
        await self._press(p, message, button)

    async def _inline_query(self, p: Persona) -> None:
        rng = self.rng
        other = rng.choice(self.people)
        query = rng.choice(("", p.tag, other.tag, "Яндекс", "<b>", self._hostile_text(p)[:256]))
        await self._inline(p, query)

    async def _inline(self, p: Persona, query: str) -> None:
        chat_type = self.rng.choice(("sender", "private", "group", "supergroup", "channel", None))
        update = self.fake.send_inline_query(p.user, query, chat_type=chat_type)
        await self._feed(p, update, f"inline {_short(query)} in {chat_type}")

    async def _group(self, p: Persona) -> None:
        """What a person does in a group the bot is in: its commands, a mention of it, a
        reply to it, small talk, one of their private buttons forged there."""
        rng, fake = self.rng, self.fake
        said = fake.bot_messages(GROUP)[-5:]
        if rng.random() < 0.25:
            data = rng.choice(p.seen_data) if p.seen_data else "iv:list:0:0:0"
            message_id = rng.choice(said).message_id if said else 1
            update = fake.press(p.user, message_id, data, forge=True, chat_id=GROUP)
            await self._feed(p, update, f"in the group, press {data!r}", chat=GROUP)
            return
        names = [name for name, _text in COMMANDS]
        bot = fake.bot_username
        text = (
            rng.choice(
                (
                    f"/{rng.choice(names)}",
                    f"/{rng.choice(names)}@{bot}",
                    f"@{bot} {rng.choice(FEEDBACK)}",
                    f"{rng.choice(FEEDBACK)} {p.tag}",
                    rng.choice(UNKNOWN_COMMANDS),
                    self._hostile_text(p)[:CLIENT_TEXT_LIMIT],
                )
            ).strip()
            or "x"
        )
        reply_to = rng.choice(said).message_id if said and rng.random() < 0.3 else None
        update = fake.send_group_text(p.user, GROUP, text, reply_to=reply_to)
        await self._feed(p, update, f"in the group, {_short(text)}", chat=GROUP)

    async def _block(self, p: Persona) -> None:
        p.blocked = True
        await self._feed(p, self.fake.block(p.user), "block the bot")

    async def _unblock(self, p: Persona) -> None:
        p.blocked = False
        self.coverage.actions["unblock"] += 1
        await self._feed(p, self.fake.unblock(p.user), "unblock the bot")

    async def _start_over(self, p: Persona) -> None:
        """Too much history for this run: /delete, confirm; /start comes later by itself."""
        self.coverage.actions["start over"] += 1
        await self._send(p, "/delete", "start over:")
        question = self.fake.last_message(p.id)
        if question is None or "pv:confirm" not in question.callback_data:
            raise self._fail(p, "/delete did not ask to confirm")
        button = next(
            b for row in question.buttons for b in row if b.get("callback_data") == "pv:confirm"
        )
        await self._press(p, question, button)

    # --- time and reminders -----------------------------------------------------------------

    async def _deliver_due(self) -> None:
        """Time passes (minutes to days); what fell due is delivered as the scheduler would."""
        self.clock.advance(minutes=self.rng.choice((10, 30, 60, 60, 120, 240, 480, 1440)))
        for reminder_id in await self.delivery.due_now():
            outcome = await self.delivery.deliver(reminder_id)
            self._check(None)
            if outcome == "sent":
                self.coverage.delivered += 1
                message = self.fake.calls_to("sendMessage")[-1].response["result"]
                chat = int(message["chat"]["id"])
                self.delivered.setdefault(chat, set()).add(int(message["message_id"]))
                if chat in self.by_id:
                    self.by_id[chat].history.append(f"(reminder {reminder_id} delivered)")


def known_defect(problem: str) -> str | None:
    """Point a failure at a defect already being fixed (issue 17), if it looks like one."""
    if "OverflowError" in problem or "Python int too large" in problem:
        return "A: a button id of 2^63 or more raises OverflowError"
    if any(s in problem for s in ("too long", "MESSAGE_TOO_LONG", "RESULTS_TOO_MUCH")):
        return "B: a screen that grows with history breaks Telegram's limits"
    return None


def _client_parts(text: str) -> list[str]:
    """A long text as a Telegram client sends it: parts of at most 4096 characters, cut at
    a space where there is one near the limit."""
    parts = []
    while len(text) > CLIENT_TEXT_LIMIT:
        cut = text.rfind(" ", CLIENT_TEXT_LIMIT - 300, CLIENT_TEXT_LIMIT)
        cut = cut if cut > 0 else CLIENT_TEXT_LIMIT
        parts.append(text[:cut])
        text = text[cut:]
    return [*parts, text]


def _eagerness(data: str) -> float:
    """How readily a person presses a button: going on rather than back, cancelling,
    declining, erasing; «Done» after ticking a few; settings and tips now and then."""
    action = data.split(":")
    if any(word in action for word in ("cancel", "back", "decline", "stop", "keep")):
        return 0.15
    if data in {"pv:confirm", "pv:delete"}:
        return 0.15
    if "done" in action or "areas_done" in action:
        return 2.0
    if action[0] in {"tp", "consent"} and "accept" not in action:
        return 0.4
    if action[0] == "set":
        return 1.0 if "quiet" in action else 0.6
    if action[0] == "pl":
        return 1.5
    return 1.0


def _dotted(value: date) -> str:
    return f"{value.day}.{value.month}"


def _short(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


async def _no_sleep(_seconds: float) -> None:
    return None
