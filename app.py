"""The trial dashboard: page configuration and the page registry.

Run with ``streamlit run app.py``. Pages live in ``pages/`` and hold layout and widgets only; the
logic and the figure builders are in ``components/``. The sidebar (data source, data cut, filters)
and the shared state come from ``components.ui.widgets``: every page builds them through
``widgets.page_header`` (README, "Layout decisions", says why not here).
"""

import streamlit as st

from components.ui.widgets import require_access

st.set_page_config(page_title="Trial dashboard", page_icon="📊", layout="wide")
require_access()  # with access configured in secrets.toml, nothing below runs before sign-in

PAGES = {
    "Trial": [
        st.Page("pages/overview.py", title="Overview", default=True),
        st.Page("pages/enrollment.py", title="Enrollment", url_path="enrollment"),
        st.Page("pages/changes.py", title="Since last cut", url_path="changes"),
    ],
    "Efficacy": [
        st.Page("pages/response.py", title="Response", url_path="response"),
        st.Page("pages/swimmer.py", title="Swimmer", url_path="swimmer"),
        st.Page("pages/patient.py", title="Patient profile", url_path="patient"),
        st.Page("pages/survival.py", title="Survival", url_path="survival"),
        st.Page("pages/biomarkers.py", title="Biomarkers", url_path="biomarkers"),
    ],
    "Safety": [
        st.Page("pages/safety.py", title="Safety and exposure", url_path="safety"),
    ],
    "Design": [
        st.Page("pages/design.py", title="Study design", url_path="design"),
    ],
}

page = st.navigation(PAGES)
page.run()
