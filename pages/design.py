"""Study design page."""

from components import widgets

if widgets.page_header("Study design", needs=()) is not None:
    widgets.not_built("issue #11")
