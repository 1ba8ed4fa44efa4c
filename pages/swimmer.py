"""Swimmer page."""

from components import widgets

if widgets.page_header("Swimmer", needs=()) is not None:
    widgets.not_built("issue #4")
