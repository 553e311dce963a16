"""How journal entries, next steps and the plan read: the questions of a new entry and their
buttons, the note after saving, the list of an interview's entries and the plan."""

from __future__ import annotations

from html import escape
from typing import Final

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.models import Interview, JournalEntry
from bot.domain.journal import (
    TO_WORK_ON,
    AreaPlan,
    EntryKind,
    JournalArea,
    Sentiment,
    Step,
    quote,
)
from bot.domain.paging import Paged
from bot.domain.preferences import get_tz
from bot.drafting.render import Kind
from bot.telegram.i18n import ngettext
from bot.telegram.keyboards.callbacks import DraftCb, InterviewCb, JournalCb, PlanCb
from bot.telegram.keyboards.common import page_buttons
from bot.telegram.views.common import page_mark, quote_input

ENTRIES_PAGE: Final = 5
"""Entries a page of an interview's journal shows (10 buttons with theirs)."""
CARD_ENTRIES: Final = 3
"""The latest entries an interview's card shows; the rest are in its journal."""
CARD_QUOTE: Final = 60
LIST_QUOTE: Final = 200
"""Characters of an entry's text quoted on the card and in the journal's list."""

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
            "Rehearse talking about your experience aloud: 2–3 stories of 2 minutes each"
        ),
        JournalArea.CULTURE: _(
            "Before the next interview, find out how the team works and prepare questions about it"
        ),
        JournalArea.ATTITUDE: _(
            "Prepare a story about a task you saw through to the end and what you were "
            "responsible for"
        ),
        JournalArea.OTHER: _("Write down one thing to do differently and do it this week"),
    }
    if step is Step.PRACTICE:
        return practice[area]
    if step is Step.CV:
        return _("Update the parts of your CV and portfolio that show this area")
    return _("Prepare an example for the next interview that shows your progress")


def entry_line(entry: JournalEntry, zone: str, limit: int = CARD_QUOTE) -> str:
    """An entry in one line, its text cut to ``limit`` characters with «…»; without a bullet
    (the interview's card puts «•», its journal a number)."""
    day = entry.created_at.astimezone(get_tz(zone)).strftime("%d.%m")
    kind = EntryKind(entry.kind)
    if kind is EntryKind.NONE:
        return _("{day}: no feedback was given").format(day=day)
    if kind is EntryKind.DECLINED:
        return _("{day}: they declined to give feedback").format(day=day)
    label = (
        _("reflection")
        if kind is EntryKind.REFLECTION
        else str(SENTIMENT_NAMES[Sentiment(entry.sentiment)])
        if entry.sentiment
        else ""
    )
    areas = ", ".join(str(AREA_NAMES[JournalArea(a)]).lower() for a in entry.areas or [])
    head = f"{day}: {label}" + (f" ({areas})" if areas else "")
    return head + (f" — «{escape(quote(entry.text, limit))}»" if entry.text else "")


def card_journal(latest: Paged[JournalEntry], zone: str) -> str:
    """The journal part of an interview's card: its latest entries and how many more there
    are behind «📓 Journal» (nothing when there are none)."""
    if not latest.total:
        return ""
    lines = ["", "", _("📓 <b>Journal</b>")]
    lines += [f"• {entry_line(entry, zone)}" for entry in latest.items]
    earlier = latest.total - len(latest.items)
    if earlier > 0:
        lines.append(
            ngettext(
                "…and {count} earlier entry: tap «📓 Journal»",
                "…and {count} earlier entries: tap «📓 Journal»",
                earlier,
            ).format(count=earlier)
        )
    return "\n".join(lines)


def plan_text(plans: list[AreaPlan]) -> str:
    if not plans:
        return _(
            "📈 <b>Your improvement plan</b>\n\nNothing to work on yet. When you record "
            "constructive feedback (/feedback), the areas it names and the next steps appear "
            "here."
        )
    lines = [_("📈 <b>Your improvement plan</b>"), ""]
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


def plan_card(plans: list[AreaPlan]) -> tuple[str, InlineKeyboardMarkup]:
    """The plan with a button per step, to tick it off (or back on)."""
    builder = InlineKeyboardBuilder()
    for plan in plans:
        for step, done in plan.steps:
            label = f"{'☑' if done else '☐'} {AREA_NAMES[plan.area]}: {step_text(plan.area, step)}"
            builder.button(text=label[:60], callback_data=PlanCb(area=plan.area, step=step))
    builder.adjust(1)
    return plan_text(plans), builder.as_markup()


# --- a new entry --------------------------------------------------------------------------


def reflection_questions() -> tuple[str, ...]:
    return (
        _("🪞 What went well in this interview?"),
        _("🪞 Where was it hardest, and why?"),
        _("🪞 What will you do differently next time?"),
    )


def corrected_part(text: str) -> str:
    """The line saying that an edited message replaced the latest part of the feedback."""
    return _("✏️ Corrected: feedback — «{value}»").format(value=quote_input(text, CARD_QUOTE))


def corrected_reflection(text: str) -> str:
    """The line saying that an edited message replaced the latest reflection answer."""
    return _("✏️ Corrected: your answer — «{value}»").format(value=quote_input(text, CARD_QUOTE))


