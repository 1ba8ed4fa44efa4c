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


#: ADaM population flags (ADaM IG §3.1.4) and their names on screen.
POPULATION_FLAGS = {"ITTFL": "Intent-to-treat", "FASFL": "Full analysis set", "RANDFL": "Randomized",
                    "PPROTFL": "Per-protocol", "SAFFL": "All treated", "EFFFL": "Response-evaluable"}


def efficacy_population(config: StudyConfig, adsl: pd.DataFrame) -> str | None:
    """A randomized study's efficacy population flag: the config's (``[randomization]
    efficacy_population``), else the first of ITTFL, FASFL, RANDFL the data has; None for a
    single-arm study or when ADSL has none of them."""
    if config.single_arm:
        return None
    return next((f for f in (config.efficacy_population, "ITTFL", "FASFL", "RANDFL")
                 if f in adsl and (adsl[f] == "Y").any()), None)


def efficacy_populations(config: StudyConfig, adsl: pd.DataFrame) -> dict[str, str]:
    """Flag → name of the populations efficacy can be shown in: a randomized study's efficacy
    population (by planned arm) first and its per-protocol set where flagged, then all treated and
    response-evaluable."""
    out = {}
    main = efficacy_population(config, adsl)
    if main is not None:
        out[main] = POPULATION_FLAGS.get(main, main)
        if "PPROTFL" in adsl and (adsl["PPROTFL"] == "Y").any():
            out["PPROTFL"] = POPULATION_FLAGS["PPROTFL"]
    out.update({k: POPULATION_FLAGS[k] for k in ("SAFFL", "EFFFL")})
    return out
