"""The page list, once: app.py builds the navigation from it; tests, screenshots and the benchmark
walk it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    file: str  # relative to the project root
    title: str
    url_path: str
    section: str

    @property
    def slug(self) -> str:
        """The page's name in file names and URLs."""
        return self.url_path


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Overview", "overview", "Trial"),
    PageSpec("pages/enrollment.py", "Enrollment", "enrollment", "Trial"),
    PageSpec("pages/changes.py", "Since last cut", "changes", "Trial"),
    PageSpec("pages/response.py", "Response", "response", "Efficacy"),
    PageSpec("pages/swimmer.py", "Swimmer", "swimmer", "Efficacy"),
    PageSpec("pages/patient.py", "Patient profile", "patient", "Efficacy"),
    PageSpec("pages/survival.py", "Survival", "survival", "Efficacy"),
    PageSpec("pages/biomarkers.py", "Biomarkers", "biomarkers", "Efficacy"),
    PageSpec("pages/safety.py", "Safety and exposure", "safety", "Safety"),
    PageSpec("pages/design.py", "Study design", "design", "Design"),
)
