"""Safety and exposure page."""

from components import widgets

if widgets.page_header("Safety and exposure", needs=()) is not None:
    widgets.not_built("issue #7")
