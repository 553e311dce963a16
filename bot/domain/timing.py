"""When to ask for feedback: the seed's timing rules, made exact. Pure: ``now`` is an argument.

Every rule works in the person's time zone and returns UTC instants. The work window W is
10:00–18:00 local time on a working day, when a recruiter reads mail; working days are those
of the person's calendar (:mod:`bot.domain.calendar`: the Russian production calendar, with
its holidays and moved days, or Monday–Friday). Events known only by their date (the last
stage, the day the answer came, the last contact) are taken to have happened around midday,
so "24 hours later" means the next day after lunch.

Rules (DESIGN.md, "Timing rules"):
* rejected, polite → the same day the result came; outside W → the next W opening;
* rejected, harsh → at least 24 h later and not before the next working day;
* waiting, all stages done → 24–48 h after the last stage (first W moment ≥ +24 h);
* company silent → 3–5 days after the last contact (first W moment ≥ +3 d, window to +5 d);
* waiting, more stages ahead → no request; check in after the next stage;
* offer → no request; a thank-you note instead;
* window already passed → now, marked overdue (late but still useful);
* after «Sent»: no reply in 3 working days → one follow-up; none 5 working days after that
  → stop: never more than two messages to one employer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final

from bot.db.models import Interview, User
from bot.domain.calendar import WorkCalendar, calendar_of
from bot.domain.intake import Outcome, Tone
from bot.domain.preferences import get_tz

WORK_START: Final = time(10, 0)
WORK_END: Final = time(18, 0)
ASSUMED_EVENT_TIME: Final = time(12, 0)
FOLLOW_UP_AFTER_WORKING_DAYS: Final = 3
STOP_AFTER_WORKING_DAYS: Final = 5
MAX_MESSAGES: Final = 2


class Action(StrEnum):
    REQUEST = "request"  # send the feedback request
    FOLLOW_UP = "follow_up"  # one short reminder
    THANKS_OFFER = "thanks_offer"  # an offer: thank them instead
    THANKS_FEEDBACK = "thanks_feedback"  # they answered: thank them for it
    CHECK_AFTER_STAGE = "check_after_stage"  # more stages: ask how the next one went
    WAIT = "wait"  # nothing to send yet (more stages, date unknown)
    STOP = "stop"  # two messages sent, no answer: stop and reflect


# Actions that come with something to copy and send.
DRAFT_ACTIONS: Final = frozenset(
    {Action.REQUEST, Action.FOLLOW_UP, Action.THANKS_OFFER, Action.THANKS_FEEDBACK}
)


class Reason(StrEnum):
    SAME_DAY = "same_day"
    HARSH_PAUSE = "harsh_pause"
    AFTER_FINAL_STAGE = "after_final_stage"
    SILENCE = "silence"
    MORE_STAGES = "more_stages"
    MORE_STAGES_NO_DATE = "more_stages_no_date"
    OFFER = "offer"
    NO_REPLY = "no_reply"
    STOP_NO_REPLY = "stop_no_reply"
    ANSWERED = "answered"
    DECLINED = "declined"


@dataclass(frozen=True, slots=True)
class Facts:
    """What timing needs to know about one interview."""

    outcome: str
    all_stages_done: bool
    last_stage_on: date
    rejection_tone: str | None = None
    result_on: date | None = None
    last_contact_on: date | None = None
    next_stage_on: date | None = None
    request_sent_at: datetime | None = None
    follow_up_sent_at: datetime | None = None
    reply: str | None = None  # feedback | declined: what the employer did


@dataclass(frozen=True, slots=True)
class Recommendation:
    action: Action
    reason: Reason
    moment: datetime | None  # UTC; when to act
    window_end: datetime | None  # UTC; after this it is late (but still worth it)
    overdue: bool = False


# --- the work window ------------------------------------------------------------------------


def _at(day: date, clock: time, zone: tzinfo) -> datetime:
    """A local wall-clock time on a day; a time skipped by a DST jump moves forward."""
    local = datetime.combine(day, clock, tzinfo=zone)
    return local.astimezone(zone)


def in_work_window(moment: datetime, zone: tzinfo, calendar: WorkCalendar) -> bool:
    local = moment.astimezone(zone)
    return calendar.is_working_day(local.date()) and WORK_START <= local.time() < WORK_END


def first_work_moment(moment: datetime, zone: tzinfo, calendar: WorkCalendar) -> datetime:
    """The earliest instant ≥ ``moment`` inside the work window."""
    local = moment.astimezone(zone)
    day = local.date()
    if calendar.is_working_day(day):
        if local.time() < WORK_START:
            return _at(day, WORK_START, zone)
        if local.time() < WORK_END:
            return moment
    return _at(calendar.next_working_day(day), WORK_START, zone)


def add_working_days(moment: datetime, days: int, zone: tzinfo, calendar: WorkCalendar) -> datetime:
    """The same local time ``days`` working days later (days off do not count)."""
    local = moment.astimezone(zone)
    day = local.date()
    for _ in range(days):
        day = calendar.next_working_day(day)
    return _at(day, local.time(), zone)


def _close_of(moment: datetime, zone: tzinfo) -> datetime:
    """The end of the work window on the day of a work-window moment."""
    return _at(moment.astimezone(zone).date(), WORK_END, zone)


def _event(day: date, zone: tzinfo) -> datetime:
    return _at(day, ASSUMED_EVENT_TIME, zone)


# --- the rules ------------------------------------------------------------------------------


def _window(
    action: Action,
    reason: Reason,
    start: datetime,
    end: datetime,
    now: datetime,
    calendar: WorkCalendar,
) -> Recommendation:
    """Place ``now`` against a window: before it → its start; inside → the first work-window
    moment from now (now itself in working hours); nothing left of it → overdue, now."""
    if now < start:
        return Recommendation(action, reason, start, end)
    moment = first_work_moment(now, start.tzinfo or UTC, calendar)
    if moment < end:
        return Recommendation(action, reason, moment, end)
    return Recommendation(action, reason, now, end, overdue=True)


def _same_day(
    day: date, zone: tzinfo, calendar: WorkCalendar, now: datetime
) -> tuple[datetime, datetime]:
    """The work window of ``day``, or the next one when ``day`` has none left.

    The day of the result counts as long as it lasts: a result recorded after 18:00 the
    same day most likely came after hours, so the next opening is still on time.
    """
    start = first_work_moment(_at(day, time(0, 0), zone), zone, calendar)
    end = _close_of(start, zone)
    today = now.astimezone(zone).date()
    if day == today and now >= end:
        start = first_work_moment(now, zone, calendar)
        end = _close_of(start, zone)
    return start, end


def recommend(
    facts: Facts, zone_name: str, now: datetime, calendar: WorkCalendar
) -> Recommendation:
    """The recommendation for one interview at ``now``, in the person's time zone and by
    their working calendar; its instants are in UTC."""
    rec = _recommend(facts, get_tz(zone_name), calendar, now)

    def utc(moment: datetime | None) -> datetime | None:
        return moment.astimezone(UTC) if moment is not None else None

    return replace(rec, moment=utc(rec.moment), window_end=utc(rec.window_end))


def _recommend(facts: Facts, zone: tzinfo, calendar: WorkCalendar, now: datetime) -> Recommendation:
    if facts.reply == "declined":
        return Recommendation(Action.STOP, Reason.DECLINED, None, None)
    if facts.reply == "feedback":
        return Recommendation(Action.THANKS_FEEDBACK, Reason.ANSWERED, now, None)
    if facts.request_sent_at is not None:
        return _after_sent(facts, zone, calendar, now)
    outcome = Outcome(facts.outcome)
    result_day = facts.result_on or facts.last_stage_on
    if outcome is Outcome.OFFER:
        start, end = _same_day(result_day, zone, calendar, now)
        return _window(Action.THANKS_OFFER, Reason.OFFER, start, end, now, calendar)
    if outcome is Outcome.REJECTED and facts.rejection_tone == Tone.HARSH:
        earliest = max(
            _event(result_day, zone) + timedelta(hours=24),
            _at(calendar.next_working_day(result_day), WORK_START, zone),
        )
        start = first_work_moment(earliest, zone, calendar)
        end = _close_of(add_working_days(start, 2, zone, calendar), zone)
        return _window(Action.REQUEST, Reason.HARSH_PAUSE, start, end, now, calendar)
    if outcome is Outcome.REJECTED:
        start, end = _same_day(result_day, zone, calendar, now)
        return _window(Action.REQUEST, Reason.SAME_DAY, start, end, now, calendar)
    if outcome is Outcome.SILENT:
        contact = _event(facts.last_contact_on or facts.last_stage_on, zone)
        start = first_work_moment(contact + timedelta(days=3), zone, calendar)
        end = max(_at((contact + timedelta(days=5)).date(), WORK_END, zone), _close_of(start, zone))
        return _window(Action.REQUEST, Reason.SILENCE, start, end, now, calendar)
    if not facts.all_stages_done:
        if facts.next_stage_on is None:
            return Recommendation(Action.WAIT, Reason.MORE_STAGES_NO_DATE, None, None)
        check = first_work_moment(_at(facts.next_stage_on, WORK_END, zone), zone, calendar)
        return Recommendation(Action.CHECK_AFTER_STAGE, Reason.MORE_STAGES, max(check, now), None)
    stage = _event(facts.last_stage_on, zone)
    start = first_work_moment(stage + timedelta(hours=24), zone, calendar)
    end = max(stage + timedelta(hours=48), _close_of(start, zone))
    return _window(Action.REQUEST, Reason.AFTER_FINAL_STAGE, start, end, now, calendar)


def _after_sent(
    facts: Facts, zone: tzinfo, calendar: WorkCalendar, now: datetime
) -> Recommendation:
    assert facts.request_sent_at is not None
    if facts.follow_up_sent_at is None:
        # Counted from the first working moment: a request sent on Saturday starts on Monday.
        sent = first_work_moment(facts.request_sent_at, zone, calendar)
        due = first_work_moment(
            add_working_days(sent, FOLLOW_UP_AFTER_WORKING_DAYS, zone, calendar), zone, calendar
        )
        end = _close_of(add_working_days(due, 2, zone, calendar), zone)
        return _window(Action.FOLLOW_UP, Reason.NO_REPLY, due, end, now, calendar)
    followed = facts.follow_up_sent_at
    stop = add_working_days(followed, STOP_AFTER_WORKING_DAYS, zone, calendar)
    sent_day = followed.astimezone(zone).date()
    if not calendar.is_working_day(sent_day):
        # Sent on a day off: all five working days after it must be over.
        fifth = sent_day
        for _day in range(STOP_AFTER_WORKING_DAYS):
            fifth = calendar.next_working_day(fifth)
        stop = max(stop, _at(fifth, WORK_END, zone))
    return Recommendation(Action.STOP, Reason.STOP_NO_REPLY, max(stop, now), None)


def recommend_for(interview: Interview, user: User, now: datetime) -> Recommendation:
    """The recommendation for a saved interview, in its person's zone and calendar."""
    return recommend(facts_of(interview), user.timezone, now, calendar_of(user.calendar))


def facts_of(interview: Interview) -> Facts:
    """The timing facts of a saved interview."""
    return Facts(
        outcome=interview.outcome,
        all_stages_done=interview.all_stages_done,
        last_stage_on=interview.last_stage_on,
        rejection_tone=interview.rejection_tone,
        result_on=interview.result_on,
        last_contact_on=interview.last_contact_on,
        next_stage_on=interview.next_stage_on,
        request_sent_at=interview.request_sent_at,
        follow_up_sent_at=interview.follow_up_sent_at,
        reply=interview.reply,
    )
