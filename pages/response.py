"""Response page."""

from components import widgets

if widgets.page_header("Response", needs=()) is not None:
    widgets.not_built("issue #3")
