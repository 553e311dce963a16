"""The timing rules (DESIGN.md "Timing rules", issue 4): a hand-computed table and properties.

Every expected moment below is worked out by hand from the written rules, never copied from
the module. The conventions used, from the module's docstring and DESIGN.md:

* W = 10:00–18:00 local on a working day, half-open: 10:00 is inside, 18:00 is not; working
  days are the zone's default calendar (the Russian production calendar in MSK and KAM,
  Monday–Friday at BER and P5), and the table's dates hold no Russian holiday, so every
  Monday–Friday is a working day there; the holidays have their own section at the end;
* an event known only by its date happened at 12:00 local; "+24 h" and "+3 d" are
  counted on the local wall clock (across a DST change a day has 23 or 25 hours);
* "N working days after a moment" is the same local time on the N-th working day after
  the moment's day (``add_working_days``), and never earlier than N full working days of W;
* a window that has passed → ``now``, overdue; otherwise a moment to send to an employer
  lies inside W.

Where DESIGN.md names no window end, the table uses the module's conventions: a same-day
window (polite rejection, offer) closes at 18:00 of its day; harsh-rejection and follow-up
windows close at 18:00 two working days after the moment's day; the final-stage window
closes at the later of +48 h and 18:00 of its first day; the silence window at the later of
18:00 on day +5 and 18:00 of its first day.

Calendar used (2026): Mar 23 Mon … Mar 27 Fri, Mar 28 Sat, Mar 29 Sun (Berlin CET→CEST at
02:00), Mar 30 Mon, Apr 1 Wed, Apr 3 Fri; Oct 19 Mon … Oct 23 Fri, Oct 24 Sat, Oct 25 Sun
(Berlin CEST→CET at 03:00), Oct 26 Mon; Nov 16 Mon, Nov 23 Mon … Nov 27 Fri, Nov 28 Sat,
Nov 29 Sun, Nov 30 Mon, Dec 1 Tue, Dec 2 Wed, Dec 3 Thu, Dec 4 Fri, Dec 7 Mon.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo

import pytest
from _pytest.mark.structures import ParameterSet
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.calendar import MON_FRI, RUSSIA, WorkCalendar, calendar_of, default_calendar
from bot.domain.intake import Outcome, Tone
from bot.domain.preferences import parse_timezone
from bot.domain.timing import (
    Action,
    Facts,
    Reason,
    Recommendation,
    add_working_days,
    first_work_moment,
    in_work_window,
    recommend,
)

MSK: Final = "Europe/Moscow"  # UTC+3, no DST
KAM: Final = "Asia/Kamchatka"  # UTC+12, no DST
P5: Final = "UTC+05:00"  # a fixed offset, as parse_timezone names it
BER: Final = "Europe/Berlin"  # CET/CEST

# Zones built here, independently of the module, to read results on the local wall clock.
ZONES: Final[dict[str, tzinfo]] = {
    MSK: ZoneInfo(MSK),
    KAM: ZoneInfo(KAM),
    P5: timezone(timedelta(hours=5)),
    BER: ZoneInfo(BER),
    "UTC": UTC,
    "UTC-03:30": timezone(-timedelta(hours=3, minutes=30)),
}

SENDABLE: Final = frozenset({Action.REQUEST, Action.FOLLOW_UP, Action.THANKS_OFFER})
NOON: Final = time(12, 0)


# --- helpers --------------------------------------------------------------------------------


def on(month: int, day: int, year: int = 2026) -> date:
    return date(year, month, day)


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    """A local wall-clock time (naive); the table's zone gives it meaning."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001


