"""Patient profile page."""

from components import widgets

if widgets.page_header("Patient profile", needs=()) is not None:
    widgets.not_built("issue #4")
