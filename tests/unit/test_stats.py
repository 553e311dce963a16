"""/stats as pure functions: the numbers, the chart PNG and how the numbers read."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from bot.domain.intake import Outcome
from bot.domain.journal import EntryFacts, JournalArea
from bot.domain.stats import InterviewFacts, Stats, compute_stats, round_half_up
from bot.telegram.i18n import create_i18n
from bot.telegram.views.charts import ChartLabels, render_chart
from bot.telegram.views.stats import days_text, stats_text

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def asked(
    outcome: str = "rejected",
    *,
    reply: str | None = None,
    hours: float | None = None,
    archived: bool = False,
) -> InterviewFacts:
    """An interview whose request was sent at T0; ``hours`` later the employer replied."""
    return InterviewFacts(
        outcome=outcome,
        request_sent_at=T0,
        reply=reply,
        replied_at=T0 + timedelta(hours=hours) if hours is not None else None,
        archived=archived,
    )


def silent(outcome: str = "silent", *, archived: bool = False) -> InterviewFacts:
    return InterviewFacts(outcome=outcome, archived=archived)


def feedback(
    interview: int,
    areas: tuple[str, ...],
    sentiment: str | None = "constructive",
    kind: str = "feedback",
) -> EntryFacts:
    return EntryFacts(interview, kind, areas, sentiment, "текст", T0)


def days(value: float) -> float:
    return value * 24


# --- the numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interviews", "expected"),
    [
        pytest.param([], (0, 0, 0, 0, None, None), id="empty"),
        pytest.param([silent(), silent("waiting")], (2, 0, 0, 0, None, None), id="no requests"),
        pytest.param(
            [asked(), asked(), silent()], (3, 2, 0, 0, 0.0, None), id="requests, no answers"
        ),
        pytest.param(
            [asked(reply="feedback", hours=days(2)), asked(reply="declined", hours=days(4))],
            (2, 2, 2, 2, 1.0, 3.0),
            id="all answered",
        ),
        pytest.param(
            [
                asked(reply="feedback", hours=days(1)),
                asked(reply="feedback", hours=days(5)),
                asked(reply="feedback", hours=days(2)),
                asked(),
            ],
            (4, 4, 3, 3, 0.75, 2.0),
            id="median of an odd count is the middle one",
        ),
        pytest.param(
            [
                asked(reply="feedback", hours=days(1)),
                asked(reply="feedback", hours=days(4)),
                asked(reply="declined", hours=days(2)),
                asked(reply="feedback", hours=days(10)),
            ],
            (4, 4, 4, 4, 1.0, 3.0),
            id="median of an even count is the mean of the middle two",
        ),
        pytest.param(
            [asked(reply="feedback", hours=36), asked(reply="feedback", hours=37)],
            (2, 2, 2, 2, 1.0, 1.5),
            id="median to one decimal",
        ),
        pytest.param(
            [asked(reply="feedback", hours=5)], (1, 1, 1, 1, 1.0, 0.2), id="hours as a day share"
        ),
        pytest.param(
            [
                asked(reply="feedback", hours=days(3), archived=True),
                silent(archived=True),
                asked(),
            ],
            (3, 2, 1, 1, 0.5, 3.0),
            id="archived interviews count",
        ),
        pytest.param(
            [InterviewFacts("rejected", reply="feedback", replied_at=T0), asked()],
            (2, 1, 1, 0, 0.0, None),
            id="an answer without a request counts, not in the rate",
        ),
        pytest.param(
            [asked(reply="feedback", hours=-2)],
            (1, 1, 1, 1, 1.0, None),
            id="an answer dated before its request is left out of the median",
        ),
        pytest.param(
            [InterviewFacts("rejected", request_sent_at=T0, replied_at=T0 + timedelta(days=1))],
            (1, 1, 0, 0, 0.0, None),
            id="a date without a reply is no answer",
        ),
    ],
)
def test_requests_answers_rate_and_median(
    interviews: list[InterviewFacts],
    expected: tuple[int, int, int, int, float | None, float | None],
) -> None:
    stats = compute_stats(interviews, [])
    assert (
        stats.total,
        stats.requests_sent,
        stats.responses,
        stats.answered_requests,
        stats.response_rate,
        stats.median_days,
    ) == expected


def test_outcomes_are_counted_in_the_intake_order_zeros_included() -> None:
    interviews = [
        silent("offer"),
        silent("rejected"),
        silent("rejected", archived=True),
        asked("silent"),
    ]
    stats = compute_stats(interviews, [])
    assert stats.by_outcome == (
        (Outcome.REJECTED, 2),
        (Outcome.WAITING, 0),
        (Outcome.OFFER, 1),
        (Outcome.SILENT, 1),
    )
    assert stats.outcome_count(Outcome.REJECTED) == 2
    assert (stats.total, stats.archived) == (4, 1)
    assert stats.funnel == (4, 1, 0)


@pytest.mark.parametrize(("total", "chart"), [(0, False), (2, False), (3, True), (30, True)])
def test_chart_from_three_interviews(total: int, chart: bool) -> None:
    assert compute_stats([silent()] * total, []).has_chart is chart


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        pytest.param([], (), id="no entries"),
        pytest.param([feedback(1, ("tech",), "positive")], (), id="praise is not counted"),
        pytest.param(
            [feedback(1, ("tech",), None, kind="declined"), feedback(2, ("comm",), None, "none")],
            (),
            id="no feedback, no areas",
        ),
        pytest.param(
            [feedback(1, ("attitude",), None, kind="reflection")],
            (),
            id="own reflections are not feedback",
        ),
        pytest.param(
            [feedback(1, ("comm",), "mixed"), feedback(2, ("comm",)), feedback(3, ("tech",))],
            ((JournalArea.COMMUNICATION, 2), (JournalArea.TECHNICAL, 1)),
            id="most frequent first",
        ),
        pytest.param(
            [feedback(1, ("tech",)), feedback(1, ("tech", "comm"), "mixed")],
            ((JournalArea.TECHNICAL, 1), (JournalArea.COMMUNICATION, 1)),
            id="once per interview",
        ),
        pytest.param(
            [feedback(1, ("other", "attitude", "culture", "comm", "tech"))],
            ((JournalArea.TECHNICAL, 1), (JournalArea.COMMUNICATION, 1), (JournalArea.CULTURE, 1)),
            id="ties keep the journal order, top three",
        ),
        pytest.param(
            [
                feedback(1, ("other", "culture")),
                feedback(2, ("other", "culture")),
                feedback(3, ("attitude",)),
                feedback(4, ("tech",)),
            ],
            ((JournalArea.CULTURE, 2), (JournalArea.OTHER, 2), (JournalArea.TECHNICAL, 1)),
            id="ties in every rank",
        ),
    ],
)
def test_most_common_areas_in_constructive_feedback(
    entries: list[EntryFacts], expected: tuple[tuple[JournalArea, int], ...]
) -> None:
    stats = compute_stats([], entries)
    assert stats.top_areas == expected
    assert compute_stats([], list(reversed(entries))).top_areas == expected  # stable


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction(0), 0.0),
        (Fraction(5, 24), 0.2),
        (Fraction(1, 4), 0.3),  # half up, not to even
        (Fraction(9, 4), 2.3),
        (Fraction(5, 2), 2.5),
        (Fraction(599, 200), 3.0),
    ],
)
def test_days_round_half_up_to_one_decimal(value: Fraction, rounded: float) -> None:
    assert round_half_up(value) == rounded


# --- the chart ----------------------------------------------------------------------------


def labels(language: str) -> ChartLabels:
    if language == "ru":
        return ChartLabels(
            title="Ваши собеседования",
            outcomes_title="По итогам",
            outcomes={
                Outcome.REJECTED: "Отказ",
                Outcome.WAITING: "Ожидание решения",
                Outcome.OFFER: "Оффер",
                Outcome.SILENT: "Молчание компании",
            },
            funnel_title="От собеседования до ответа",
            funnel=("Собеседования", "Отправленные запросы", "Ответы на запросы"),
        )
    return ChartLabels(
        title="Your interviews",
        outcomes_title="By outcome",
        outcomes={
            Outcome.REJECTED: "Rejected",
            Outcome.WAITING: "Waiting for a decision",
            Outcome.OFFER: "Offer",
            Outcome.SILENT: "The company is silent",
        },
        funnel_title="From interview to answer",
        funnel=("Interviews", "Feedback requests sent", "Answers to requests"),
    )


def many(count: int) -> Stats:
    outcomes = list(Outcome)
    interviews = [
        asked(outcomes[i % 4], reply="feedback", hours=days(i % 9))
        if i % 3 == 0
        else asked(outcomes[i % 4])
        if i % 3 == 1
        else silent(outcomes[i % 4], archived=i % 5 == 0)
        for i in range(count)
    ]
    return compute_stats(interviews, [])


def png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Every chunk, its CRC checked: the file is a whole, valid PNG."""
    assert png[:8] == PNG_SIGNATURE
    chunks, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        data = png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + data) == crc, kind
        chunks.append((kind, data))
        offset += 12 + length
    return chunks