def utc(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def calendar(zone: str) -> WorkCalendar:
    """The working calendar a person in ``zone`` has by default."""
    return calendar_of(default_calendar(zone))


def instant(zone: str, moment: datetime) -> datetime:
    """An aware UTC instant: a naive moment is local wall-clock time in ``zone``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZONES[zone])
    return moment.astimezone(UTC)


def local(moment: datetime | None, zone: str) -> datetime | None:
    """The local wall-clock time (naive) of an aware result, read in ``zone``."""
    if moment is None:
        return None
    assert moment.utcoffset() is not None, "a naive result"
    return moment.astimezone(UTC).astimezone(ZONES[zone]).replace(tzinfo=None)


# --- facts ----------------------------------------------------------------------------------


def polite(result: date) -> Facts:
    # The last stage is a few days earlier, so a rule reading the wrong date shows up.
    return Facts(
        outcome=Outcome.REJECTED,
        all_stages_done=True,
        last_stage_on=result - timedelta(days=3),
        rejection_tone=Tone.POLITE,
        result_on=result,
    )


def harsh(result: date) -> Facts:
    return dataclasses.replace(polite(result), rejection_tone=Tone.HARSH)


def final_stage(stage: date) -> Facts:
    return Facts(outcome=Outcome.WAITING, all_stages_done=True, last_stage_on=stage)


def silent(contact: date | None, stage: date | None = None) -> Facts:
    last_stage = stage if stage is not None else on(11, 2)
    return Facts(
        outcome=Outcome.SILENT,
        all_stages_done=True,
        last_stage_on=last_stage,
        last_contact_on=contact,
    )


def more_stages(next_stage: date | None) -> Facts:
    return Facts(
        outcome=Outcome.WAITING,
        all_stages_done=False,
        last_stage_on=on(11, 2),
        next_stage_on=next_stage,
    )


def offer(result: date | None, stage: date | None = None) -> Facts:
    last_stage = stage if stage is not None else on(11, 2)
    return Facts(
        outcome=Outcome.OFFER, all_stages_done=True, last_stage_on=last_stage, result_on=result
    )


def sent(
    zone: str, request: datetime, follow_up: datetime | None = None, base: Facts | None = None
) -> Facts:
    """A request marked «Sent» (and maybe a follow-up); naive times are local in ``zone``."""
    facts = base if base is not None else polite(on(11, 2))
    return dataclasses.replace(
        facts,
        request_sent_at=instant(zone, request),
        follow_up_sent_at=None if follow_up is None else instant(zone, follow_up),
    )


def answered(facts: Facts) -> Facts:
    return dataclasses.replace(facts, reply="feedback")


# --- the table ------------------------------------------------------------------------------


def case(
    case_id: str,
    facts: Facts,
    zone: str,
    now: datetime,
    action: Action,
    reason: Reason,
    moment: datetime | None,
    window_end: datetime | None,
    overdue: bool = False,
) -> ParameterSet:
    return pytest.param(facts, zone, now, action, reason, moment, window_end, overdue, id=case_id)


R, F, T = Action.REQUEST, Action.FOLLOW_UP, Action.THANKS_OFFER

CASES: Final = [
    # --- rejected, polite: the same day; outside W → the next W opening ---------------------
    # Result Wed; now Wed 11:30, inside W → now; the day's window closes Wed 18:00.
    case("polite-wed-inside-msk", polite(on(11, 25)), MSK, at(11, 25, 11, 30),
         R, Reason.SAME_DAY, at(11, 25, 11, 30), at(11, 25, 18)),
    # Result Wed; now Wed 08:00, before W → Wed 10:00.
    case("polite-wed-before-msk", polite(on(11, 25)), MSK, at(11, 25, 8),
         R, Reason.SAME_DAY, at(11, 25, 10), at(11, 25, 18)),
    # Result Wed; now Wed 19:00: the result came after W → next opening Thu 10:00, on time.
    case("polite-wed-after-msk", polite(on(11, 25)), MSK, at(11, 25, 19),
         R, Reason.SAME_DAY, at(11, 26, 10), at(11, 26, 18)),
    # Result Wed; now Wed 18:00 sharp: W has closed → next opening Thu 10:00, on time.
    case("polite-wed-1800-msk", polite(on(11, 25)), MSK, at(11, 25, 18),
         R, Reason.SAME_DAY, at(11, 26, 10), at(11, 26, 18)),
    # Result Fri; now 07:30 UTC = Fri 19:30 in Kamchatka, after W → Mon 10:00.
    case("polite-fri-evening-kam", polite(on(11, 27)), KAM, utc(11, 27, 7, 30),
         R, Reason.SAME_DAY, at(11, 30, 10), at(11, 30, 18)),
    # Result Sat (no W that day); now Sat 12:00 → the next opening Mon 10:00.
    case("polite-sat-p5", polite(on(11, 28)), P5, at(11, 28, 12),
         R, Reason.SAME_DAY, at(11, 30, 10), at(11, 30, 18)),
    # Result Wed; now Thu 09:00: Wed 10:00–18:00 has passed → now, overdue.
    case("polite-next-morning-overdue-ber", polite(on(11, 25)), BER, at(11, 26, 9),
         R, Reason.SAME_DAY, at(11, 26, 9), at(11, 25, 18), True),
    # Result Fri; now Sat 11:00: Friday's window has passed → now (a Saturday), overdue.
    case("polite-fri-result-sat-overdue-msk", polite(on(11, 27)), MSK, at(11, 28, 11),
         R, Reason.SAME_DAY, at(11, 28, 11), at(11, 27, 18), True),
    # Result Sun 29 Mar (the DST day); now Sun 20:00 CEST → Mon 30 Mar 10:00 CEST.
    case("polite-dst-sunday-ber", polite(on(3, 29)), BER, at(3, 29, 20),
         R, Reason.SAME_DAY, at(3, 30, 10), at(3, 30, 18)),
    # Result Mon 30 Nov; now Sun 22:30 UTC = Mon 10:30 in Kamchatka, inside W → now.
    case("polite-dateline-kam", polite(on(11, 30)), KAM, utc(11, 29, 22, 30),
         R, Reason.SAME_DAY, at(11, 30, 10, 30), at(11, 30, 18)),
    # --- rejected, harsh: ≥ 24 h after 12:00 of the result day and not before the next ------
    # --- working day; window to 18:00 two working days later ---------------------------------
    # Result Wed: Wed 12:00 + 24 h = Thu 12:00 (in W, a later working day); end Thu+2 = Mon.
    case("harsh-wed-msk", harsh(on(11, 25)), MSK, at(11, 25, 15),
         R, Reason.HARSH_PAUSE, at(11, 26, 12), at(11, 30, 18)),
    # Result Fri: Sat 12:00 is no working day → Mon 10:00; end Mon+2 = Wed 2 Dec.
    case("harsh-fri-evening-msk", harsh(on(11, 27)), MSK, at(11, 27, 19),
         R, Reason.HARSH_PAUSE, at(11, 30, 10), at(12, 2, 18)),
    # Result Sat: Sun 12:00, next working day Mon → Mon 10:00; end Wed 18:00.
    case("harsh-sat-p5", harsh(on(11, 28)), P5, at(11, 28, 11),
         R, Reason.HARSH_PAUSE, at(11, 30, 10), at(12, 2, 18)),
    # Result Sun: Sun 12:00 + 24 h = Mon 12:00 (later than Mon 10:00); end Wed 18:00.
    case("harsh-sun-kam", harsh(on(11, 29)), KAM, at(11, 29, 10),
         R, Reason.HARSH_PAUSE, at(11, 30, 12), at(12, 2, 18)),
    # Result Thu: Fri 12:00; now Fri 08:00 → Fri 12:00; end Fri+2 = Tue 1 Dec.
    case("harsh-before-ber", harsh(on(11, 26)), BER, at(11, 27, 8),
         R, Reason.HARSH_PAUSE, at(11, 27, 12), at(12, 1, 18)),
    # Result Thu; now Fri 14:00, inside W and inside the window → now.
    case("harsh-inside-ber", harsh(on(11, 26)), BER, at(11, 27, 14),
         R, Reason.HARSH_PAUSE, at(11, 27, 14), at(12, 1, 18)),
    # Result Mon 16: window Tue 17 12:00 – Thu 19 18:00; now Fri 20 11:00 → now, overdue.
    case("harsh-overdue-msk", harsh(on(11, 16)), MSK, at(11, 20, 11),
         R, Reason.HARSH_PAUSE, at(11, 20, 11), at(11, 19, 18), True),
    # Result Wed: window Thu 12:00 – Mon 18:00; now Sat 11:00 → next W opening Mon 10:00.
    case("harsh-weekend-in-window-msk", harsh(on(11, 25)), MSK, at(11, 28, 11),
         R, Reason.HARSH_PAUSE, at(11, 30, 10), at(11, 30, 18)),
    # Result Wed: window Thu 12:00 – Mon 18:00; now Thu 19:00 → Fri 10:00.
    case("harsh-evening-in-window-kam", harsh(on(11, 25)), KAM, at(11, 26, 19),
         R, Reason.HARSH_PAUSE, at(11, 27, 10), at(11, 30, 18)),
    # Result Fri 27 Mar (CET): Sat 12:00 → next working day Mon 30 Mar 10:00 CEST; end Wed.
    case("harsh-dst-spring-ber", harsh(on(3, 27)), BER, at(3, 27, 16),
         R, Reason.HARSH_PAUSE, at(3, 30, 10), at(4, 1, 18)),
    # Result Sat 24 Oct; now Sun 25 Oct 12:00 CET → Mon 26 Oct 10:00 CET; end Wed 28.
    case("harsh-dst-autumn-ber", harsh(on(10, 24)), BER, at(10, 25, 12),
         R, Reason.HARSH_PAUSE, at(10, 26, 10), at(10, 28, 18)),
    # --- waiting, all stages done: first W moment ≥ +24 h; window to +48 h ------------------
    # Stage Mon: Tue 12:00 (in W); end max(Wed 12:00, Tue 18:00) = Wed 12:00.
    case("final-mon-msk", final_stage(on(11, 23)), MSK, at(11, 23, 15),
         R, Reason.AFTER_FINAL_STAGE, at(11, 24, 12), at(11, 25, 12)),
    # Stage Mon; now Tue 13:00, inside W and the window → now.
    case("final-inside-msk", final_stage(on(11, 23)), MSK, at(11, 24, 13),
         R, Reason.AFTER_FINAL_STAGE, at(11, 24, 13), at(11, 25, 12)),
    # Stage Thu: Fri 12:00; end max(Sat 12:00, Fri 18:00) = Sat 12:00.
    case("final-thu-kam", final_stage(on(11, 26)), KAM, at(11, 26, 20),
         R, Reason.AFTER_FINAL_STAGE, at(11, 27, 12), at(11, 28, 12)),
    # Stage Fri: Sat 12:00 → Mon 10:00; end max(Sun 12:00, Mon 18:00) = Mon 18:00.
    case("final-fri-evening-p5", final_stage(on(11, 27)), P5, at(11, 27, 19),
         R, Reason.AFTER_FINAL_STAGE, at(11, 30, 10), at(11, 30, 18)),
    # Stage Sat: Sun 12:00 → Mon 10:00; end max(Mon 12:00, Mon 18:00) = Mon 18:00.
    case("final-sat-ber", final_stage(on(11, 28)), BER, at(11, 29, 10),
         R, Reason.AFTER_FINAL_STAGE, at(11, 30, 10), at(11, 30, 18)),
    # Stage Sat 28 Mar: Sun 29 12:00 CEST → Mon 30 Mar 10:00 CEST; end Mon 18:00.
    case("final-dst-spring-ber", final_stage(on(3, 28)), BER, at(3, 28, 18),
         R, Reason.AFTER_FINAL_STAGE, at(3, 30, 10), at(3, 30, 18)),
    # Stage Sun 25 Oct: Mon 26 Oct 12:00 CET; end max(Tue 12:00, Mon 18:00) = Tue 12:00.
    case("final-dst-autumn-ber", final_stage(on(10, 25)), BER, at(10, 25, 20),
         R, Reason.AFTER_FINAL_STAGE, at(10, 26, 12), at(10, 27, 12)),
    # Stage Mon 16: window Tue 17 12:00 – Wed 18 12:00; now Thu 19 10:00 → now, overdue.
    case("final-overdue-msk", final_stage(on(11, 16)), MSK, at(11, 19, 10),
         R, Reason.AFTER_FINAL_STAGE, at(11, 19, 10), at(11, 18, 12), True),
    # Stage Mon: window Tue 12:00 – Wed 12:00; now Tue 19:00 → Wed 10:00, still in time.
    case("final-evening-in-window-msk", final_stage(on(11, 23)), MSK, at(11, 24, 19),
         R, Reason.AFTER_FINAL_STAGE, at(11, 25, 10), at(11, 25, 12)),
    # Stage Sun 29; now Sun 23:30 UTC = Mon 11:30 Kamchatka → Mon 12:00; end Tue 12:00.
    case("final-dateline-kam", final_stage(on(11, 29)), KAM, utc(11, 29, 23, 30),
         R, Reason.AFTER_FINAL_STAGE, at(11, 30, 12), at(12, 1, 12)),
    # --- company silent: first W moment ≥ +3 d after the last contact; window to day +5 -----
    # Contact Mon: Thu 12:00 (in W); end max(Sat 18:00, Thu 18:00) = Sat 18:00.
    case("silent-mon-msk", silent(on(11, 23)), MSK, at(11, 23, 12, 30),
         R, Reason.SILENCE, at(11, 26, 12), at(11, 28, 18)),
    # Contact Wed: Sat 12:00 → Mon 10:00; end max(Mon 18:00, Mon 18:00).
    case("silent-wed-msk", silent(on(11, 25)), MSK, at(11, 27, 10),
         R, Reason.SILENCE, at(11, 30, 10), at(11, 30, 18)),
    # Contact Wed; now Fri 19:00 (Friday evening) → Mon 10:00 as above.
    case("silent-fri-evening-p5", silent(on(11, 25)), P5, at(11, 27, 19),
         R, Reason.SILENCE, at(11, 30, 10), at(11, 30, 18)),
    # Contact Fri: Mon 12:00; now Mon 09:00 → Mon 12:00; end Wed 2 Dec 18:00.
    case("silent-fri-kam", silent(on(11, 27)), KAM, at(11, 30, 9),
         R, Reason.SILENCE, at(11, 30, 12), at(12, 2, 18)),
    # Contact Sat: Tue 12:00; now Sun 15:00 → Tue 12:00; end Thu 26 18:00.
    case("silent-sat-contact-kam", silent(on(11, 21)), KAM, at(11, 22, 15),
         R, Reason.SILENCE, at(11, 24, 12), at(11, 26, 18)),
    # No contact date → the last stage, Thu 19: Sun 12:00 → Mon 10:00; end Tue 24 18:00;
    # now Mon 15:00, inside → now.
    case("silent-stage-fallback-p5", silent(None, stage=on(11, 19)), P5, at(11, 23, 15),
         R, Reason.SILENCE, at(11, 23, 15), at(11, 24, 18)),
    # Contact Fri 27 Mar 12:00 CET + 3 days = Mon 30 Mar 12:00 CEST; end Wed 1 Apr 18:00.
    case("silent-dst-spring-ber", silent(on(3, 27)), BER, at(3, 27, 17),
         R, Reason.SILENCE, at(3, 30, 12), at(4, 1, 18)),
    # Contact Thu 22 Oct: Sun 25 Oct 12:00 CET → Mon 26 10:00; end max(Tue 18:00, Mon 18:00).
    case("silent-dst-autumn-ber", silent(on(10, 22)), BER, at(10, 22, 12),
         R, Reason.SILENCE, at(10, 26, 10), at(10, 27, 18)),
    # Contact Mon 16: window Thu 19 12:00 – Sat 21 18:00; now Mon 23 → now, overdue.
    case("silent-overdue-msk", silent(on(11, 16)), MSK, at(11, 23, 11),
         R, Reason.SILENCE, at(11, 23, 11), at(11, 21, 18), True),
    # Contact Mon: window Thu 12:00 – Sat 18:00; now Thu 20:00 → Fri 10:00.
    case("silent-evening-in-window-msk", silent(on(11, 23)), MSK, at(11, 26, 20),
         R, Reason.SILENCE, at(11, 27, 10), at(11, 28, 18)),
    # --- waiting, more stages, date known: check in after the stage (first W moment after --
    # --- that day's W), or now if that has passed; no window, never overdue -----------------
    # Next stage Wed → Thu 10:00.
    case("next-stage-wed-msk", more_stages(on(11, 25)), MSK, at(11, 23, 12),
         Action.CHECK_AFTER_STAGE, Reason.MORE_STAGES, at(11, 26, 10), None),
    # Next stage Fri → Mon 10:00.
    case("next-stage-fri-kam", more_stages(on(11, 27)), KAM, at(11, 25, 12),
         Action.CHECK_AFTER_STAGE, Reason.MORE_STAGES, at(11, 30, 10), None),
    # Next stage Sat; now Thu 21:00 → Mon 10:00.
    case("next-stage-sat-p5", more_stages(on(11, 28)), P5, at(11, 26, 21),
         Action.CHECK_AFTER_STAGE, Reason.MORE_STAGES, at(11, 30, 10), None),
    # Next stage Thu 19 is past (check-in was Fri 20 10:00); now Mon 08:00 → now.
    case("next-stage-past-ber", more_stages(on(11, 19)), BER, at(11, 23, 8),
         Action.CHECK_AFTER_STAGE, Reason.MORE_STAGES, at(11, 23, 8), None),
    # Next stage Fri 27 Mar (CET) → Mon 30 Mar 10:00 CEST.
    case("next-stage-dst-ber", more_stages(on(3, 27)), BER, at(3, 25, 12),
         Action.CHECK_AFTER_STAGE, Reason.MORE_STAGES, at(3, 30, 10), None),
    # Next stage today, Thu; now Thu 18:00 → Fri 10:00.
    case("next-stage-today-1800-msk", more_stages(on(11, 26)), MSK, at(11, 26, 18),
         Action.CHECK_AFTER_STAGE, Reason.MORE_STAGES, at(11, 27, 10), None),
    # --- waiting, more stages, no date: nothing to send -------------------------------------
    case("no-next-date-msk", more_stages(None), MSK, at(11, 25, 12),
         Action.WAIT, Reason.MORE_STAGES_NO_DATE, None, None),
    case("no-next-date-weekend-kam", more_stages(None), KAM, at(11, 28, 3),
         Action.WAIT, Reason.MORE_STAGES_NO_DATE, None, None),
    case("no-next-date-fri-evening-ber", more_stages(None), BER, at(11, 27, 19),
         Action.WAIT, Reason.MORE_STAGES_NO_DATE, None, None),
    # --- offer: a thank-you, timed like the polite same-day rule ----------------------------
    # Offer Thu; now Thu 14:00 → now; closes Thu 18:00.
    case("offer-inside-msk", offer(on(11, 26)), MSK, at(11, 26, 14),
         T, Reason.OFFER, at(11, 26, 14), at(11, 26, 18)),
    # Offer Fri; now Fri 18:30 → Mon 10:00.
    case("offer-fri-evening-p5", offer(on(11, 27)), P5, at(11, 27, 18, 30),
         T, Reason.OFFER, at(11, 30, 10), at(11, 30, 18)),
    # Offer Sun → Mon 10:00.
    case("offer-sun-kam", offer(on(11, 29)), KAM, at(11, 29, 11),
         T, Reason.OFFER, at(11, 30, 10), at(11, 30, 18)),
    # Offer Mon; now Tue 12:00: Monday's window has passed → now, overdue.
    case("offer-overdue-ber", offer(on(11, 23)), BER, at(11, 24, 12),
         T, Reason.OFFER, at(11, 24, 12), at(11, 23, 18), True),
    # Offer Sun 25 Oct (DST day); now Sun 09:00 CET → Mon 26 Oct 10:00 CET.
    case("offer-dst-autumn-ber", offer(on(10, 25)), BER, at(10, 25, 9),
         T, Reason.OFFER, at(10, 26, 10), at(10, 26, 18)),
    # No result date → the last stage, Thu; now Thu 09:59 → Thu 10:00.
    case("offer-stage-fallback-msk", offer(None, stage=on(11, 26)), MSK, at(11, 26, 9, 59),
         T, Reason.OFFER, at(11, 26, 10), at(11, 26, 18)),
    # --- after «Sent»: follow-up 3 working days later (in W); window to 2 working days on ---
    # Sent Mon 11:00 → Thu 11:00 (Mon 7 h + Tue + Wed + Thu 1 h = 24 W hours); end Mon 18:00.
    case("follow-up-mon-inside-msk", sent(MSK, at(11, 23, 11)), MSK, at(11, 23, 11, 5),
         F, Reason.NO_REPLY, at(11, 26, 11), at(11, 30, 18)),
    # Sent Mon 20:00 → Thu 20:00, outside W → Fri 10:00; end Fri+2 = Tue 1 Dec 18:00.
    case("follow-up-mon-evening-msk", sent(MSK, at(11, 23, 20)), MSK, at(11, 24, 12),
         F, Reason.NO_REPLY, at(11, 27, 10), at(12, 1, 18)),
    # Sent Fri 19:00 → Mon, Tue, Wed 19:00 → Thu 3 Dec 10:00; end Thu+2 = Mon 7 Dec.
    case("follow-up-fri-evening-kam", sent(KAM, at(11, 27, 19)), KAM, at(11, 28, 9),
         F, Reason.NO_REPLY, at(12, 3, 10), at(12, 7, 18)),
    # Sent Sat 11:00: the 3 working days are Mon, Tue, Wed → Thu 3 Dec 10:00; end Mon 7 Dec.
    case("follow-up-sat-daytime-p5", sent(P5, at(11, 28, 11)), P5, at(11, 28, 11, 5),
         F, Reason.NO_REPLY, at(12, 3, 10), at(12, 7, 18)),
    # Sent Sun 20:00: Mon, Tue, Wed (20:00) → Thu 3 Dec 10:00; end Mon 7 Dec.
    case("follow-up-sun-evening-ber", sent(BER, at(11, 29, 20)), BER, at(11, 30, 9),
         F, Reason.NO_REPLY, at(12, 3, 10), at(12, 7, 18)),
    # Sent Fri 27 Mar 11:00 CET → Wed 1 Apr 11:00 CEST (wall clock); end Fri 3 Apr 18:00.
    case("follow-up-dst-spring-ber", sent(BER, at(3, 27, 11)), BER, at(3, 27, 11, 30),
         F, Reason.NO_REPLY, at(4, 1, 11), at(4, 3, 18)),
    # Sent Thu 22 Oct 09:00 CEST → Tue 27 Oct 09:00 CET → 10:00; end Thu 29 Oct 18:00.
    case("follow-up-dst-autumn-ber", sent(BER, at(10, 22, 9)), BER, at(10, 22, 9, 5),
         F, Reason.NO_REPLY, at(10, 27, 10), at(10, 29, 18)),
    # Sent Mon 16 11:00 → Thu 19 11:00; end Mon 23 18:00; now Mon 23 12:00 → now.
    case("follow-up-inside-msk", sent(MSK, at(11, 16, 11)), MSK, at(11, 23, 12),
         F, Reason.NO_REPLY, at(11, 23, 12), at(11, 23, 18)),
    # Same; now Tue 24 10:00, past Mon 23 18:00 → now, overdue.
    case("follow-up-overdue-msk", sent(MSK, at(11, 16, 11)), MSK, at(11, 24, 10),
         F, Reason.NO_REPLY, at(11, 24, 10), at(11, 23, 18), True),
    # Sent Mon 11:00: window Thu 11:00 – Mon 18:00; now Fri 20:00 → Mon 10:00.
    case("follow-up-evening-in-window-msk", sent(MSK, at(11, 23, 11)), MSK, at(11, 27, 20),
         F, Reason.NO_REPLY, at(11, 30, 10), at(11, 30, 18)),
    # Sent Tue 23:00 UTC = Wed 11:00 Kamchatka → Thu, Fri, Mon 11:00; end Wed 2 Dec 18:00.
    case("follow-up-utc-sent-kam", sent(KAM, utc(11, 24, 23)), KAM, at(11, 25, 11),
         F, Reason.NO_REPLY, at(11, 30, 11), at(12, 2, 18)),
    # --- after the follow-up: stop 5 working days later (addressed to the person, not W) ----
    # Follow-up Thu 11:00 → Fri, Mon, Tue, Wed, Thu 3 Dec 11:00.
    case("stop-thu-msk", sent(MSK, at(11, 23, 11), at(11, 26, 11)), MSK, at(11, 26, 11, 5),
         Action.STOP, Reason.STOP_NO_REPLY, at(12, 3, 11), None),
    # Follow-up Fri 19:00 → Mon … Fri 4 Dec 19:00.
    case("stop-fri-evening-kam", sent(KAM, at(11, 23, 11), at(11, 27, 19)), KAM,
         at(11, 28, 10), Action.STOP, Reason.STOP_NO_REPLY, at(12, 4, 19), None),
    # Follow-up Sun 20:00 → Mon … Fri 4 Dec 20:00 (Mon–Fri have all passed by then).
    case("stop-sun-evening-p5", sent(P5, at(11, 23, 11), at(11, 29, 20)), P5, at(11, 30, 9),
         Action.STOP, Reason.STOP_NO_REPLY, at(12, 4, 20), None),
    # Follow-up Wed 25 Mar 10:00 CET → Thu, Fri, Mon, Tue, Wed 1 Apr 10:00 CEST.
    case("stop-dst-spring-ber", sent(BER, at(3, 20, 11), at(3, 25, 10)), BER, at(3, 25, 10, 5),
         Action.STOP, Reason.STOP_NO_REPLY, at(4, 1, 10), None),
    # Follow-up Fri 23 Oct 17:59 CEST → Fri 30 Oct 17:59 CET.
    case("stop-dst-autumn-ber", sent(BER, at(10, 19, 11), at(10, 23, 17, 59)), BER,
         at(10, 23, 18), Action.STOP, Reason.STOP_NO_REPLY, at(10, 30, 17, 59), None),
    # Follow-up Mon 16 11:00 → Mon 23 11:00, passed; now Wed 25 12:00 → now.
    case("stop-past-msk", sent(MSK, at(11, 11, 11), at(11, 16, 11)), MSK, at(11, 25, 12),
         Action.STOP, Reason.STOP_NO_REPLY, at(11, 25, 12), None),
    # --- answered: nothing more, whatever else is known -------------------------------------
    case("answered-polite-msk", answered(polite(on(11, 25))), MSK, at(11, 25, 11),
         Action.THANKS_FEEDBACK, Reason.ANSWERED, at(11, 25, 11), None),
    case("declined-polite-msk", dataclasses.replace(polite(on(11, 25)), reply="declined"),
         MSK, at(11, 25, 11), Action.STOP, Reason.DECLINED, None, None),
    case("answered-after-follow-up-kam",
         answered(sent(KAM, at(11, 23, 11), at(11, 26, 11))), KAM, at(11, 27, 19),
         Action.THANKS_FEEDBACK, Reason.ANSWERED, at(11, 27, 19), None),
    case("answered-harsh-sent-ber",
         answered(sent(BER, at(3, 27, 11), base=harsh(on(3, 25)))), BER, at(3, 29, 12),
         Action.THANKS_FEEDBACK, Reason.ANSWERED, at(3, 29, 12), None),
    case("answered-offer-p5", answered(offer(on(11, 28))), P5, at(11, 28, 12),
         Action.THANKS_FEEDBACK, Reason.ANSWERED, at(11, 28, 12), None),
]  # fmt: skip


@pytest.mark.parametrize(
    (
        "facts",
        "zone",
        "now",
        "expected_action",
        "expected_reason",
        "expected_moment_local",
        "expected_window_end_local",
        "expected_overdue",
    ),
    CASES,
)
def test_recommendation_table(
    facts: Facts,
    zone: str,
    now: datetime,
    expected_action: Action,
    expected_reason: Reason,
    expected_moment_local: datetime | None,
    expected_window_end_local: datetime | None,
    expected_overdue: bool,
) -> None:
    rec = recommend(facts, zone, instant(zone, now), calendar(zone))
    assert (rec.action, rec.reason) == (expected_action, expected_reason)
    assert local(rec.moment, zone) == expected_moment_local
    assert local(rec.window_end, zone) == expected_window_end_local
    assert rec.overdue is expected_overdue


def test_table_is_large_and_covers_every_reason_and_zone() -> None:
    reasons = {param.values[4] for param in CASES}
    zones = {param.values[1] for param in CASES}
    assert len(CASES) >= 48
    assert reasons == set(Reason)
    assert zones == {MSK, KAM, P5, BER}


@pytest.mark.parametrize(
    ("typed", "name"), [("UTC+5", P5), ("UTC-3:30", "UTC-03:30"), ("UTC", "UTC")]
)
def test_fixed_offset_zone_names_are_the_parsers(typed: str, name: str) -> None:
    assert parse_timezone(typed) == name
    assert name in ZONES


def test_stop_after_a_saturday_follow_up_waits_for_five_full_working_days() -> None:
    # Follow-up Sat 28 Nov 11:00: the five working days after it are Mon 30 Nov – Fri 4 Dec,
    # so "no reply 5 working days after that" cannot hold before Fri 4 Dec 18:00.
    facts = sent(MSK, at(11, 23, 11), at(11, 28, 11))
    rec = recommend(facts, MSK, instant(MSK, at(11, 28, 11, 5)), RUSSIA)
    assert rec.action is Action.STOP
    moment = local(rec.moment, MSK)
    assert moment is not None
    assert moment >= at(12, 4, 18)


# --- properties -----------------------------------------------------------------------------


class Scenario(NamedTuple):
    facts: Facts
    zone: str
    now: datetime
    calendar: WorkCalendar = MON_FRI


NOWS: Final = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2040, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
WITHIN_60_DAYS: Final = st.integers(min_value=-60, max_value=60)
WITHIN_60_DAYS_IN_MINUTES: Final = st.integers(min_value=-60 * 24 * 60, max_value=60 * 24 * 60)


@st.composite
def scenarios(
    draw: st.DrawFn,
    outcomes: Sequence[Outcome] = tuple(Outcome),
    tones: Sequence[Tone | None] = (*Tone, None),
    with_sent: bool = True,
    with_answered: bool = True,
) -> Scenario:
    """Arbitrary facts around an arbitrary ``now``: every date within ±60 days of it."""
    now = draw(NOWS)
    today = now.date()

    def some_day() -> date:
        return today + timedelta(days=draw(WITHIN_60_DAYS))

    def maybe_day() -> date | None:
        offset = draw(st.none() | WITHIN_60_DAYS)
        return None if offset is None else today + timedelta(days=offset)

    def maybe_sent() -> datetime | None:
        if not with_sent:
            return None
        minutes = draw(st.none() | WITHIN_60_DAYS_IN_MINUTES)
        return None if minutes is None else now + timedelta(minutes=minutes)

    facts = Facts(
        outcome=draw(st.sampled_from(outcomes)),
        all_stages_done=draw(st.booleans()),
        last_stage_on=some_day(),
        rejection_tone=draw(st.sampled_from(tones)),
        result_on=maybe_day(),
        last_contact_on=maybe_day(),
        next_stage_on=maybe_day(),
        request_sent_at=maybe_sent(),
        follow_up_sent_at=maybe_sent(),
        reply=draw(st.sampled_from([None, "feedback", "declined"])) if with_answered else None,
    )
    zone = draw(st.sampled_from(sorted(ZONES)))
    return Scenario(facts, zone, now, draw(st.sampled_from([MON_FRI, RUSSIA])))


def zone_of(name: str) -> tzinfo:
    return ZONES[name]


def noon_after(day: date, days: int, zone: str) -> datetime:
    """12:00 local ``days`` calendar days after ``day``, as a UTC instant."""
    return datetime.combine(day + timedelta(days=days), NOON, tzinfo=zone_of(zone)).astimezone(UTC)


def run(scenario: Scenario) -> Recommendation:
    return recommend(scenario.facts, scenario.zone, scenario.now, scenario.calendar)


PROPERTY: Final = settings(max_examples=150, deadline=None)

# Stage Mon 23 Nov (Moscow): the window is Tue 12:00 – Wed 12:00; at Tue 19:00 the module
# answers "now" (outside W) and not overdue. Pinned as final-evening-in-window-msk.
EVENING_IN_WINDOW: Final = Scenario(
    final_stage(on(11, 23)), MSK, instant(MSK, at(11, 24, 19)), RUSSIA
)
# Polite rejection Wed 25 Nov (Moscow), now Wed 08:00: the moment is Wed 10:00.
BEFORE_W: Final = Scenario(polite(on(11, 25)), MSK, instant(MSK, at(11, 25, 8)), RUSSIA)


@PROPERTY
@given(scenarios())
def test_moment_is_never_before_now(scenario: Scenario) -> None:
    rec = run(scenario)
    if rec.moment is not None:
        assert rec.moment >= scenario.now


@PROPERTY
@given(scenarios())
def test_results_are_aware_instants(scenario: Scenario) -> None:
    rec = run(scenario)
    for moment in (rec.moment, rec.window_end):
        assert moment is None or moment.utcoffset() is not None


@PROPERTY
@example(BEFORE_W)
@given(scenarios())
def test_results_are_utc(scenario: Scenario) -> None:
    rec = run(scenario)
    for moment in (rec.moment, rec.window_end):
        assert moment is None or (moment.tzinfo is UTC and moment.utcoffset() == timedelta(0))


@PROPERTY
@given(scenarios())
def test_result_is_deterministic(scenario: Scenario) -> None:
    assert run(scenario) == run(scenario)


@PROPERTY
@given(scenarios())
def test_a_message_to_an_employer_is_in_w_or_overdue_now(scenario: Scenario) -> None:
    """The part that holds today: overdue → now; any moment other than now lies inside W."""
    rec = run(scenario)
    if rec.action not in SENDABLE:
        assert not rec.overdue
        return
    assert rec.moment is not None
    assert rec.window_end is not None
    if rec.overdue:
        assert rec.moment == scenario.now
    elif rec.moment != scenario.now:
        assert in_work_window(rec.moment, zone_of(scenario.zone), scenario.calendar)


@PROPERTY
@example(EVENING_IN_WINDOW)
@given(scenarios())
def test_a_message_to_an_employer_not_overdue_is_inside_w(scenario: Scenario) -> None:
    rec = run(scenario)
    if rec.action in SENDABLE and not rec.overdue:
        assert rec.moment is not None
        assert in_work_window(rec.moment, zone_of(scenario.zone), scenario.calendar)


@PROPERTY
@given(scenarios())
def test_window_end_is_not_before_the_moment_unless_overdue(scenario: Scenario) -> None:
    rec = run(scenario)
    if rec.window_end is not None and not rec.overdue:
        assert rec.moment is not None
        assert rec.window_end >= rec.moment


@PROPERTY
@given(scenarios(outcomes=[Outcome.REJECTED], tones=[Tone.HARSH], with_sent=False))
def test_harsh_rejection_waits_24_hours_and_a_working_day(scenario: Scenario) -> None:
    rec = run(scenario)
    facts = scenario.facts
    result_day = facts.result_on or facts.last_stage_on
    assert rec.reason in {Reason.HARSH_PAUSE, Reason.ANSWERED, Reason.DECLINED}
    if rec.reason in {Reason.ANSWERED, Reason.DECLINED}:
        return
    assert rec.moment is not None
    assert rec.moment - noon_after(result_day, 0, scenario.zone) >= timedelta(hours=24)
    moment_day = rec.moment.astimezone(zone_of(scenario.zone)).date()
    assert moment_day > result_day
    if not rec.overdue:
        assert scenario.calendar.is_working_day(moment_day)


@PROPERTY
@given(scenarios(outcomes=[Outcome.SILENT], with_sent=False))
def test_silence_waits_three_days(scenario: Scenario) -> None:
    rec = run(scenario)
    facts = scenario.facts
    contact = facts.last_contact_on or facts.last_stage_on
    assert rec.reason in {Reason.SILENCE, Reason.ANSWERED, Reason.DECLINED}
    if rec.reason in {Reason.ANSWERED, Reason.DECLINED}:
        return
    assert rec.moment is not None
    # Three calendar days in the person's zone: 72 h, or 71/73 h across a DST change.
    assert rec.moment >= noon_after(contact, 3, scenario.zone)


# --- the helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize("week", [MON_FRI, RUSSIA])
def test_is_working_day(week: WorkCalendar) -> None:
    assert [week.is_working_day(on(11, day)) for day in range(23, 30)] == [True] * 5 + [False] * 2


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        (MSK, at(11, 25, 10), True),  # Wed, exactly 10:00: W opens
        (MSK, datetime(2026, 11, 25, 9, 59, 59, 999999), False),  # noqa: DTZ001
        (MSK, datetime(2026, 11, 25, 17, 59, 59, 999999), True),  # noqa: DTZ001
        (MSK, at(11, 25, 18), False),  # exactly 18:00: W has closed
        (MSK, at(11, 27, 17, 59), True),  # Friday 17:59
        (MSK, at(11, 27, 18), False),  # Friday 18:00
        (MSK, at(11, 28, 12), False),  # Saturday noon
        (MSK, at(11, 29, 12), False),  # Sunday noon
        (KAM, utc(11, 29, 22), True),  # Sun 22:00 UTC = Mon 10:00 in Kamchatka
        (KAM, utc(11, 27, 6), False),  # Fri 06:00 UTC = Fri 18:00 in Kamchatka
        (P5, utc(11, 25, 5), True),  # 05:00 UTC = 10:00 at UTC+5
        (P5, utc(11, 25, 4, 59), False),
        (BER, utc(3, 27, 9), True),  # Fri 27 Mar 10:00 CET
        (BER, utc(3, 30, 8), True),  # Mon 30 Mar 10:00 CEST
        (BER, utc(3, 30, 7, 30), False),  # Mon 30 Mar 09:30 CEST
        (BER, utc(10, 26, 8, 30), False),  # Mon 26 Oct 09:30 CET
        (BER, utc(10, 26, 16, 59), True),  # Mon 26 Oct 17:59 CET
        (BER, utc(10, 26, 17), False),  # Mon 26 Oct 18:00 CET
    ],
)
def test_in_work_window(zone: str, moment: datetime, expected: bool) -> None:
    assert in_work_window(instant(zone, moment), zone_of(zone), calendar(zone)) is expected


@pytest.mark.parametrize(
    ("zone", "moment", "expected_local"),
    [
        (MSK, at(11, 25, 10), at(11, 25, 10)),  # exactly 10:00: already open
        (MSK, at(11, 25, 9, 59), at(11, 25, 10)),
        (MSK, at(11, 25, 0), at(11, 25, 10)),
        (MSK, at(11, 25, 14, 30), at(11, 25, 14, 30)),  # inside: itself
        (MSK, at(11, 25, 18), at(11, 26, 10)),  # exactly 18:00 → the next morning
        (MSK, at(11, 27, 17, 59), at(11, 27, 17, 59)),  # Friday 17:59: still open
        (MSK, at(11, 27, 18), at(11, 30, 10)),  # Friday 18:00 → Monday
        (MSK, at(11, 28, 12), at(11, 30, 10)),  # Saturday → Monday
        (MSK, at(11, 29, 23, 59), at(11, 30, 10)),  # Sunday night → Monday
        (KAM, utc(11, 27, 6), at(11, 30, 10)),  # Fri 18:00 in Kamchatka → Mon
        (KAM, utc(11, 29, 21, 59), at(11, 30, 10)),  # Mon 09:59 in Kamchatka
        (P5, at(11, 26, 23), at(11, 27, 10)),
        (BER, utc(3, 29, 1, 30), at(3, 30, 10)),  # Sun 29 Mar 03:30 CEST, just after the gap
        (BER, at(3, 27, 18), at(3, 30, 10)),  # Fri 18:00 CET → Mon 10:00 CEST
        (BER, utc(10, 25, 0, 30), at(10, 26, 10)),  # Sun 25 Oct 02:30 CEST → Mon 10:00 CET
    ],
)
def test_first_work_moment(zone: str, moment: datetime, expected_local: datetime) -> None:
    start = instant(zone, moment)
    result = first_work_moment(start, zone_of(zone), calendar(zone))
    assert local(result, zone) == expected_local
    assert result >= start
    assert in_work_window(result, zone_of(zone), calendar(zone))


def test_first_work_moment_across_the_spring_gap_is_the_right_instant() -> None:
    # Mon 30 Mar 10:00 CEST is 08:00 UTC (not 09:00, as it would be in CET).
    result = first_work_moment(utc(3, 28, 11), zone_of(BER), MON_FRI)
    assert result.astimezone(UTC) == utc(3, 30, 8)


@pytest.mark.parametrize(
    ("zone", "moment", "days", "expected_local"),
    [
        (MSK, at(11, 25, 11), 0, at(11, 25, 11)),
        (MSK, at(11, 25, 11), 1, at(11, 26, 11)),  # Wed → Thu
        (MSK, at(11, 26, 10), 3, at(12, 1, 10)),  # Thu → Fri, Mon, Tue
        (MSK, at(11, 25, 10), 5, at(12, 2, 10)),  # a week later
        (MSK, at(11, 27, 17, 59), 1, at(11, 30, 17, 59)),  # Friday 17:59 → Monday
        (MSK, at(11, 27, 18), 1, at(11, 30, 18)),  # the same local time, not moved into W
        (MSK, at(11, 28, 11), 1, at(11, 30, 11)),  # Saturday → Monday
        (MSK, at(11, 29, 11), 3, at(12, 2, 11)),  # Sunday → Mon, Tue, Wed
        (KAM, utc(11, 26, 23), 1, at(11, 30, 11)),  # Thu 23:00 UTC = Fri 11:00 Kamchatka
        (P5, at(11, 26, 20), 3, at(12, 1, 20)),
        (BER, at(3, 27, 10), 1, at(3, 30, 10)),  # Fri CET → Mon CEST, wall clock kept
        (BER, at(10, 23, 10), 1, at(10, 26, 10)),  # Fri CEST → Mon CET
    ],
)
def test_add_working_days(zone: str, moment: datetime, days: int, expected_local: datetime) -> None:
    result = add_working_days(instant(zone, moment), days, zone_of(zone), calendar(zone))
    assert local(result, zone) == expected_local


def test_add_working_days_across_dst_keeps_the_wall_clock_not_the_duration() -> None:
    # Fri 27 Mar 10:00 CET = 09:00 UTC → Mon 30 Mar 10:00 CEST = 08:00 UTC.
    assert add_working_days(utc(3, 27, 9), 1, zone_of(BER), MON_FRI).astimezone(UTC) == utc(
        3, 30, 8
    )
    # Fri 23 Oct 10:00 CEST = 08:00 UTC → Mon 26 Oct 10:00 CET = 09:00 UTC.
    assert add_working_days(utc(10, 23, 8), 1, zone_of(BER), MON_FRI).astimezone(UTC) == utc(
        10, 26, 9
    )


def test_add_working_days_into_a_weekday_dst_gap_moves_forward() -> None:
    # Israel springs forward on Friday 27 Mar 2026, 02:00 → 03:00. Thu 26 Mar 02:30 (UTC+2)
    # plus one working day is Fri 02:30, which does not exist: it becomes 03:30 (UTC+3),
    # i.e. 00:30 UTC, as the module's "a skipped time moves forward" says.
    zone = ZoneInfo("Asia/Jerusalem")
    result = add_working_days(utc(3, 26, 0, 30), 1, zone, MON_FRI)
    assert result.astimezone(UTC) == utc(3, 27, 0, 30)
    assert result.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == at(3, 27, 3, 30)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (on(11, 23), on(11, 24)),  # Mon → Tue
        (on(11, 26), on(11, 27)),  # Thu → Fri
        (on(11, 27), on(11, 30)),  # Fri → Mon
        (on(11, 28), on(11, 30)),  # Sat → Mon
        (on(11, 29), on(11, 30)),  # Sun → Mon
        (on(3, 27), on(3, 30)),  # Fri → Mon across the DST Sunday
        (on(12, 31), on(1, 1, 2027)),  # Thu → Fri across the year
        (on(1, 1, 2027), on(1, 4, 2027)),  # Fri → Mon
    ],
)
def test_next_working_day(day: date, expected: date) -> None:
    assert MON_FRI.next_working_day(day) == expected


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    st.sampled_from([MON_FRI, RUSSIA]),
)
def test_next_working_day_is_the_first_later_working_day(day: date, week: WorkCalendar) -> None:
    result = week.next_working_day(day)
    assert result > day
    assert week.is_working_day(result)
    assert all(
        not week.is_working_day(day + timedelta(days=n)) for n in range(1, (result - day).days)
    )


# --- the Russian production calendar --------------------------------------------------------
# 2025–2026 (decrees of 4 Oct 2024 and 24 Sep 2025): Tue 30 Dec 2025 works; Wed 31 Dec 2025 –
# Sun 11 Jan 2026 are off; Mon 12 Jan 2026 is the first working day. Wed 29 Apr, Thu 30 Apr
# work, Fri 1 May 2026 is off, Mon 4 May works. Sat 1 Nov 2025 works, Mon 3 and Tue 4 Nov are
# off. Monday–Friday knows none of it: Fri 2 Jan 2026 and Fri 1 May are working days there.


def dec(day: int) -> date:
    return on(12, day, 2025)


def at25(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return at(month, day, hour, minute, year=2025)


HOLIDAY_CASES: Final = [
    # A company silent after Tue 30 Dec 2025: +3 days is Fri 2 Jan, in the holidays.
    pytest.param(
        silent(dec(30), stage=dec(23)), RUSSIA, at25(12, 30, 15),
        Reason.SILENCE, at(1, 12, 10), at(1, 12, 18), id="silent-new-year-ru",
    ),
    pytest.param(
        silent(dec(30), stage=dec(23)), MON_FRI, at25(12, 30, 15),
        Reason.SILENCE, at(1, 2, 12), at(1, 4, 18), id="silent-new-year-mon-fri",
    ),
    # A polite rejection on the holiday of 31 Dec 2025: the next W opening is 12 January.
    pytest.param(
        polite(dec(31)), RUSSIA, at25(12, 31, 12),
        Reason.SAME_DAY, at(1, 12, 10), at(1, 12, 18), id="polite-31-dec-ru",
    ),
    pytest.param(
        polite(dec(31)), MON_FRI, at25(12, 31, 12),
        Reason.SAME_DAY, at25(12, 31, 12), at25(12, 31, 18), id="polite-31-dec-mon-fri",
    ),
    # Harsh on Thu 30 Apr 2026: 24 h later is the 1 May holiday; the next working day is Mon.
    pytest.param(
        harsh(on(4, 30)), RUSSIA, at(4, 30, 12),
        Reason.HARSH_PAUSE, at(5, 4, 10), at(5, 6, 18), id="harsh-1-may-ru",
    ),
    pytest.param(
        harsh(on(4, 30)), MON_FRI, at(4, 30, 12),
        Reason.HARSH_PAUSE, at(5, 1, 12), at(5, 5, 18), id="harsh-1-may-mon-fri",
    ),
    # A polite rejection on the working Saturday 1 Nov 2025 is answered that day.
    pytest.param(
        polite(on(11, 1, 2025)), RUSSIA, at25(11, 1, 9),
        Reason.SAME_DAY, at25(11, 1, 10), at25(11, 1, 18), id="polite-working-sat-ru",
    ),
    pytest.param(
        polite(on(11, 1, 2025)), MON_FRI, at25(11, 1, 9),
        Reason.SAME_DAY, at25(11, 3, 10), at25(11, 3, 18), id="polite-sat-mon-fri",
    ),
    # «Sent» on Wed 29 Apr 2026: three working days are Thu 30 Apr, Mon 4 May, Tue 5 May.
    pytest.param(
        sent(MSK, at(4, 29, 11)), RUSSIA, at(4, 29, 11, 5),
        Reason.NO_REPLY, at(5, 5, 11), at(5, 7, 18), id="follow-up-may-ru",
    ),
    pytest.param(
        sent(MSK, at(4, 29, 11)), MON_FRI, at(4, 29, 11, 5),
        Reason.NO_REPLY, at(5, 4, 11), at(5, 6, 18), id="follow-up-may-mon-fri",
    ),
    # A follow-up on Fri 26 Dec 2025: five working days are 29, 30 Dec and 12–14 Jan.
    pytest.param(
        sent(MSK, at25(12, 19, 11), at25(12, 26, 11)), RUSSIA, at25(12, 26, 11, 5),
        Reason.STOP_NO_REPLY, at(1, 14, 11), None, id="stop-new-year-ru",
    ),
    pytest.param(
        sent(MSK, at25(12, 19, 11), at25(12, 26, 11)), MON_FRI, at25(12, 26, 11, 5),
        Reason.STOP_NO_REPLY, at(1, 2, 11), None, id="stop-new-year-mon-fri",
    ),
    # The next stage on Tue 30 Dec 2025: the check-in waits for the first working morning.
    pytest.param(
        more_stages(dec(30)), RUSSIA, at25(12, 29, 12),
        Reason.MORE_STAGES, at(1, 12, 10), None, id="stage-new-year-ru",
    ),
    pytest.param(
        more_stages(dec(30)), MON_FRI, at25(12, 29, 12),
        Reason.MORE_STAGES, at25(12, 31, 10), None, id="stage-new-year-mon-fri",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "week", "now", "reason", "moment_local", "window_end_local"), HOLIDAY_CASES
)
def test_holidays_move_the_moment_only_for_the_russian_calendar(
    facts: Facts,
    week: WorkCalendar,
    now: datetime,
    reason: Reason,
    moment_local: datetime,
    window_end_local: datetime | None,
) -> None:
    rec = recommend(facts, MSK, instant(MSK, now), week)
    assert rec.reason is reason
    assert local(rec.moment, MSK) == moment_local
    assert local(rec.window_end, MSK) == window_end_local
    assert not rec.overdue


def test_a_berlin_person_silent_company_is_asked_on_2_january() -> None:
    facts = silent(dec(30), stage=dec(23))
    rec = recommend(facts, BER, instant(BER, at25(12, 30, 15)), calendar(BER))
    assert local(rec.moment, BER) == at(1, 2, 12)


@pytest.mark.parametrize(
    ("moment", "russian", "mon_fri"),
    [
        (at(5, 1, 11), False, True),  # Fri 1 May 2026
        (at(1, 9, 11), False, True),  # Fri 9 Jan 2026, moved from Sat 3 Jan
        (at25(11, 1, 11), True, False),  # the working Saturday
        (at25(11, 3, 11), False, True),  # Mon 3 Nov 2025, moved from it
        (at(1, 12, 10), True, True),  # Mon 12 Jan 2026, 10:00
    ],
)
def test_the_work_window_follows_the_calendar(
    moment: datetime, russian: bool, mon_fri: bool
) -> None:
    assert in_work_window(instant(MSK, moment), zone_of(MSK), RUSSIA) is russian
    assert in_work_window(instant(MSK, moment), zone_of(MSK), MON_FRI) is mon_fri


def test_working_days_skip_the_new_year_holidays() -> None:
    # Tue 30 Dec 2025 11:00 + 1 working day: 12 January (Russia), 31 December (Mon–Fri).
    start = instant(MSK, at25(12, 30, 11))
    assert local(add_working_days(start, 1, zone_of(MSK), RUSSIA), MSK) == at(1, 12, 11)
    assert local(add_working_days(start, 1, zone_of(MSK), MON_FRI), MSK) == at25(12, 31, 11)
    evening = instant(MSK, at25(12, 30, 18))
    assert local(first_work_moment(evening, zone_of(MSK), RUSSIA), MSK) == at(1, 12, 10)
