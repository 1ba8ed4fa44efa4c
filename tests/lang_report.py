"""What is still English on each page shown in Chinese (a tool for translators; the test is
tests/test_i18n.py). Usage, from the project folder:

    .venv/bin/python -m tests.lang_report [pages/response.py ...]     # SHOW=50 prints more per page
"""

from __future__ import annotations

import collections
import os
import sys

from streamlit.testing.v1 import AppTest

from components.data.config import load_config
from components.data.datasets import load_cut
from tests.conftest import DEMO_DIR, PAGES, ROOT, open_expanders
from tests.lang_check import data_words, english_left, screen_texts
from tests.walk import SECTION_KEYS


def report(pages: list[str], data_dir=DEMO_DIR) -> dict[str, set[str]]:
    """Page (and page › tab) → the texts still holding English, on the demo in Chinese."""
    allowed = data_words(load_cut(data_dir), load_config())
    left: dict[str, set[str]] = collections.defaultdict(set)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["lang"] = "zh"
    at.run()
    for page in pages:
        at.switch_page(page).run()
        open_expanders(at)  # "Data behind the figure" tables are drawn only when opened
        left[page] |= set(english_left(screen_texts(at), allowed))
        key = SECTION_KEYS.get(page)
        if key:
            labels = [t.label for t in at.tabs]
            for label in labels[1:]:
                at.session_state[key] = label
                open_expanders(at.run())
                left[f"{page} › {label}"] |= set(english_left(screen_texts(at), allowed))
            at.session_state[key] = labels[0] if labels else None
    return left


def main() -> None:
    os.chdir(ROOT)
    left = report(sys.argv[1:] or list(PAGES))
    show = int(os.environ.get("SHOW", "10"))
    total = 0
    for page, texts in left.items():
        print(f"== {page}: {len(texts)}")
        total += len(texts)
        for t in sorted(texts)[:show]:
            print("   ", t[:160].replace("\n", " "))
    print("TOTAL", total)


if __name__ == "__main__":
    main()
