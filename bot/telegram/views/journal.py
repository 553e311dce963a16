"""How journal entries, next steps and the plan read."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.db.models import JournalEntry
from bot.domain.journal import AreaPlan, EntryKind, JournalArea, Sentiment, Step, quote
from bot.domain.preferences import get_tz
from bot.telegram.i18n import ngettext

AREA_NAMES = {
    JournalArea.TECHNICAL: __("Technical skills"),
    JournalArea.COMMUNICATION: __("Communication"),
    JournalArea.CULTURE: __("Culture fit"),
    JournalArea.ATTITUDE: __("Attitude and responsibility"),
    JournalArea.OTHER: __("Other"),
}
SENTIMENT_NAMES = {
    Sentiment.POSITIVE: __("👍 Positive"),
    Sentiment.CONSTRUCTIVE: __("🛠 Constructive"),
    Sentiment.MIXED: __("⚖️ Mixed"),
}


def step_text(area: JournalArea, step: Step) -> str:
    """Concrete next steps from the seed, per area."""
    practice = {
        JournalArea.TECHNICAL: _(
            "Practise the skills they mentioned: a small task on the topic every day this week"
        ),
        JournalArea.COMMUNICATION: _(
            "Rehearse telling about your experience aloud: 2–3 stories of 2 minutes each"
        ),
        JournalArea.CULTURE: _(
            "Before the next interview, read how the team works and prepare questions about it"
        ),
        JournalArea.ATTITUDE: _(
            "Prepare a story of a task you saw through to the end and what you took "
            "responsibility for"
        ),
        JournalArea.OTHER: _("Write down one thing to do differently and do it this week"),
    }
    if step is Step.PRACTICE:
        return practice[area]
    if step is Step.CV:
        return _("Update your CV and portfolio where this area shows")
    return _("Prepare an example for the next interview that shows the change")


def entry_line(entry: JournalEntry, zone: str) -> str:
    day = entry.created_at.astimezone(get_tz(zone)).strftime("%d.%m")
    kind = EntryKind(entry.kind)
    if kind is EntryKind.NONE:
        return _("• {day}: no feedback was given").format(day=day)
    if kind is EntryKind.DECLINED:
        return _("• {day}: they declined to give feedback").format(day=day)
    label = (
        _("reflection")
        if kind is EntryKind.REFLECTION
        else str(SENTIMENT_NAMES[Sentiment(entry.sentiment)])
        if entry.sentiment
        else ""
    )
    areas = ", ".join(str(AREA_NAMES[JournalArea(a)]).lower() for a in entry.areas or [])
    head = f"• {day}: {label}" + (f" ({areas})" if areas else "")
    return head + (f" — «{escape(quote(entry.text, 60))}»" if entry.text else "")


def plan_text(plans: list[AreaPlan]) -> str:
    if not plans:
        return _(
            "📈 <b>Your plan</b>\n\nNothing to work on yet. When you record constructive "
            "feedback (/feedback), the areas it names and the next steps appear here."
        )
    lines = [_("📈 <b>Your plan</b>"), ""]
    for plan in plans:
        mentioned = ngettext(
            "mentioned in {count} interview", "mentioned in {count} interviews", plan.interviews
        ).format(count=plan.interviews)
        lines.append(f"<b>{AREA_NAMES[plan.area]}</b>: {mentioned}")
        lines += [f"   «{escape(text)}»" for text in plan.quotes]
        for step, done in plan.steps:
            lines.append(f"   {'☑' if done else '☐'} {step_text(plan.area, step)}")
        lines.append("")
    lines.append(_("Tap a step when it is done."))
    return "\n".join(lines)
