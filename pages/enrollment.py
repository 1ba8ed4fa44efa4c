"""Enrollment page."""

from components import widgets

if widgets.page_header("Enrollment", needs=()) is not None:
    widgets.not_built("issue #6")
