"""Is the data cut this study's? ADSL.STUDYID against the study config's id.

When it is another study's, the app runs in a *generic mode* for it: the title and arms come from
the data, and nothing of this study's (accrual plan, sites, regimen, design targets, decision rule)
is applied to it; the conventions of the config (RECIST rules, survival settings, codings) still
are. A config written for that study (``TRIAL_STUDY_CONFIG``) ends the generic mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pandas as pd

from components.data.config import EnrollmentSettings, StudyConfig
from components.data.datasets import DataCut
from components.i18n import _


@dataclass(frozen=True)
class StudyMatch:
    """The config in force for a cut, and what the check found."""

    config: StudyConfig
    data_ids: tuple[str, ...]
    message: str | None = None  # the banner when the cut is not (only) this study's

    @property
    def generic(self) -> bool:
        return self.config.generic


def data_arms(adsl: pd.DataFrame) -> tuple[str, ...]:
    """The arms in the data, sorted: the planned arms (TRT01P) and any other actual arm (TRT01A, which
    the loader fills from ACTARM/TRT01P/ARM)."""
    found: set[str] = set()
    for col in ("TRT01P", "TRT01A"):
        if col in adsl:
            found |= {v for v in adsl[col].dropna().astype(str).str.strip() if v}
    return tuple(sorted(found))


#: Words that name a control arm (case-insensitive), in order of preference.
CONTROL_WORDS = ("placebo", "control", "standard of care", "soc", "comparator", "observation", "best supportive care")


def choose_reference(arms: tuple[str, ...]) -> tuple[str | None, str]:
    """The reference arm of a study without a config, and why: the first arm whose name says placebo or
    control (:data:`CONTROL_WORDS`), else the first arm in sorted order (said as such). None for one arm."""
    if len(arms) < 2:
        return None, ""
    for word in CONTROL_WORDS:
        for a in arms:
            if re.search(rf"\b{re.escape(word)}\b", a, flags=re.IGNORECASE):
                return a, _("its name says {word}").format(word=word)
    return arms[0], _("no arm is named placebo or control: the first in alphabetical order")


def data_strata(adsl: pd.DataFrame) -> tuple[str, ...]:
    """Stratification factors a cut names as such (STRATA1, STRAT2 …, with 2–6 levels): a randomized
    study's comparisons are stratified by them when no config says otherwise."""
    return tuple(c for c in adsl.columns if re.fullmatch(r"STRATA?\d+", str(c)) and 1 < adsl[c].nunique() <= 6)


def generic_config(config: StudyConfig, study_id: str, arms: tuple[str, ...],
                   strata: tuple[str, ...] = ()) -> StudyConfig:
    """``config``'s conventions for another study: its facts from the data, this study's dropped."""
    filters = tuple(config.data.filters)
    reference, _why = choose_reference(arms)
    if reference is not None:  # the reference last, as a config lists it
        arms = (*[a for a in arms if a != reference], reference)
    if len(arms) > 1 and "TRT01A" not in filters:
        filters = (*filters, "TRT01A")
    return replace(
        config, id=study_id, short_title=_("no study config: facts from the data"),
        title=_("No study config for this study: its facts come from the data"), phase="", design_text="",
        population="", lead_site="", principal_investigator="", status="", arms=arms, regimen=(),
        endpoints={}, design=None, sites=(), reference_arm=reference, strata=strata if len(arms) > 1 else (),
        enrollment=EnrollmentSettings(projection_window_days=config.enrollment.projection_window_days,
                                      site_idle_weeks=config.enrollment.site_idle_weeks),
        safety=replace(config.safety, focus_drug=""), data=replace(config.data, filters=filters), generic=True,
    )


def match_study(cut: DataCut, config: StudyConfig) -> StudyMatch:
    """The config to use for ``cut``: ``config`` when ADSL's STUDYID is its id (or the cut has no
    ADSL), else a generic config for the data's study, with a message saying so."""
    adsl = cut.tables.get("adsl")
    if adsl is None or "STUDYID" not in adsl or adsl.empty:
        return StudyMatch(config, ())
    ids = tuple(sorted(set(adsl["STUDYID"].dropna().astype(str).str.strip()) - {""}))
    if not ids or config.id in ids and len(ids) == 1:
        return StudyMatch(config, ids)
    if config.id in ids:
        others = ", ".join(i for i in ids if i != config.id)
        return StudyMatch(config, ids, _("The data cut mixes studies: ADSL.STUDYID has {study} and {others}. "
                                         "The numbers include every study's subjects.").format(study=config.id,
                                                                                               others=others))
    shown = ids[0] if len(ids) == 1 else " + ".join(ids)
    arms = data_arms(adsl)
    message = _("This data cut is study {data_study} (ADSL.STUDYID), not {study}, the study of the config ({file}). "
                "Shown in generic mode: the title and arms come from the data; {study}'s accrual plan, sites, regimen "
                "and design targets are not applied. To show it as its own study, start the app with a study config "
                "for it (TRIAL_STUDY_CONFIG).").format(data_study=shown, study=config.id, file=config.path.name)
    reference, why = choose_reference(arms)
    strata = data_strata(adsl)
    if reference is not None:
        message += " " + _("{n} arms in the data; each is compared with the reference arm {reference} ({why}). Efficacy "
                           "is shown by planned arm, safety by actual arm.").format(n=len(arms), reference=reference,
                                                                                   why=why)
        if strata:
            message += " " + _("Stratified comparisons use {strata}, as the data names them.").format(
                strata=", ".join(strata))
    return StudyMatch(generic_config(config, shown, arms, strata), ids, message)
