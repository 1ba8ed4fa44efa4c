"""Biomarkers page."""

from components import widgets

if widgets.page_header("Biomarkers", needs=()) is not None:
    widgets.not_built("issue #12")
