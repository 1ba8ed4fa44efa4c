"""Survival page."""

from components import widgets

if widgets.page_header("Survival", needs=()) is not None:
    widgets.not_built("issue #5")
