"""The slide deck and the HTML report, built from the analyses."""
