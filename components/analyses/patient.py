"""One patient on one screen: the profile figure (drugs, tumour burden and responses, AEs, ctDNA),
the baseline facts, the confirmed best response, and the patient's rows of every table."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components.analyses.base import Options, Result, analysis, figure_context, response_derivation
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.figures.profile_plots import profile_figure
from components.i18n import N_, _
from components.stats.profile import key_facts, patient_data

# tab labels (shown as _(label)) → table
TABLES = {N_("Responses"): "adrs", N_("Tumour measurements"): "adtr", N_("Adverse events"): "adae", N_("Exposure"): "adex",
          N_("Biomarkers and laboratory"): "adlb"}


@dataclass(frozen=True)
class PatientOptions(Options):
    usubjid: str = ""


@analysis("Patient profile")
def patient_profile(cut: DataCut, config: StudyConfig, options: PatientOptions) -> Result:
    """The patient's profile figure and facts, with the best overall response as ADRS gives it and as
    the app derives it (confirmed)."""
    subj = options.usubjid
    p = patient_data(dict(cut.tables), subj, cut.cutoff, config.biomarkers.ctdna_param)
    bor = derived = None
    if cut.has("adrs"):
        rules = config.response
        row = response_derivation(cut, rules, rules.confirmed_default, True).bor
        row = row[row["USUBJID"] == subj]
        bor = row["BOR"].iloc[0] if len(row) else None
        derived = row["DERIVED"].iloc[0] if len(row) else None
    site = str(p.adsl.get("SITEID"))
    ctx = figure_context(cut, config, options, _("Patient {patient}").format(patient=subj),
                         _("Treatment, response, safety"))
    fig = profile_figure(p, [d.drug for d in config.regimen], ctx, lod=config.biomarkers.ctdna_lod, bor=bor)
    tables = {}
    for label, name in TABLES.items():
        df = cut.tables.get(name)
        rows = df[df["USUBJID"] == subj] if df is not None else pd.DataFrame()
        tables[label] = rows.drop(columns=["STUDYID", "USUBJID"], errors="ignore")
    numbers = {"Patient": subj, "Site": f"{site} · {config.site_name(site)}", "Best overall response": bor,
               "Derived by the app": derived, **dict(key_facts(p, config.site_name(site)))}
    return Result(_("Patient profile"), numbers, tables, fig)


@dataclass(frozen=True)
class PatientLookup:
    """A patient id as someone typed or linked it, resolved against ADSL."""

    asked: str
    usubjid: str | None  # the match, or None
    candidates: tuple[str, ...] = ()  # several patients share the id as given (e.g. a short id)

    @property
    def message(self) -> str | None:
        if self.usubjid is not None:
            return None
        if self.candidates:
            return _("Patient {patient} matches {n} patients ({candidates}); choose one below.").format(
                patient=self.asked, n=len(self.candidates), candidates=", ".join(self.candidates[:5]))
        return _("Patient {patient} is not in this data cut; choose a patient below.").format(patient=self.asked)


def find_patient(adsl: pd.DataFrame, asked: str) -> PatientLookup:
    """Resolve an id as shown anywhere on screen: the full USUBJID, SUBJID, or the short id of the
    swimmer axis and profile header (site-number), compared without regard to case or surrounding
    spaces. Never falls back to another patient: an unknown or ambiguous id resolves to None."""
    from components.stats.swimmer import short_id

    key = str(asked).strip().casefold()
    ids = adsl["USUBJID"].astype(str)
    forms = [ids]
    if "SUBJID" in adsl:
        forms.append(adsl["SUBJID"].astype(str))
    forms.append(ids.map(short_id))
    for form in forms:
        hit = ids[form.str.strip().str.casefold() == key]
        if len(hit) == 1:
            return PatientLookup(asked, hit.iloc[0])
        if len(hit) > 1:
            return PatientLookup(asked, None, tuple(hit))
    return PatientLookup(asked, None)
