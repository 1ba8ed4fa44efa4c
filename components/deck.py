"""``python -m components.deck``: the command-line deck and report at their documented name (the code
is :mod:`components.reports.deck`)."""

from components.reports.deck import main

if __name__ == "__main__":
    raise SystemExit(main())
