"""The one way a p-value is written, on screen, in figures, the deck and the report.

Three decimals (four where a table asks for them); below the shown precision "< 0.001", never
"0.000"; an undefined p-value "—". Key numbers keep the full value as a :class:`PValue`, which
:func:`components.analyses.base.format_number` writes the same way.
"""

from __future__ import annotations


class PValue(float):
    """A p-value among an analysis's key numbers: a float (tests and comparisons use it as one) that is
    written by :func:`p_text`."""

    def __str__(self) -> str:
        return p_text(self)


def p_text(p: float | None, digits: int = 3) -> str:
    """'0.042'; '< 0.001' below the shown precision; '—' when undefined (None or NaN)."""
    if p is None or p != p:
        return "—"
    floor = 10 ** -digits
    return f"< {floor:.{digits}f}" if p < floor else f"{p:.{digits}f}"


def p_value_text(p: float | None, digits: int = 3) -> str:
    """'p = 0.042', or 'p < 0.001' below the shown precision (never 'p = 0.000'); 'p = —' when undefined."""
    return f"p {p_relation(p, digits)}"


def p_relation(p: float | None, digits: int = 3) -> str:
    """'= 0.042' or '< 0.001' (or '= —'), to follow a p-value's label: "{label} {relation}"."""
    text = p_text(p, digits)
    return text if text.startswith("<") else f"= {text}"
