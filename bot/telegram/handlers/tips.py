"""/tips: the seed's advice in short sections, with buttons between them."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.telegram.handlers.utils import edit_text
from bot.telegram.keyboards.callbacks import TipsCb


def sections() -> tuple[tuple[str, str], ...]:
    return (
        (
            _("⏱ When to ask"),
            _(
                "• On the day the result comes, whether it is a rejection or a wait for an "
                "offer.\n"
                "• 24–48 hours after the last stage.\n"
                "• If the company is silent: not earlier than 3–5 days after the last contact.\n"
                "• After a harsh or unprofessional rejection: not right away. Give yourself and "
                "the company time."
            ),
        ),
        (
            _("💬 How to take feedback"),
            _(
                "• Treat criticism as a chance to grow, not as something personal.\n"
                "• Ask clarifying questions if something is unclear.\n"
                "• Thank them for the information: it took their time.\n"
                "• Even negative feedback is valuable: every interview is a step towards "
                "understanding what the market needs."
            ),
        ),
        (
            _("📈 What to do with it"),
            _(
                "• Write down what they said (/feedback).\n"
                "• Make an improvement plan (/plan) and work on the weak spots.\n"
                "• Update your CV and portfolio where needed.\n"
                "• Practise the skills they criticised and show the change at the next "
                "interview."
            ),
        ),
        (
            _("🤐 If they give no feedback"),
            _(
                "• Don't insist or pressure the recruiter.\n"
                "• Ask once for brief feedback in one or two sentences.\n"
                "• Use other sources: analyse the interview yourself, ask a mentor or a friend "
                "in the field.\n"
                "• Focus on self-reflection: what went well, what was hard, what to change."
            ),
        ),
        (
            _("🇷🇺 The Russian market"),
            _(
                "• Recruiters are often short of time and can't always give detailed "
                "feedback.\n"
                "• Some companies have a policy of not giving feedback to candidates.\n"
                "• Respect HR people's time: short, polite, to the point.\n"
                "• The feedback culture differs by region and type of company."
            ),
        ),
    )


def tips_view(page: int) -> tuple[str, InlineKeyboardMarkup]:
    items = sections()
    page = max(0, min(page, len(items) - 1))
    title, body = items[page]
    builder = InlineKeyboardBuilder()
    sizes = []
    if page > 0:
        builder.button(text="◀ " + items[page - 1][0], callback_data=TipsCb(page=page - 1))
        sizes.append(1)
    if page < len(items) - 1:
        builder.button(text=items[page + 1][0] + " ▶", callback_data=TipsCb(page=page + 1))
        sizes.append(1)
    builder.adjust(*sizes)
    return f"<b>{title}</b> · {page + 1}/{len(items)}\n\n{body}", builder.as_markup()


async def cmd_tips(message: Message) -> None:
    text, markup = tips_view(0)
    await message.answer(text, reply_markup=markup)


async def on_tips(callback: CallbackQuery, callback_data: TipsCb) -> None:
    await callback.answer()
    text, markup = tips_view(callback_data.page)
    await edit_text(callback.message, text, markup)


def create_router() -> Router:
    router = Router(name="tips")
    router.message.register(cmd_tips, Command("tips"))
    router.callback_query.register(on_tips, TipsCb.filter())
    return router