@pytest.mark.parametrize(("count", "language"), [(3, "ru"), (300, "ru"), (3, "en"), (300, "en")])
def test_chart_is_a_valid_phone_sized_png(count: int, language: str) -> None:
    # Speed is not asserted here (performance figures come from benchmarks, not timed tests).
    stats = many(count)
    assert stats.total == count
    png = render_chart(stats, labels(language))
    chunks = png_chunks(png)
    kinds = [kind for kind, _data in chunks]
    assert kinds[0] == b"IHDR"
    assert kinds[-1] == b"IEND"
    assert b"IDAT" in kinds
    width, height, bit_depth, colour_type = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (width, height) == (1080, 1080)
    assert bit_depth == 8
    assert colour_type in {2, 6}  # RGB or RGBA
    assert 10_000 < len(png) < 1_000_000  # something is drawn, and it is cheap to send


def test_chart_size_can_be_chosen_and_survives_an_empty_history() -> None:
    png = render_chart(compute_stats([], []), labels("en"), size=(1200, 900))
    width, height = struct.unpack(">II", png_chunks(png)[0][1][:8])
    assert (width, height) == (1200, 900)


# --- how the numbers read -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "value", "text"),
    [
        ("ru", 1.0, "1 день"),
        ("ru", 2.0, "2 дня"),
        ("ru", 5.0, "5 дней"),
        ("ru", 21.0, "21 день"),
        ("ru", 0.5, "0,5 дня"),
        ("ru", 2.5, "2,5 дня"),
        ("ru", 11.5, "11,5 дня"),
        ("en", 1.0, "1 day"),
        ("en", 3.0, "3 days"),
        ("en", 1.5, "1.5 days"),
        ("en", 0.2, "0.2 days"),
    ],
)
def test_days_read_with_the_right_plural(language: str, value: float, text: str) -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale(language):
        assert days_text(value) == text


@pytest.mark.parametrize(
    ("language", "count", "interviews", "requests"),
    [
        ("ru", 1, "📁 1 собеседование", "📨 Отправлен 1 запрос обратной связи"),
        ("ru", 2, "📁 2 собеседования", "📨 Отправлено 2 запроса обратной связи"),
        ("ru", 5, "📁 5 собеседований", "📨 Отправлено 5 запросов обратной связи"),
        ("ru", 11, "📁 11 собеседований", "📨 Отправлено 11 запросов обратной связи"),
        ("ru", 22, "📁 22 собеседования", "📨 Отправлено 22 запроса обратной связи"),
        ("en", 1, "📁 1 interview", "📨 1 feedback request sent"),
        ("en", 5, "📁 5 interviews", "📨 5 feedback requests sent"),
    ],
)
def test_counts_read_with_the_right_plural(
    language: str, count: int, interviews: str, requests: str
) -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale(language):
        lines = stats_text(compute_stats([asked()] * count, [])).splitlines()
    assert interviews in lines
    assert requests in lines
