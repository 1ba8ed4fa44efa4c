"""The language of everything the app shows: gettext catalogs, Babel formats.

Source strings are English and are marked with :func:`_` where they are written (pages, analyses,
figures, reports, loader findings). The catalogs are ``locale/<locale>/LC_MESSAGES/*.po`` (``zh_CN`` the
first); every ``.po`` of a locale is read with Babel and compiled in memory, so the repository holds
only the text files a translator edits (``scripts/i18n.py`` extracts the strings with Babel and updates
them). Python's ``gettext`` does the lookups.

The language is per session and per run: :func:`set_language` at the start of a run (the app: the
sidebar switch, ``?lang=`` or the study config's ``[display] language``; the deck CLI: ``--lang``), kept
per thread so that sessions running in other threads do not see it. A thread that never set one (a
test driving the app, which formats widget options outside the script's thread) reads the language
of the last run. Work rendered outside a run (a download made on a click) uses :func:`using`. Anything
cached that holds text must have :func:`language` in its key.

Numbers and dates follow the locale (Babel, CLDR): :func:`number`, :func:`percent`, :func:`date_text`.
"""

from __future__ import annotations

import gettext
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALE_DIR = ROOT / "locale"

#: Languages offered (code → name in that language) and their CLDR locale.
LANGUAGES = {"en": "English", "zh": "中文"}
LOCALES = {"en": "en", "zh": "zh_CN"}
DEFAULT = "en"

class _Current:
    """The language of this thread's run; the last one set anywhere for threads without their own."""

    def __init__(self) -> None:
        self._local = threading.local()
        self.last = DEFAULT

    def get(self) -> str:
        return getattr(self._local, "lang", None) or self.last

    def set(self, code: str) -> str | None:
        before = getattr(self._local, "lang", None)
        self._local.lang = code
        self.last = code
        return before

    def reset(self, before: str | None) -> None:
        self._local.lang = before


_current = _Current()


def normalise(lang: object) -> str | None:
    """A language code from what a user or a config may write ("zh", "zh_CN", "zh-cn", "中文",
    "EN"); None when it is not one of :data:`LANGUAGES`."""
    text = str(lang or "").strip().lower().replace("-", "_")
    if text in ("中文", "chinese", "简体中文"):
        return "zh"
    code = text.split("_")[0]
    return code if code in LANGUAGES else None


def set_language(lang: object) -> str:
    """Make ``lang`` the language of this run (an unknown value means English); returns the code."""
    code = normalise(lang) or DEFAULT
    _current.set(code)
    return code


def language() -> str:
    return _current.get()


@contextmanager
def using(lang: object) -> Iterator[str]:
    """``with using("zh"):`` — the language for a block (the deck CLI, tests)."""
    last = _current.last
    before = _current.set(normalise(lang) or DEFAULT)
    try:
        yield _current.get()
    finally:
        _current.reset(before)
        _current.last = last


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The merged catalog of a language (all its ``.po`` files), compiled in memory with Babel."""
    locale = LOCALES.get(lang, lang)
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    files = sorted(folder.glob("*.po")) if folder.is_dir() else []
    if lang == DEFAULT or not files:
        return gettext.NullTranslations()
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    merged = Catalog(locale=locale)
    for path in files:
        with path.open("rb") as fh:
            for msg in read_po(fh, locale=locale):
                if msg.id and msg.string and not msg.fuzzy:
                    merged.add(msg.id, msg.string, context=msg.context)
    buf = io.BytesIO()
    write_mo(buf, merged)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def _(message: str) -> str:
    """The message in the run's language (the English source when the catalog has no translation)."""
    if not message:
        return message
    return translations(_current.get()).gettext(message)


def N_(message: str) -> str:
    """Marks a string for extraction without translating it (module constants, evaluated before any
    language is chosen): translate it where it is used, ``_(LABELS[code])``."""
    return message


def n_(singular: str, plural: str, n: int) -> str:
    """Singular or plural by ``n`` in the run's language."""
    return translations(_current.get()).ngettext(singular, plural, n)


def has_translation(message: str, lang: str = "zh") -> bool:
    """Whether the catalog of ``lang`` translates ``message`` (tests and the coverage report)."""
    return translations(lang).gettext(message) != message


def number(value: float, digits: int = 1) -> str:
    """A decimal number with ``digits`` decimals in the locale's format (Babel, CLDR)."""
    from babel.numbers import format_decimal

    fmt = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=fmt, locale=LOCALES[_current.get()])


def percent(value: float, digits: int = 1) -> str:
    """A percentage (``value`` in %, not a fraction) in the locale's format."""
    return number(value, digits) + "%"


def date_text(value: date | datetime | None) -> str:
    """A date for prose: ISO 8601 in English (the clinical convention), the locale's long form in
    Chinese (2026年11月1日), "—" when missing."""
    if value is None or value != value:
        return "—"
    if _current.get() == DEFAULT:
        return value.strftime("%Y-%m-%d")
    from babel.dates import format_date

    return format_date(value, format="long", locale=LOCALES[_current.get()])


def translate_frame(df, values: tuple[str, ...] | list[str] = ()):
    """A table for the screen or a slide in the run's language: every column header through
    :func:`_`, and the cells of the columns in ``values`` (category labels an analysis wrote, such as
    "Any TEAE"); data values and numbers stay as they are. English: the table itself."""
    if _current.get() == DEFAULT:
        return df
    out = df.copy()
    for c in values:
        if c in out:
            out[c] = [(_(v) if isinstance(v, str) else v) for v in out[c]]
    return out.rename(columns={c: _(c) for c in out.columns if isinstance(c, str)})
