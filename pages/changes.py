"""Since last cut page."""

from components import widgets

if widgets.page_header("Since last cut", needs=()) is not None:
    widgets.not_built("issue #8")
