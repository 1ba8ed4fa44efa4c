"""The trial dashboard: page configuration and the page registry.

Run with ``streamlit run app.py``. Pages live in ``pages/`` and hold layout and widgets only; the
logic and the figure builders are in ``components/``. The sidebar (data source, data cut, filters)
and the shared state come from ``components.ui.widgets``: every page builds them through
``widgets.page_header`` (README, "Layout decisions", says why not here).

``streamlit run app.py`` first imports this file as a module to find ``app``, Streamlit's ``st.App``,
and serves it: the server warms up (imports, translations, the default data cut) before it takes its
first visitor (components/ui/warmup.py). Each visit then runs this file as the script (``__main__``).
"""

import streamlit as st

if __name__ != "__main__":  # imported by `streamlit run` (or an ASGI server): the server, not a visit
    import os

    from starlette.middleware import Middleware

    from components.ui.gate import AccessGate
    from components.ui.warmup import lifespan

    # uvicorn believes X-Forwarded-For from 127.0.0.1 by default, so any local client could name its own
    # address; the sign-in gate reads the header itself, only from [access] trusted_proxies.
    os.environ.setdefault("FORWARDED_ALLOW_IPS", "")
    # The sign-in holds at the HTTP layer: without the session cookie nothing but the sign-in page, the
    # health check and the page shell's static files answer (components/ui/gate.py).
    app = st.App(__file__, lifespan=lifespan, middleware=[Middleware(AccessGate)])
else:  # a visit: page configuration, language, sign-in and the page registry
    from components.i18n import _
    from components.ui.navigation import PAGES
    from components.ui.widgets import choose_language, current_role, guard, require_access

    st.set_page_config(page_title="Trial dashboard", page_icon="📊", layout="wide")
    choose_language()  # before any text (the sign-in screen too): the session's language
    require_access()  # with access configured in secrets.toml, nothing below runs before sign-in

    sections: dict[str, list] = {}
    kind = current_role().kind
    for spec in (p for p in PAGES if p.visible_to(kind)):  # a page a role may not see has no address for it
        sections.setdefault(_(spec.section), []).append(st.Page(spec.file, title=_(spec.title), url_path=spec.url_path))
    first = next(iter(sections.values()))[0]

    def home() -> None:
        """The root URL opens the first page under its own address (/overview), so that address is
        valid too (a default page would own "/" only, and /overview would be "Page not found")."""
        st.switch_page(first, query_params=st.query_params.to_dict())

    page = st.navigation({"": [st.Page(home, title="Home", default=True, visibility="hidden")], **sections})
    with guard(page.title):  # the last line of defence: no page ever shows a traceback
        page.run()
