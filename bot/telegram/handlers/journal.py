"""The feedback journal: record what the employer said (pasted, forwarded, several messages),
tag it, and get the next steps; or note that none came and reflect on your own. /plan."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Interview, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.journal import JournalRepository, PlanRepository
from bot.domain.clock import Clock
from bot.domain.journal import (
    TEXT_MAX,
    TO_WORK_ON,
    EntryFacts,
    EntryKind,
    JournalArea,
    Sentiment,
    Step,
    build_plan,
    join_parts,
)
from bot.drafting.render import Kind
from bot.services.reminders import Reminders
from bot.services.work import Work
from bot.telegram.filters import NOT_COMMAND
from bot.telegram.handlers.utils import drop_keyboard, edit_text
from bot.telegram.keyboards.callbacks import DraftCb, InterviewCb, JournalCb, PlanCb
from bot.telegram.keyboards.common import main_menu
from bot.telegram.states import Journal
from bot.telegram.views.interviews import choose_interview
from bot.telegram.views.journal import AREA_NAMES, SENTIMENT_NAMES, entry_line, plan_text, step_text

KEY = "journal"


def _reflection_questions() -> tuple[str, ...]:
    return (
        _("🪞 What went well in this interview?"),
        _("🪞 Where was it hardest, and why?"),
        _("🪞 What will you do differently next time?"),
    )


async def _data(state: FSMContext) -> dict[str, Any]:
    stored = (await state.get_data()).get(KEY)
    return dict(stored) if isinstance(stored, dict) else {}


async def _store(state: FSMContext, data: dict[str, Any]) -> None:
    await state.update_data({KEY: data})


def _text_keyboard(count: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if count:
        builder.button(text=_("✅ Done"), callback_data=JournalCb(action="done"))
    else:
        builder.button(text=_("🤐 They gave no feedback"), callback_data=JournalCb(action="none"))
        builder.button(text=_("🚫 They declined"), callback_data=JournalCb(action="declined"))
    builder.button(text=_("✖ Cancel"), callback_data=JournalCb(action="cancel"))
    builder.adjust(1)
    return builder.as_markup()


async def begin(
    message: Message, state: FSMContext, interview: Interview, entry_id: int | None = None
) -> None:
    """Open the journal entry for an interview (from its card, a reminder or /feedback);
    with ``entry_id`` the answers replace that entry."""
    await state.clear()
    await state.set_state(Journal.text)
    sent = await message.answer(
        _(
            "📓 <b>{company}</b>: paste the feedback or forward the recruiter's message. "
            "Several messages in a row are joined; tap «Done» when that's all."
        ).format(company=escape(interview.company)),
        reply_markup=_text_keyboard(0),
    )
    await _store(
        state,
        {
            "interview_id": interview.id,
            "parts": [],
            "prompt": sent.message_id,
            "entry_id": entry_id,
        },
    )


async def cmd_feedback(
    message: Message, state: FSMContext, session: AsyncSession, user: User
) -> None:
    interviews = await InterviewRepository(session).page(
        user.id, archived=False, offset=0, limit=10
    )
    if not interviews:
        await message.answer(_("You have no interviews yet. Tap «➕ New interview» or send /new."))
        return
    if len(interviews) == 1:
        await begin(message, state, interviews[0])
        return
    markup = choose_interview(
        interviews, lambda interview_id: JournalCb(action="start", id=interview_id)
    )
    await message.answer(_("📓 Which interview is the feedback about?"), reply_markup=markup)


async def on_text(message: Message, state: FSMContext, bot: Bot) -> None:
    """One more part of the feedback: typed, pasted or forwarded (text or a caption)."""
    data = await _data(state)
    part = message.text or message.caption or ""
    if not part.strip():
        await message.answer(_("Please send the feedback as text, or tap a button above."))
        return
    parts = [*data.get("parts", []), part]
    if len(join_parts(parts)) > TEXT_MAX:
        await message.answer(
            _("That's more than I can keep in one entry ({limit} characters). Tap «Done».").format(
                limit=TEXT_MAX
            )
        )
        return
    await drop_keyboard(bot, message.chat.id, data.get("prompt"))
    sent = await message.answer(
        _("📝 Added ({count} so far). More, or «Done»?").format(count=len(parts)),
        reply_markup=_text_keyboard(len(parts)),
    )
    data.update(parts=parts, prompt=sent.message_id)
    await _store(state, data)


def _areas_keyboard(chosen: list[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for area in JournalArea:
        mark = "✅ " if area in chosen else "▫️ "
        builder.button(
            text=mark + str(AREA_NAMES[area]), callback_data=JournalCb(action="area", value=area)
        )
    builder.button(text=_("Done →"), callback_data=JournalCb(action="areas_done"))
    builder.adjust(1)
    return builder.as_markup()


def _mood_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for sentiment in Sentiment:
        builder.button(
            text=str(SENTIMENT_NAMES[sentiment]),
            callback_data=JournalCb(action="mood", value=sentiment),
        )
    builder.adjust(3)
    return builder.as_markup()


async def on_button(
    callback: CallbackQuery,
    callback_data: JournalCb,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    clock: Clock,
) -> None:
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    action = callback_data.action
    if action in {"start", "reflect", "list", "remove", "confirm", "edit"}:
        await _interview_button(callback, callback_data, message, state, session, user)
        return
    data = await _data(state)
    current = await state.get_state()
    interview = (
        await InterviewRepository(session).get_for_user(int(data["interview_id"]), user.id)
        if data.get("interview_id")
        else None
    )
    if interview is None or current not in {
        Journal.text.state,
        Journal.areas.state,
        Journal.mood.state,
    }:
        await callback.answer(_("This card is outdated."), show_alert=True)
        return
    await callback.answer()
    now = clock()
    if action == "cancel":
        await state.clear()
        await edit_text(message, _("Cancelled; nothing was saved."))
    elif action in {"none", "declined"} and current == Journal.text.state:
        await _save(message, state, session, user, interview, now, kind=EntryKind(action))
    elif action == "done" and current == Journal.text.state and data.get("parts"):
        await state.set_state(Journal.areas)
        await edit_text(
            message,
            _("🏷 What did the feedback speak about? Choose all that apply."),
            _areas_keyboard([]),
        )
    elif (
        action == "area"
        and current == Journal.areas.state
        and callback_data.value in set(JournalArea)
    ):
        chosen = list(data.get("areas", []))
        if callback_data.value in chosen:
            chosen.remove(callback_data.value)
        else:
            chosen.append(callback_data.value)
        data["areas"] = [area.value for area in JournalArea if area.value in chosen]
        await _store(state, data)
        await edit_text(
            message,
            _("🏷 What did the feedback speak about? Choose all that apply."),
            _areas_keyboard(data["areas"]),
        )
    elif action == "areas_done" and current == Journal.areas.state:
        await state.set_state(Journal.mood)
        await edit_text(message, _("How did it sound overall?"), _mood_keyboard())
    elif (
        action == "mood" and current == Journal.mood.state and callback_data.value in set(Sentiment)
    ):
        await _save(
            message,
            state,
            session,
            user,
            interview,
            now,
            kind=EntryKind.FEEDBACK,
            sentiment=Sentiment(callback_data.value),
        )
    else:
        await callback.answer(_("This button is no longer active."), show_alert=True)


async def _save(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    user: User,
    interview: Interview,
    now: datetime,
    *,
    kind: EntryKind,
    sentiment: Sentiment | None = None,
) -> None:
    data = await _data(state)
    text = join_parts(data.get("parts", [])) or None
    areas = list(data.get("areas", [])) if kind is EntryKind.FEEDBACK else []
    journal = JournalRepository(session)
    fields = {"kind": kind, "text": text, "areas": areas, "sentiment": sentiment}
    edited = (
        await journal.get_for_user(int(data["entry_id"]), user.id) if data.get("entry_id") else None
    )
    if edited is not None and edited.interview_id == interview.id:
        await journal.update(edited, now, **fields)
    else:
        await journal.add(user_id=user.id, interview_id=interview.id, now=now, **fields)
    reply = (
        "declined"
        if kind is EntryKind.DECLINED
        else "feedback"
        if kind is EntryKind.FEEDBACK
        else interview.reply
    )
    await InterviewRepository(session).update(
        interview, now, reply=reply, replied_at=interview.replied_at or now
    )
    if kind is not EntryKind.NONE:  # an answer came: no more «did they answer?»
        work = Work.of(session)
        assert work is not None, "an update's session belongs to its unit of work"
        await Reminders(work).cancel(interview_id=interview.id)
    await state.clear()
    await edit_text(message, message.html_text or "")  # the question keeps its text, loses buttons
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
            text=_("📝 Thank-you note"), callback_data=DraftCb(action="show", id=interview.id)
        )
        if sentiment in TO_WORK_ON:  # seed: ask a clarifying question when something is unclear
            builder.button(
                text=_("❓ A clarifying question"),
                callback_data=DraftCb(action="show", id=interview.id, kind=Kind.CLARIFY),
            )
        builder.button(text=_("📈 My plan"), callback_data=PlanCb(area="", step=""))
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
            text=_("🪞 Reflect on it"), callback_data=JournalCb(action="reflect", id=interview.id)
        )
    builder.button(
        text=_("📄 Interview"), callback_data=InterviewCb(action="open", id=interview.id)
    )
    builder.adjust(1)
    await message.answer("\n".join(lines), reply_markup=builder.as_markup())


async def _interview_button(
    callback: CallbackQuery,
    callback_data: JournalCb,
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    user: User,
) -> None:
    """Buttons that name an interview or an entry by id: checked against the owner."""
    journal = JournalRepository(session)
    if callback_data.action in {"remove", "confirm", "edit"}:
        entry = await journal.get_for_user(callback_data.id, user.id)
        if entry is None:
            await callback.answer(_("This entry no longer exists."), show_alert=True)
            return
        await callback.answer()
        if callback_data.action == "edit":
            owner = await InterviewRepository(session).get_for_user(entry.interview_id, user.id)
            if owner is not None:
                await begin(message, state, owner, entry_id=entry.id)
            return
        if callback_data.action == "remove":
            builder = InlineKeyboardBuilder()
            builder.button(
                text=_("🗑 Yes, delete"), callback_data=JournalCb(action="confirm", id=entry.id)
            )
            builder.button(
                text=_("No, keep it"), callback_data=JournalCb(action="list", id=entry.interview_id)
            )
            builder.adjust(2)
            await edit_text(
                message,
                _("Delete this entry?") + "\n" + entry_line(entry, user.timezone),
                builder.as_markup(),
            )
            return
        await journal.delete_for_user(entry.id, user.id)
        owner = await InterviewRepository(session).get_for_user(entry.interview_id, user.id)
        if owner is not None:
            await _show_entries(message, session, user, owner)
        return
    interview = await InterviewRepository(session).get_for_user(callback_data.id, user.id)
    if interview is None:
        await callback.answer(_("Interview not found. It may have been deleted."), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "start":
        await begin(message, state, interview)
    elif callback_data.action == "reflect":
        await state.clear()
        await state.set_state(Journal.reflect)
        await _store(state, {"interview_id": interview.id, "answers": []})
        await message.answer(_reflection_questions()[0])
    else:
        await _show_entries(message, session, user, interview)


async def _show_entries(
    message: Message, session: AsyncSession, user: User, interview: Interview
) -> None:
    entries = await JournalRepository(session).for_interview(interview.id, user.id)
    builder = InlineKeyboardBuilder()
    lines = [_("📓 <b>{company}</b>: journal").format(company=escape(interview.company)), ""]
    if not entries:
        lines.append(_("No entries yet."))
    for number, entry in enumerate(entries, start=1):
        lines.append(entry_line(entry, user.timezone))
        builder.button(
            text=_("✏️ Edit entry {number}").format(number=number),
            callback_data=JournalCb(action="edit", id=entry.id),
        )
        builder.button(
            text=_("🗑 Delete entry {number}").format(number=number),
            callback_data=JournalCb(action="remove", id=entry.id),
        )
    builder.button(
        text=_("📓 Add an entry"), callback_data=JournalCb(action="start", id=interview.id)
    )
    builder.button(
        text=_("📄 Interview"), callback_data=InterviewCb(action="open", id=interview.id)
    )
    builder.adjust(*([2] * len(entries)), 1, 1)
    if not await edit_text(message, "\n".join(lines), builder.as_markup()):
        await message.answer("\n".join(lines), reply_markup=builder.as_markup())


async def on_reflection(
    message: Message, state: FSMContext, session: AsyncSession, user: User, clock: Clock
) -> None:
    data = await _data(state)
    answer = (message.text or "").strip()
    if not answer:
        await message.answer(_("Please answer in words, or /cancel."))
        return
    answers = [*data.get("answers", []), answer]
    questions = _reflection_questions()
    if len(answers) < len(questions):
        data["answers"] = answers
        await _store(state, data)
        await message.answer(questions[len(answers)])
        return
    interview = await InterviewRepository(session).get_for_user(int(data["interview_id"]), user.id)
    await state.clear()
    if interview is None:
        await message.answer(_("Interview not found. It may have been deleted."))
        return
    text = "\n\n".join(
        f"{question}\n{reply}" for question, reply in zip(questions, answers, strict=True)
    )
    await JournalRepository(session).add(
        user_id=user.id,
        interview_id=interview.id,
        now=clock(),
        kind=EntryKind.REFLECTION,
        text=text,
        areas=[],
        sentiment=None,
    )
    await message.answer(
        _("🪞 Saved to the journal. Honest answers like these make the next interview go better."),
        reply_markup=main_menu(),
    )


async def cmd_plan(message: Message, session: AsyncSession, user: User) -> None:
    text, markup = await _plan_view(session, user)
    await message.answer(text, reply_markup=markup)


async def _plan_view(session: AsyncSession, user: User) -> tuple[str, InlineKeyboardMarkup]:
    entries = await JournalRepository(session).for_user(user.id)
    facts = [
        EntryFacts(e.interview_id, e.kind, tuple(e.areas or ()), e.sentiment, e.text, e.created_at)
        for e in entries
    ]
    plans = build_plan(facts, await PlanRepository(session).done(user.id))
    builder = InlineKeyboardBuilder()
    for plan in plans:
        for step, done in plan.steps:
            label = f"{'☑' if done else '☐'} {AREA_NAMES[plan.area]}: {step_text(plan.area, step)}"
            builder.button(text=label[:60], callback_data=PlanCb(area=plan.area, step=step))
    builder.adjust(1)
    return plan_text(plans), builder.as_markup()


async def on_plan(
    callback: CallbackQuery, callback_data: PlanCb, session: AsyncSession, user: User, clock: Clock
) -> None:
    if callback_data.area and (
        callback_data.area not in set(JournalArea) or callback_data.step not in set(Step)
    ):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    if callback_data.area:
        await PlanRepository(session).toggle(
            user.id, callback_data.area, callback_data.step, clock()
        )
    await callback.answer()
    text, markup = await _plan_view(session, user)
    if callback_data.area:
        await edit_text(callback.message, text, markup)
    elif isinstance(callback.message, Message):
        await callback.message.answer(text, reply_markup=markup)


async def use_buttons(message: Message) -> None:
    await message.answer(_("Please use the buttons above, or /cancel."))


def create_router() -> Router:
    router = Router(name="journal")
    router.message.register(cmd_feedback, Command("feedback"))
    router.message.register(cmd_plan, Command("plan"))
    router.callback_query.register(on_button, JournalCb.filter())
    router.callback_query.register(on_plan, PlanCb.filter())
    router.message.register(on_text, Journal.text, NOT_COMMAND)
    router.message.register(on_reflection, Journal.reflect, F.text, NOT_COMMAND)
    router.message.register(use_buttons, StateFilter(Journal.areas, Journal.mood), NOT_COMMAND)
    return router
