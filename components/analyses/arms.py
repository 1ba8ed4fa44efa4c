"""Arms of a randomized study as the analyses use them: which ADSL column holds the arm for a
population, and the arms in the config's display order (the reference arm among them)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from components.data.config import StudyConfig

ARM_COLUMNS = ("TRT01P", "TRT01A", "ARM", "ACTARM")


def arm_column(config: StudyConfig, adsl: pd.DataFrame, population: str) -> str | None:
    """The arm column for a population: planned arm for efficacy, actual arm for safety (ICH E9)."""
    if config.single_arm:
        return None
    want = config.safety_arm if population == "SAFFL" else config.efficacy_arm
    return next((c for c in (want, *ARM_COLUMNS) if c in adsl and adsl[c].nunique() > 1), None)


def arm_levels(config: StudyConfig, values: Iterable) -> list[str]:
    """The arms present in ``values``: the config's arms in its order, then any others sorted."""
    present = {str(v) for v in values if v is not None and not (isinstance(v, float) and v != v)}
    return [a for a in config.arms if a in present] + sorted(present - set(config.arms))
