"""Refresh the translation catalogs from the code.

Extracts every msgid into ``locales/messages.pot``, merges it into the ru and en catalogs,
and fills the English catalog from the English source strings (msgid == text). Russian
translations are written by hand; new ones show up empty for a translator.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"
KEYWORDS = ["-k", "__", "-k", "N_", "-k", "ngettext:1,2"]


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def extract() -> None:
    pybabel(
        "extract",
        "-F",
        "babel.cfg",
        *KEYWORDS,
        "--no-location",
        "--sort-output",
        "--project",
        "interview-feedback-bot",
        "-o",
        str(POT),
        ".",
    )


def merge(locale: str) -> None:
    po = LOCALES / locale / "LC_MESSAGES" / "messages.po"
    if po.exists():
        pybabel(
            "update",
            "-i",
            str(POT),
            "-d",
            str(LOCALES),
            "-D",
            "messages",
            "-l",
            locale,
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        )
    else:
        pybabel("init", "-i", str(POT), "-d", str(LOCALES), "-D", "messages", "-l", locale)


def fill_english() -> None:
    po = LOCALES / "en" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(message.id)
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True, no_location=True)


def main() -> None:
    extract()
    for locale in ("ru", "en"):
        merge(locale)
    fill_english()
    print("Catalogs updated. Translate the empty msgstr entries in locales/ru.")


if __name__ == "__main__":
    main()
