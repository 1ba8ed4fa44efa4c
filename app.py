"""The trial dashboard: page configuration and the page registry.

Run with ``streamlit run app.py``. Pages live in ``pages/`` and hold layout and widgets only; the
logic and the figure builders are in ``components/``. The sidebar (data source, data cut, filters)
and the shared state come from ``components.ui.widgets``: every page builds them through
``widgets.page_header`` (README, "Layout decisions", says why not here).
"""

import streamlit as st

from components.ui.navigation import PAGES
from components.ui.widgets import require_access

st.set_page_config(page_title="Trial dashboard", page_icon="📊", layout="wide")
require_access()  # with access configured in secrets.toml, nothing below runs before sign-in

sections: dict[str, list] = {}
for spec in PAGES:
    kwargs = {"default": True} if not spec.url_path else {"url_path": spec.url_path}
    sections.setdefault(spec.section, []).append(st.Page(spec.file, title=spec.title, **kwargs))

page = st.navigation(sections)
page.run()
