"""Translation catalogs with Babel: extract the marked strings, update the catalogs, report coverage.

    .venv/bin/python scripts/i18n.py extract    # locale/messages.pot from app.py, pages/, components/
    .venv/bin/python scripts/i18n.py update     # new strings into locale/zh_CN/LC_MESSAGES/messages.po
    .venv/bin/python scripts/i18n.py coverage   # translated / marked, and the untranslated strings

Strings are marked with ``_("...")`` (and ``n_("one", "many", n)``); a value goes in with
``_("... {n} ...").format(n=...)``, never an f-string inside ``_()`` (it could not be looked up).
A translator edits the ``.po`` files; the app compiles them in memory (components/i18n.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
POT = ROOT / "locale" / "messages.pot"
LOCALES = ("zh_CN",)
KEYWORDS = {"_": None, "N_": None, "n_": (1, 2), "analysis": None}  # @analysis("title") is shown
METHOD_MAP = [("**/.venv/**", "ignore"), ("**/tests/**", "ignore"), ("app.py", "python"), ("pages/**.py", "python"),
              ("components/**.py", "python")]


def extract() -> Catalog:
    cat = Catalog(project="trial-dashboard", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), METHOD_MAP, keywords=KEYWORDS, strip_comment_tags=True):
        if filename.startswith((".venv", "tests")):
            continue
        cat.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    import csv  # the data dictionary's headers are on screen as column headers

    with (ROOT / "data" / "data_dictionary.csv").open(encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            if row.get("header"):
                cat.add(row["header"], None, [("data/data_dictionary.csv", i)])
            if row.get("label"):  # the data contract's meaning column; ADSL's short ones also label filters
                cat.add(row["label"], None, [("data/data_dictionary.csv", i)])
    POT.parent.mkdir(parents=True, exist_ok=True)
    with POT.open("wb") as fh:
        write_po(fh, cat, width=120, sort_output=True)
    return cat


def _catalogs(locale: str) -> list[Path]:
    return sorted((ROOT / "locale" / locale / "LC_MESSAGES").glob("*.po"))


def translated(locale: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in _catalogs(locale):
        with path.open("rb") as fh:
            for m in read_po(fh, locale=locale):
                if m.id and m.string and not m.fuzzy:
                    out[m.id if isinstance(m.id, str) else m.id[0]] = m.string
    return out


def update() -> None:
    """Add the template's new strings (untranslated) to each locale's messages.po; keep the rest."""
    template = extract()
    for locale in LOCALES:
        path = ROOT / "locale" / locale / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as fh:
                cat = read_po(fh, locale=locale)
        else:
            cat = Catalog(locale=locale, project="trial-dashboard")
        elsewhere = {k for p in _catalogs(locale) if p != path for k in _ids(p, locale)}
        for m in template:
            if m.id and m.id not in cat and m.id not in elsewhere:
                cat.add(m.id, "", m.locations)
        with path.open("wb") as fh:
            write_po(fh, cat, width=120, sort_output=True, omit_header=False)


def _ids(path: Path, locale: str) -> set:
    with path.open("rb") as fh:
        return {m.id for m in read_po(fh, locale=locale) if m.id}


def coverage() -> int:
    template = extract()
    ids = [m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id]
    missing = 0
    for locale in LOCALES:
        have = translated(locale)
        todo = [i for i in ids if i not in have]
        missing += len(todo)
        print(f"{locale}: {len(ids) - len(todo)} of {len(ids)} marked strings translated")
        for i in todo:
            print("  untranslated:", i)
    return 1 if missing else 0


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "coverage"
    if cmd == "extract":
        print(f"{len(extract())} strings → {POT.relative_to(ROOT)}")
    elif cmd == "update":
        update()
    else:
        sys.exit(coverage())
