"""The recommendation in words, in the person's language and time zone."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiogram.utils.i18n import gettext as _

from bot.domain.preferences import get_tz
from bot.domain.timing import Reason, Recommendation
from bot.telegram.views.common import human_date


def _weekday_on(weekday: int) -> str:
    names = (
        _("on Monday at {time}"),
        _("on Tuesday at {time}"),
        _("on Wednesday at {time}"),
        _("on Thursday at {time}"),
        _("on Friday at {time}"),
        _("on Saturday at {time}"),
        _("on Sunday at {time}"),
    )
    return names[weekday]


def _weekday_until(weekday: int) -> str:
    names = (
        _("by Monday, {time}"),
        _("by Tuesday, {time}"),
        _("by Wednesday, {time}"),
        _("by Thursday, {time}"),
        _("by Friday, {time}"),
        _("by Saturday, {time}"),
        _("by Sunday, {time}"),
    )
    return names[weekday]


def when_text(moment: datetime, now: datetime, zone_name: str) -> str:
    """«now», «today at 14:00», «tomorrow at 10:00», «on Friday at 10:00», «on 2 December…»."""
    if moment <= now + timedelta(minutes=1):
        return _("now")
    zone = get_tz(zone_name)
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    if days == 0:
        return _("today at {time}").format(time=clock)
    if days == 1:
        return _("tomorrow at {time}").format(time=clock)
    if days < 7:
        return _weekday_on(local.weekday()).format(time=clock)
    return _("on {date} at {time}").format(date=human_date(local.date(), today), time=clock)


def until_text(end: datetime, now: datetime, zone_name: str) -> str:
    zone = get_tz(zone_name)
    local, today = end.astimezone(zone), now.astimezone(zone).date()
    clock = local.strftime("%H:%M")
    days = (local.date() - today).days
    if days == 0:
        return _("by {time} today").format(time=clock)
    if days == 1:
        return _("by tomorrow, {time}").format(time=clock)
    if 1 < days < 7:
        return _weekday_until(local.weekday()).format(time=clock)
    return _("by {date}, {time}").format(date=human_date(local.date(), today), time=clock)


def _late_text(reason: Reason) -> str:
    """The best moment has passed: what to do now, in the words of the step at hand."""
    if reason is Reason.OFFER:
        return _(
            "⏰ The best moment has passed, but a thank-you is always welcome: better send it now."
        )
    if reason is Reason.NO_REPLY:
        return _(
            "⏰ The best moment for a follow-up has passed, but it is not too late: "
            "better send it now."
        )
    if reason in {Reason.AFTER_FINAL_STAGE, Reason.SILENCE}:
        return _(
            "⏰ The best moment has passed, but writing is still worth it: better do it now. "
            "Asking where things stand shows you are still interested in the role."
        )
    return _(
        "⏰ The best moment has passed, but writing is still worth it: better do it now. "
        "A late request is still a sign of interest in growing."
    )


def recommendation_text(rec: Recommendation, now: datetime, zone_name: str) -> str:
    """The recommendation and why, as the person reads it."""
    if rec.overdue:
        return _late_text(rec.reason)
    when = when_text(rec.moment, now, zone_name) if rec.moment else ""
    texts = {
        Reason.SAME_DAY: _("✉️ Best to send it {when}: on the day the result came."),
        Reason.HARSH_PAUSE: _(
            "⏸ Better not right away: after a harsh rejection give yourself and the company "
            "time. Send it {when}, at least a day later."
        ),
        Reason.AFTER_FINAL_STAGE: _("✉️ Best to send it {when}: 24–48 hours after the last stage."),
        Reason.SILENCE: _(
            "✉️ The company is silent. Write {when}: not earlier than 3–5 days after the last "
            "contact."
        ),
        Reason.OFFER: _(
            "🎉 Congratulations on the offer! No need to ask for feedback; a short thank-you "
            "note is a nice touch. Best {when}."
        ),
        Reason.MORE_STAGES: _(
            "🔁 More stages are ahead, so it is too early to ask for feedback. After the next "
            "stage, change the outcome on the interview card and I'll tell you when to write."
        ),
        Reason.MORE_STAGES_NO_DATE: _(
            "🔁 More stages are ahead, so it is too early to ask for feedback. When you know "
            "the date of the next stage, add it on the interview card."
        ),
        Reason.NO_REPLY: _(
            "📨 If there is no answer, one short follow-up is fine {when}: "
            "three working days after your request."
        ),
        Reason.STOP_NO_REPLY: _(
            "🤐 You have written twice: better not to insist. No answer is an answer too; "
            "reflect on the interview yourself and keep going."
        ),
        Reason.ANSWERED: _(
            "✅ They answered: great! Note down what they said and thank them; "
            "a short thank-you keeps the door open."
        ),
        Reason.DECLINED: _(
            "🚫 They declined to give feedback. That happens: some companies never give it. "
            "Don't insist; reflect on the interview yourself and keep going."
        ),
    }
    text = texts[rec.reason].format(when=when)
    if rec.window_end is not None and rec.moment is not None and rec.window_end > rec.moment:
        text += " " + _("Ideally {until}.").format(until=until_text(rec.window_end, now, zone_name))
    return text
