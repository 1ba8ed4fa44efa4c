"""The study's status in a data cut: counts of enrolled, treated, on treatment, evaluable, deaths,
screening — for the Overview page and the deck's title slide."""

from __future__ import annotations

from components.analyses.base import Options, Result, analysis, view
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.i18n import N_, _
from components.stats.summary import key_numbers


@analysis(N_("Key numbers"))
def study_status(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """Enrolled against target, treated, on treatment, response-evaluable against target,
    discontinued, deaths; screened and screen failures when the cut has a screening log."""
    v = view(cut, options)
    k = key_numbers(v.tables["adsl"], config, v.tables.get("screening"), v.tables)
    numbers = {"Enrolled": k.enrolled, "Target enrolled": k.target_enrolled, "Treated": k.treated,
               "On treatment": k.on_treatment, "Response-evaluable": k.evaluable, "Target evaluable": k.target_evaluable,
               "Discontinued": k.discontinued, "Completed": k.completed, "Deaths": k.deaths, "Screened": k.screened,
               "Screen failures": k.screen_failures, "Sites with patients": k.sites_with_patients,
               "Sites planned": k.sites_planned}
    notes = ()
    if k.sites_unplanned:
        notes += (_("{n} site(s) with patients are not in the study config's plan: {sites}. A SITEID typo, or a site "
                    "to add to `[[sites]]`.").format(n=len(k.sites_unplanned), sites=", ".join(k.sites_unplanned)),)
    if k.deaths_differ:  # the sources disagree (or ADSL records none): each is shown
        notes += (_("Deaths differ by source: {sources}. The count shown is ADSL's where it records deaths, else every "
                   "subject any source records.").format(
            sources="; ".join(f"{_(name)} {n}" for name, n in k.death_sources)),)
    return Result("", numbers, {}, None, notes, detail=k)
