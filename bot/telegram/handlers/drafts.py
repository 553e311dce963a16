"""The draft message: the text to copy in one tap, tone and language switches, «Sent».

Also ``/draft`` and inline mode (typing ``@bot`` in the recruiter's chat lists the drafts).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from html import escape

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import (
    CallbackQuery,
    CopyTextButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InlineQueryResultUnion,
    InputTextMessageContent,
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.models import Interview, User
from bot.domain.clock import Clock
from bot.domain.intake import Area, Channel
from bot.domain.preferences import local_today
from bot.domain.timing import Action, Reason, Recommendation, recommend_for
from bot.drafting.render import (
    SHORT_LIMIT,
    Draft,
    DraftContext,
    Kind,
    Tone,
    chat_version,
    render,
)
from bot.services.interviews import Interviews
from bot.telegram.handlers.utils import edit_text
from bot.telegram.keyboards.callbacks import DraftCb, InterviewCb, JournalCb, RemindCb
from bot.telegram.views.common import human_date
from bot.telegram.views.drafts import draft_notes, request_title, russian_fields_note
from bot.telegram.views.interviews import CHOOSE_SHOWN, choose_interview
from bot.telegram.views.timing import recommendation_text, when_text

KIND_FOR_ACTION = {
    Action.REQUEST: Kind.REQUEST,
    Action.FOLLOW_UP: Kind.FOLLOW_UP,
    Action.THANKS_OFFER: Kind.THANKS_OFFER,
    Action.THANKS_FEEDBACK: Kind.THANKS_AFTER_FEEDBACK,
}
SENT_COLUMN = {
    Kind.REQUEST: "request_sent_at",
    Kind.FOLLOW_UP: "follow_up_sent_at",
    Kind.THANKS_OFFER: "thanks_sent_at",
    Kind.THANKS_AFTER_FEEDBACK: "thanks_sent_at",
}
CHAT_CHANNELS = frozenset({Channel.TELEGRAM, Channel.CHAT, Channel.PHONE, Channel.OTHER})
INLINE_RESULTS = 20


def draft_context(interview: Interview, user: User) -> DraftContext:
    default_tone = Tone.NEUTRAL if interview.channel in CHAT_CHANNELS else Tone.FORMAL
    return DraftContext(
        language=interview.draft_language or user.language,
        tone=Tone(interview.draft_tone) if interview.draft_tone else default_tone,
        gender=user.gender,
        channel=interview.channel,
        company=interview.company,
        position=interview.position,
        contact_name=interview.contact_name,
        signature=user.signature,
        priorities=tuple(interview.priorities or ()),
        outcome=interview.outcome,
    )


def current_kind(
    interview: Interview, user: User, now: datetime
) -> tuple[Kind | None, Recommendation]:
    rec = recommend_for(interview, user, now)
    return KIND_FOR_ACTION.get(rec.action), rec


def _title(kind: Kind) -> str:
    titles = {
        Kind.REQUEST: _("📝 <b>Feedback request</b>"),
        Kind.FOLLOW_UP: _("📝 <b>A short follow-up</b>"),
        Kind.THANKS_OFFER: _("📝 <b>Thank-you for the offer</b>"),
        Kind.THANKS_AFTER_FEEDBACK: _("📝 <b>Thank-you for the feedback</b>"),
        Kind.SHORT_REQUEST: _("📝 <b>Short request</b>"),
        Kind.CLARIFY: _("📝 <b>A clarifying question</b>"),
    }
    return titles[kind]


def _copy(builder: InlineKeyboardBuilder, label: str, text: str | None) -> int:
    if text and 1 <= len(text) <= SHORT_LIMIT:
        builder.button(text=label, copy_text=CopyTextButton(text=text))
        return 1
    return 0


def draft_keyboard(
    interview: Interview, kind: Kind, draft: Draft, short: Draft | None, context: DraftContext
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    asked = kind.value if kind is Kind.CLARIFY else ""
    copies = _copy(builder, _("📋 Subject"), draft.subject)
    copies += _copy(builder, _("📋 Short version"), short.body if short else None)
    copies += _copy(builder, _("📋 Address"), interview.contact_address)
    for tone, label in ((Tone.FORMAL, _("🎩 Formal")), (Tone.NEUTRAL, _("🙂 Neutral"))):
        mark = "✓ " if context.tone == tone else ""
        builder.button(
            text=mark + label,
            callback_data=DraftCb(action="tone", id=interview.id, value=tone, kind=asked),
        )
    for language, label in (("ru", "🇷🇺 RU"), ("en", "🇬🇧 EN")):
        mark = "✓ " if context.language == language else ""
        builder.button(
            text=mark + label,
            callback_data=DraftCb(action="lang", id=interview.id, value=language, kind=asked),
        )
    actions = 0
    if kind in SENT_COLUMN:
        builder.button(
            text=_("✅ I sent it"),
            callback_data=DraftCb(action="sent", id=interview.id, value=kind),
        )
        builder.button(
            text=_("⏰ Remind me later"), callback_data=RemindCb(action="later", id=interview.id)
        )
        actions = 2
    builder.button(
        text=_("📄 Interview"), callback_data=InterviewCb(action="open", id=interview.id)
    )
    builder.adjust(*([copies] if copies else []), 2, 2, *([actions] if actions else []), 1)
    return builder.as_markup()


def draft_view(
    interview: Interview,
    user: User,
    now: datetime,
    asked: Kind | None = None,
    topics: tuple[str, ...] | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """``topics``: the areas the letter asks about, when not the interview's own priorities
    (a clarifying question is about what the feedback named)."""
    """The whole draft message for the interview as the rules stand at ``now``."""
    kind, rec = current_kind(interview, user, now)
    kind = asked or kind
    header = f"{escape(interview.company)} — {escape(interview.position)}"
    advice = recommendation_text(rec, now, user.timezone)
    if kind is None:
        builder = InlineKeyboardBuilder()
        if rec.reason in {Reason.STOP_NO_REPLY, Reason.DECLINED}:
            # Seed: no feedback → don't insist; reflect on your own instead.
            builder.button(
                text=_("🪞 Reflect on it"),
                callback_data=JournalCb(action="reflect", id=interview.id),
            )
        builder.button(
            text=_("📄 Interview"), callback_data=InterviewCb(action="open", id=interview.id)
        )
        builder.adjust(1)
        return f"<b>{header}</b>\n\n{advice}", builder.as_markup()
    context = draft_context(interview, user)
    if topics is not None:
        context = replace(context, priorities=topics)
    draft = render(kind, context)
    short = render(Kind.SHORT_REQUEST, context) if kind is Kind.REQUEST else None
    title = (request_title(context) if kind is Kind.REQUEST else None) or _title(kind)
    lines = [f"{title} · {header}", "", advice, ""]
    lines += [note + "\n" for note in draft_notes(kind, context, draft)]
    if draft.subject:
        subject = escape(draft.subject, quote=False)
        lines.append(_("<b>Subject:</b> {subject}").format(subject=subject))
    lines.append(f"<pre>{escape(draft.body, quote=False)}</pre>")
    lines.append(_("Tap the text to copy it, send it yourself, then tap «✅ I sent it»."))
    return "\n".join(lines), draft_keyboard(interview, kind, draft, short, context)


async def on_draft_button(
    callback: CallbackQuery,
    callback_data: DraftCb,
    user: User,
    clock: Clock,
    interviews: Interviews,
) -> None:
    interview = await interviews.get(user, callback_data.id)
    message = callback.message
    if interview is None or not isinstance(message, Message):
        await callback.answer(_("Interview not found. It may have been deleted."), show_alert=True)
        return
    now = clock()
    action, value = callback_data.action, callback_data.value
    if action == "tone" and value in {tone.value for tone in Tone}:
        await interviews.change_draft(interview, tone=value)
    elif action == "lang" and value in {"ru", "en"}:
        await interviews.change_draft(interview, language=value)
    elif action == "sent":
        await _mark_sent(callback, interviews, interview, user, now, value)
        return
    elif action != "show":
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    await callback.answer()
    asked = Kind.CLARIFY if callback_data.kind == Kind.CLARIFY else None
    topics = await _feedback_topics(interviews, interview, user) if asked else None
    text, markup = draft_view(interview, user, now, asked, topics)
    if action == "show":
        await message.answer(text, reply_markup=markup)
    else:
        await edit_text(message, text, markup)


async def _feedback_topics(
    interviews: Interviews, interview: Interview, user: User
) -> tuple[str, ...]:
    """The areas named by the latest feedback on this interview (those a letter can name)."""
    entries = await interviews.journal(user, interview)
    latest = next((e for e in reversed(entries) if e.kind == "feedback"), None)
    known = {area.value for area in Area}
    return tuple(area for area in (latest.areas if latest else []) if area in known)


async def _mark_sent(
    callback: CallbackQuery,
    interviews: Interviews,
    interview: Interview,
    user: User,
    now: datetime,
    value: str,
) -> None:
    kind = next((k for k in SENT_COLUMN if k.value == value), None)
    if kind is None:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    noted = await interviews.note_sent(
        user, interview, SENT_COLUMN[kind], ask_for_answer=kind is Kind.REQUEST
    )
    await callback.answer(_("Noted as sent") if noted.first else _("Already noted"))
    if not noted.first or not isinstance(callback.message, Message):
        return
    rec = noted.recommendation
    today = local_today(now, user.timezone)
    sent_on = human_date(today, today)
    note = _("✅ Sent on {date}. Good luck!").format(date=sent_on)
    if kind in {Kind.REQUEST, Kind.FOLLOW_UP}:
        note += "\n" + recommendation_text(rec, now, user.timezone)
    if noted.follow_up_check is not None:
        note += "\n" + _("⏰ I'll ask you {when} whether they answered.").format(
            when=when_text(noted.follow_up_check.due_at, now, user.timezone)
        )
    await callback.message.answer(note)


async def cmd_draft(message: Message, user: User, clock: Clock, interviews: Interviews) -> None:
    recent = await interviews.recent(user, CHOOSE_SHOWN + 1)
    if not recent:
        await message.answer(_("You have no interviews yet. Tap «➕ New interview» or send /new."))
        return
    if len(recent) == 1:
        text, markup = draft_view(recent[0], user, clock())
        await message.answer(text, reply_markup=markup)
        return
    markup = choose_interview(recent, lambda interview_id: DraftCb(action="show", id=interview_id))
    await message.answer(_("📝 Which interview is the draft for?"), reply_markup=markup)


async def on_inline_query(
    query: InlineQuery, user: User | None, clock: Clock, interviews: Interviews
) -> None:
    """Drafts to insert straight into the recruiter's chat, newest first."""
    if user is None:
        await query.answer(
            [],
            is_personal=True,
            cache_time=0,
            button=InlineQueryResultsButton(
                text=_("Open the bot to start"), start_parameter="inline"
            ),
        )
        return
    now = clock()
    needle = query.query.strip().casefold()
    results: list[InlineQueryResultUnion] = []
    recent = await interviews.recent(user, 50)
    for interview in recent:
        if needle and needle not in f"{interview.company} {interview.position}".casefold():
            continue
        kind, _rec = current_kind(interview, user, now)
        if kind is None:
            continue
        # A chat message: no subject line, no e-mail signature block.
        context = chat_version(draft_context(interview, user))
        draft = render(kind, context)
        note = russian_fields_note(context, draft)
        results.append(
            InlineQueryResultArticle(
                id=f"{interview.id}-{kind.value}",
                title=f"{interview.company} — {interview.position}",
                description=(f"{note}\n" if note else "") + draft.body[:100],
                input_message_content=InputTextMessageContent(
                    message_text=draft.body, parse_mode=None
                ),
            )
        )
        if len(results) == INLINE_RESULTS:
            break
    button = None
    if not results:
        label = (
            _("No matching drafts: open the bot") if recent else _("No drafts yet: open the bot")
        )
        button = InlineQueryResultsButton(text=label, start_parameter="inline")
    await query.answer(results, is_personal=True, cache_time=10, button=button)


def create_router() -> Router:
    router = Router(name="drafts")
    router.message.register(cmd_draft, Command("draft"))
    router.callback_query.register(on_draft_button, DraftCb.filter())
    router.inline_query.register(on_inline_query)
    return router
