"""The page list, once: app.py builds the navigation from it; tests, screenshots and the benchmark
walk it."""

from __future__ import annotations

from dataclasses import dataclass

from components.i18n import N_


@dataclass(frozen=True)
class PageSpec:
    file: str  # relative to the project root
    title: str
    url_path: str
    section: str
    #: the role kinds that see the page (components/data/roles.py); empty: every role
    roles: tuple[str, ...] = ()

    def visible_to(self, kind: str) -> bool:
        return not self.roles or kind in self.roles

    @property
    def slug(self) -> str:
        """The page's name in file names and URLs."""
        return self.url_path


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", N_("Overview"), "overview", N_("Trial")),
    PageSpec("pages/enrollment.py", N_("Enrollment"), "enrollment", N_("Trial")),
    PageSpec("pages/changes.py", N_("Since last cut"), "changes", N_("Trial")),
    PageSpec("pages/response.py", N_("Response"), "response", N_("Efficacy")),
    PageSpec("pages/swimmer.py", N_("Swimmer"), "swimmer", N_("Efficacy")),
    PageSpec("pages/patient.py", N_("Patient profile"), "patient", N_("Efficacy")),
    PageSpec("pages/survival.py", N_("Survival"), "survival", N_("Efficacy")),
    PageSpec("pages/biomarkers.py", N_("Biomarkers"), "biomarkers", N_("Efficacy")),
    PageSpec("pages/safety.py", N_("Safety and exposure"), "safety", N_("Safety")),
    PageSpec("pages/design.py", N_("Study design"), "design", N_("Design")),
    # the data manager's (and a laptop's, without sign-in): who signed in, viewed, exported and changed what
    PageSpec("pages/audit.py", N_("Audit trail"), "audit", N_("Administration"), roles=("open", "statistician")),
)
