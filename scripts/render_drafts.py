"""Render every draft into docs/drafts.md, so a reviewer reads them all on one page.

Every kind × situation × language × tone × channel (email or a chat), and in Russian every
wording form of the author; drafts that come out the same are shown once with all their
labels. The page is generated from the real templates with fixed sample inputs; a test
(tests/unit/test_drafts_doc.py) fails when it is stale.

    make drafts                                   # rewrite docs/drafts.md
    .venv/bin/python scripts/render_drafts.py --check   # exit 1 when it is stale
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from bot.drafting.names import company_name
from bot.drafting.render import (
    MAX_AREAS,
    SHORT_LIMIT,
    SUBJECT_LIMIT,
    Draft,
    DraftContext,
    Kind,
    Tone,
    render,
)

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "drafts.md"

# "Саша" is a man's or a woman's name: the same signature for every wording form, so the
# forms differ only where the wording does.
SAMPLES = {
    "ru": DraftContext(
        language="ru",
        tone=Tone.FORMAL,
        gender="m",
        channel="email",
        company='ООО "Ромашка"',
        position="Python-разработчик",
        contact_name="Анна Петрова",
        signature="Саша Ким",
        priorities=("tech", "comm", "culture"),
        outcome="rejected",
    ),
    "en": DraftContext(
        language="en",
        tone=Tone.FORMAL,
        gender="m",
        channel="email",
        company="Acme Inc.",
        position="Senior Python Developer",
        contact_name="Anna Smith",
        signature="Sasha Kim",
        priorities=("tech", "comm", "culture"),
        outcome="rejected",
    ),
}

KINDS: tuple[tuple[Kind, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        Kind.REQUEST,
        "Request",
        (
            "The first letter: feedback after a rejection; with no decision yet, a question "
            "about the status first and feedback as an option."
        ),
        (
            ("rejected", "Rejected"),
            ("waiting", "Waiting for a decision"),
            ("silent", "The company is silent"),
        ),
    ),
    (
        Kind.SHORT_REQUEST,
        "Short version",
        (
            f"The request in one or two sentences for the copy button (at most {SHORT_LIMIT} "
            "characters): details are left out until it fits."
        ),
        (
            ("rejected", "Rejected"),
            ("waiting", "Waiting for a decision"),
            ("silent", "The company is silent"),
        ),
    ),
    (
        Kind.FOLLOW_UP,
        "Follow-up",
        (
            "One reminder three working days after the request, if no answer came; the bot "
            "never suggests a third message."
        ),
        (
            ("rejected", "After a feedback request"),
            ("waiting", "After a status question (waiting, or the company is silent)"),
        ),
    ),
    (
        Kind.CLARIFY,
        "Clarifying question",
        (
            "After feedback: thanks, one or two questions about the areas the feedback named "
            "(here: technical skills and communication), an easy way to decline."
        ),
        (("rejected", "After feedback"),),
    ),
    (
        Kind.THANKS_AFTER_FEEDBACK,
        "Thanks for the feedback",
        "When the feedback came.",
        (("rejected", "After a rejection"), ("waiting", "No decision yet")),
    ),
    (
        Kind.THANKS_OFFER,
        "Thanks for an offer",
        "Instead of a feedback request when an offer came.",
        (("offer", "Offer"),),
    ),
)
LANGUAGE_NAMES = {"ru": "Russian", "en": "English"}
CHANNELS = (("email", "email"), ("telegram", "chat"))
FORM_NAMES = {"m": "masculine", "f": "feminine", "n": "neutral wording"}
COMPANY_EXAMPLES = (
    'ООО "Ромашка"',
    "ПАО «Сбербанк»",
    "Банк ВТБ (ПАО)",
    'ООО "Кафе "Ромашка""',
    "ИП Иванов",
    "LLC Acme",
    "Acme, Inc.",
    "Ипотека",
)
LONG_POSITION = "Ведущий инженер-программист Python (бэкенд, платёжные шлюзы)"
LONG_COMPANY = (
    'Общество с ограниченной ответственностью "Научно-производственное объединение '
    '«Информационные технологии и системы безопасности»"'
)
LONG_CONTACT = "Александра Константиновна Римская-Корсакова"
LONG_SIGNATURE = "Екатерина Вячеславовна Голенищева-Кутузова"


def _text(draft: Draft) -> str:
    if draft.subject is None:
        return draft.body
    return f"Subject: {draft.subject}\n\n{draft.body}"


def _block(label: str, text: str) -> list[str]:
    return [f"**{label}**", "", "```text", text, "```", ""]


def _variants(kind: Kind, base: DraftContext) -> Iterator[tuple[str, str]]:
    """(label, text) for every channel × tone × wording form, identical texts merged."""
    forms = ("m", "f", "n") if base.language == "ru" else ("m",)
    by_channel: list[tuple[list[str], dict[Tone, dict[str, str]]]] = []
    for channel, channel_name in CHANNELS:
        texts = {
            tone: {
                form: _text(render(kind, replace(base, channel=channel, tone=tone, gender=form)))
                for form in forms
            }
            for tone in Tone
        }
        same = next((names for names, seen in by_channel if seen == texts), None)
        if same is not None:
            same.append(channel_name)
        else:
            by_channel.append(([channel_name], texts))
    for channel_names, texts in by_channel:
        for tone, per_form in texts.items():
            groups: dict[str, list[str]] = {}
            for form, text in per_form.items():
                groups.setdefault(text, []).append(form)
            for text, group in groups.items():
                label = f"{' or '.join(channel_names)} · {tone.value}"
                if base.language == "ru":
                    names = (
                        "every wording form"
                        if len(group) == len(forms)
                        else ", ".join(FORM_NAMES[form] for form in group)
                    )
                    label += f" · {names}"
                yield label, text


def _companies() -> list[str]:
    lines = [
        "## Company names",
        "",
        (
            "A company is named the way a person writes it: the legal form left out, «ёлочки» "
            "in Russian (Latin names stay bare), the bare name in English "
            "(`bot/drafting/names.py`)."
        ),
        "",
        "| Typed | Russian letter | English letter |",
        "|---|---|---|",
    ]
    for typed in COMPANY_EXAMPLES:
        ru, en = company_name(typed, "ru"), company_name(typed, "en")
        lines.append(f"| `{typed}` | в компании {ru} | at {en} |")
    return [*lines, ""]


def _longest() -> list[str]:
    lines = [
        "## The longest inputs",
        "",
        (
            f"A 60-character position, a long company with a legal form, a long contact and "
            f"signature: the subject stays within {SUBJECT_LIMIT} characters and the short "
            f"version within {SHORT_LIMIT} by leaving parts out, never by cutting words."
        ),
        "",
    ]
    base = replace(
        SAMPLES["ru"],
        position=LONG_POSITION,
        company=LONG_COMPANY,
        contact_name=LONG_CONTACT,
        signature=LONG_SIGNATURE,
    )
    request = render(Kind.REQUEST, base)
    short = render(Kind.SHORT_REQUEST, base)
    lines += _block(
        f"Subject ({len(request.subject or '')} characters)", f"Subject: {request.subject}"
    )
    lines += _block(f"Short version ({len(short.body)} characters)", short.body)
    return lines


def render_page() -> str:
    lines = [
        "# Drafts",
        "",
        (
            "<!-- Generated by `make drafts` (scripts/render_drafts.py) from "
            "bot/drafting/templates: do not edit by hand. -->"
        ),
        "",
        (
            "Every letter the bot drafts, as the recruiter receives it. Sample inputs: in "
            f"Russian `{SAMPLES['ru'].company}`, «{SAMPLES['ru'].position}», the contact "
            f"{SAMPLES['ru'].contact_name}, signed {SAMPLES['ru'].signature}; in English "
            f"`{SAMPLES['en'].company}`, {SAMPLES['en'].position}, {SAMPLES['en'].contact_name}, "
            f"signed {SAMPLES['en'].signature}. Three priority areas are chosen (technical skills, "
            f"communication, culture fit); a letter names at most {MAX_AREAS}."
        ),
        "",
        (
            "*chat* is every channel but email (Telegram, the hh.ru or site chat, a messenger "
            "after a call): no subject, shorter, no e-mail sign-off block; inline mode pastes "
            "this version. The *formal* and *neutral* tones are the draft's buttons; the Russian "
            "wording forms are the author's (masculine, feminine, neutral wording)."
        ),
        "",
    ]
    for kind, title, about, situations in KINDS:
        lines += [f"## {title}", "", about, ""]
        for outcome, situation in situations:
            lines += [f"### {title}: {situation.lower()}", ""]
            for language in ("ru", "en"):
                lines += [f"#### {LANGUAGE_NAMES[language]}", ""]
                base = replace(SAMPLES[language], outcome=outcome)
                if kind is Kind.CLARIFY:
                    base = replace(base, priorities=("tech", "comm"))
                for label, text in _variants(kind, base):
                    lines += _block(label, text)
    lines += _companies()
    lines += _longest()
    while lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else "")
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/drafts.md is stale")
    args = parser.parse_args(argv)
    page = render_page()
    if args.check:
        stale = not DOC.exists() or DOC.read_text(encoding="utf-8") != page
        if stale:
            print("docs/drafts.md is stale: run `make drafts`", file=sys.stderr)
        return 1 if stale else 0
    DOC.write_text(page, encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