def text_keyboard(count: int) -> InlineKeyboardMarkup:
    """Under the request for feedback text: «Done» once ``count`` parts came, else no feedback."""
    builder = InlineKeyboardBuilder()
    if count:
        builder.button(text=_("✅ Done"), callback_data=JournalCb(action="done"))
    else:
        builder.button(text=_("🤐 They gave no feedback"), callback_data=JournalCb(action="none"))
        builder.button(text=_("🚫 They declined"), callback_data=JournalCb(action="declined"))
    builder.button(text=_("✖ Cancel"), callback_data=JournalCb(action="cancel"))
    builder.adjust(1)
    return builder.as_markup()


def areas_prompt(chosen: list[str]) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    for area in JournalArea:
        mark = "✅ " if area in chosen else "▫️ "
        builder.button(
            text=mark + str(AREA_NAMES[area]), callback_data=JournalCb(action="area", value=area)
        )
    builder.button(text=_("Done →"), callback_data=JournalCb(action="areas_done"))
    builder.adjust(1)
    return (
        _("🏷 What was the feedback about? Choose all that apply."),
        builder.as_markup(),
    )


def mood_prompt() -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    for sentiment in Sentiment:
        builder.button(
            text=str(SENTIMENT_NAMES[sentiment]),
            callback_data=JournalCb(action="mood", value=sentiment),
        )
    builder.adjust(3)
    return _("How did it sound overall?"), builder.as_markup()


def saved_card(
    interview_id: int, kind: EntryKind, areas: list[str], sentiment: Sentiment | None
) -> tuple[str, InlineKeyboardMarkup]:
    """After saving: thanks and next steps for feedback, or an offer to reflect without it."""
    builder = InlineKeyboardBuilder()
    if kind is EntryKind.FEEDBACK:
        lines = [
            _("📓 Saved. Thank you for asking for feedback: it takes courage, and it pays off.")
        ]
        steps = [area for area in areas if sentiment in TO_WORK_ON]
        if steps:
            lines += ["", _("<b>Next steps</b>")]
            lines += [f"• {step_text(JournalArea(area), Step.PRACTICE)}" for area in steps]
        lines += ["", _("A short thank-you to the recruiter keeps the door open.")]
        builder.button(
            text=_("📝 Thank-you note"), callback_data=DraftCb(action="show", id=interview_id)
        )
        if sentiment in TO_WORK_ON:  # seed: ask a clarifying question when something is unclear
            builder.button(
                text=_("❓ A clarifying question"),
                callback_data=DraftCb(action="show", id=interview_id, kind=Kind.CLARIFY),
            )
        builder.button(text=_("📈 Improvement plan"), callback_data=PlanCb(area="", step=""))
    else:
        lines = [
            _("📓 Noted."),
            "",
            _(
                "Don't insist: recruiters are often short of time, and some companies never give "
                "feedback. Learn from the interview yourself: three short questions help."
            ),
        ]
        builder.button(
            text=_("🪞 Reflect on it"), callback_data=JournalCb(action="reflect", id=interview_id)
        )
    builder.button(
        text=_("📄 Interview"), callback_data=InterviewCb(action="open", id=interview_id)
    )
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


# --- the entries of an interview ----------------------------------------------------------


def entries_card(
    interview: Interview, listed: Paged[JournalEntry], zone: str
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of an interview's journal, newest first, with Edit and Delete per entry,
    «◀ ▶» between pages and «Add an entry». Entries are numbered in the order they were
    written, so a number stays with its entry from page to page."""
    builder = InlineKeyboardBuilder()
    page = str(listed.page)
    title = _("📓 <b>{company}</b>: journal").format(company=quote_input(interview.company, 100))
    lines = [title + page_mark(listed.page, listed.pages), ""]
    if not listed.items:
        lines.append(_("No entries yet."))
    for index, entry in enumerate(listed.items):
        number = listed.total - listed.offset - index
        lines.append(f"<b>{number}.</b> {entry_line(entry, zone, LIST_QUOTE)}")
        builder.button(
            text=_("✏️ Edit entry {number}").format(number=number),
            callback_data=JournalCb(action="edit", id=entry.id, value=page),
        )
        builder.button(
            text=_("🗑 Delete entry {number}").format(number=number),
            callback_data=JournalCb(action="remove", id=entry.id, value=page),
        )
    nav = page_buttons(
        builder,
        listed.page,
        listed.pages,
        lambda to: JournalCb(action="list", id=interview.id, value=str(to)),
    )
    builder.button(
        text=_("📓 Add an entry"), callback_data=JournalCb(action="start", id=interview.id)
    )
    builder.button(
        text=_("📄 Interview"), callback_data=InterviewCb(action="open", id=interview.id)
    )
    builder.adjust(*([2] * len(listed.items)), *([nav] if nav else []), 1, 1)
    return "\n".join(lines), builder.as_markup()


def delete_prompt(entry: JournalEntry, zone: str, page: int) -> tuple[str, InlineKeyboardMarkup]:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🗑 Yes, delete"),
        callback_data=JournalCb(action="confirm", id=entry.id, value=str(page)),
    )
    builder.button(
        text=_("No, keep it"),
        callback_data=JournalCb(action="list", id=entry.interview_id, value=str(page)),
    )
    builder.adjust(2)
    text = _("Delete this entry?") + "\n• " + entry_line(entry, zone, LIST_QUOTE)
    return text, builder.as_markup()
