"""Walk every page and every lazy tab of the app in AppTest and collect what went wrong."""

from __future__ import annotations

#: Pages with lazy tabs (components.ui.widgets.sections): the session-state key that opens one.
SECTION_KEYS = {"pages/safety.py": "safety_section", "pages/biomarkers.py": "biomarker_section",
                "pages/response.py": "response_section", "pages/enrollment.py": "enrollment_section"}


def problems(at) -> list[str]:
    """Exceptions and error boxes of the last run (a data-error summary in the sidebar is not one)."""
    out = [f"exception: {e.value}" for e in at.exception]
    out += [f"error: {e.value}" for e in at.error]
    return out


def walk(at, pages=None, each=None) -> dict[str, list[str]]:
    """Run ``at`` (a fresh AppTest), then every page (default: every page the session's role may open)
    and every lazy tab of it; returns the problems per page (and page › tab), empty lists when all is
    well. ``each(at)``, when given, acts on every page and tab once it has run (before its problems are
    collected)."""
    if pages is None:
        from components.ui.navigation import PAGES as SPECS
        from components.ui.widgets import current_role

        kind = current_role().kind
        pages = [p.file for p in SPECS if p.visible_to(kind)]
    found: dict[str, list[str]] = {}
    at.run()
    for page in pages:
        at.switch_page(page).run()
        if each is not None:
            each(at)
        found[page] = problems(at)
        key = SECTION_KEYS.get(page)
        if key is None:
            continue
        labels = [t.label for t in at.tabs]
        for label in labels[1:]:
            at.session_state[key] = label
            at.run()
            if each is not None:
                each(at)
            found[f"{page} › {label}"] = problems(at)
        at.session_state[key] = labels[0] if labels else None
    return found
