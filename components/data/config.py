"""The study configuration: every study-specific fact the dashboard uses, read from TOML.

The file is ``data/study.toml`` unless the environment variable ``TRIAL_STUDY_CONFIG`` names another
one. Nothing study-specific is written in code: a second study (e.g. a randomized phase III) gets its
own file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from components.i18n import _

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = PROJECT_ROOT / "data" / "study.toml"


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    city: str = ""
    planned_activation: date | None = None
    activated: date | None = None


@dataclass(frozen=True)
class Drug:
    drug: str
    dose: float
    unit: str
    route: str
    schedule: str
    dose_levels: tuple[float, ...] = ()
    daily: bool = False
    escalation: tuple[tuple[int, float], ...] = ()  # (from study day, daily dose)
    cycle_days: int | None = None
    cycle_dose_days: tuple[int, ...] = ()
    dose_days: tuple[int, ...] = ()
    repeat_every_days: int | None = None

    def planned_dose_on_day(self, study_day: int) -> float:
        """Planned daily dose on a study day (day 1 = first dose), following the escalation steps."""
        dose = self.dose
        for from_day, step_dose in self.escalation:
            if study_day >= from_day:
                dose = step_dose
        return dose

    def planned_schedule(self, n_days: int) -> list[float]:
        """Planned dose on each study day 1..n_days: every day for a daily drug (with escalation);
        on the cycle's dose days (cycle_days, cycle_dose_days); or on dose_days and then every
        repeat_every_days."""
        out = [0.0] * n_days
        for day in range(1, n_days + 1):
            if self.daily:
                out[day - 1] = self.planned_dose_on_day(day)
            elif self.cycle_days:
                if ((day - 1) % self.cycle_days) + 1 in self.cycle_dose_days:
                    out[day - 1] = self.dose
            elif self.dose_days:
                last = max(self.dose_days)
                if day in self.dose_days or (
                    self.repeat_every_days and day > last and (day - last) % self.repeat_every_days == 0
                ):
                    out[day - 1] = self.dose
        return out


@dataclass(frozen=True)
class Design:
    """The single-arm design. ``method`` is the protocol's prespecified test of the primary endpoint,
    which decides the study: "normal" (one-sample proportion test, normal approximation) or "exact"
    (exact binomial test); ``test`` is its wording for the screen."""

    test: str
    p0: float
    p1: float
    alpha: float
    sides: int
    power: float
    dropout: float
    n_evaluable: int
    n_enrolled: int
    rationale: str = ""
    method: str = "normal"

    @property
    def alpha_one(self) -> float:
        """The one-sided α (exact and Simon designs are one-sided)."""
        return self.alpha / self.sides


@dataclass(frozen=True)
class TwoArmDesign:
    """A randomized two-arm design: the primary endpoint and what the sample size rests on. For a
    time-to-event endpoint: the HR to detect (events by Schoenfeld 1983) and the control median,
    accrual and follow-up that turn events into patients; for a response endpoint: both rates."""

    endpoint: str  # "PFS", "OS" or "ORR"
    alpha: float = 0.05
    sides: int = 2
    power: float = 0.8
    allocation: float = 0.5  # share randomized to the experimental arm
    hr: float | None = None
    control_median_months: float | None = None
    accrual_months: float | None = None
    followup_months: float | None = None
    p_control: float | None = None
    p_experimental: float | None = None
    dropout: float = 0.0
    n_planned: int | None = None  # the protocol's total
    events_planned: int | None = None
    #: Interim analyses: the information fractions (events / events_planned) of the looks, the final 1.0
    #: included; () for no interim analysis. The efficacy boundaries spend alpha by ``spending``:
    #: "asOF" (Lan–DeMets O'Brien–Fleming type) or "asP" (Pocock type), as rpact names them.
    looks: tuple[float, ...] = ()
    spending: str = "asOF"


def _two_arm(design: dict[str, Any]) -> TwoArmDesign:
    known = TwoArmDesign.__dataclass_fields__
    values = {k: v for k, v in design.items() if k in known}
    if "looks" in values:
        values["looks"] = tuple(float(x) for x in values["looks"])
    return TwoArmDesign(**values)


def _test_method(design: dict[str, Any]) -> str:
    """``[design] method``; when absent, read from the test's wording (exact/binomial → exact)."""
    method = design.get("method")
    if method is None:
        words = str(design.get("test", "")).lower()
        method = "exact" if ("exact" in words or "binomial" in words) else "normal"
    method = str(method).lower()
    if method not in ("normal", "exact"):
        raise ValueError(_("[design] method must be \"normal\" or \"exact\", not {method}").format(method=repr(method)))
    return method


@dataclass(frozen=True)
class ResponseRules:
    criteria: str = "RECIST 1.1"
    confirmation_min_days: int = 28
    confirmation_max_ne: int = 1
    confirmation_accept_sd: bool = False
    cr_then_pr_as_pr: bool = False
    sd_min_days: int = 35
    assessment_window_days: int = 7
    cbr_min_weeks: int = 24
    assessment_interval_weeks: int = 6
    waterfall_cap_pct: float = 100.0
    confirmed_default: bool = True


@dataclass(frozen=True)
class SurvivalSettings:
    landmark_months: tuple[float, ...] = (6.0, 12.0)
    tick_months: float = 3.0
    conf_type: str = "log-log"
    days_per_month: float = 30.4375
    small_group_n: int = 10


@dataclass(frozen=True)
class SafetySettings:
    focus_term: str = "Diarrhoea"
    focus_drug: str = ""
    focus_horizon_days: int = 84
    teae_lag_days: int = 30


@dataclass(frozen=True)
class EnrollmentSettings:
    first_patient_planned: date | None = None
    last_patient_planned: date | None = None
    projection_window_days: int = 120
    site_idle_weeks: int = 8
    target_label: str = "Target enrolled"


@dataclass(frozen=True)
class BiomarkerSettings:
    ctdna_param: str = "CTDNAVAF"
    ctdna_unit: str = "%"
    ctdna_lod: float = 0.1
    ctdna_early_day: int = 21
    ctdna_early_window_days: int = 7
    p95_ihc_param: str = "P95IHC"
    p95_wb_param: str = "P95WB"
    p95_ihc_positive_min: int = 2


@dataclass(frozen=True)
class EligibilitySettings:
    """The protocol's eligibility that ADSL can show (the data-quality view lists who is outside it);
    a rule left out is not checked."""

    age_min: float | None = None
    age_max: float | None = None
    ecog: tuple[int, ...] = ()  # ECOG performance status allowed at baseline (ADSL ECOGBL)
    sex: str = ""  # "F" or "M" when the protocol enrols one sex (ADSL SEX)

    def age_text(self) -> str:
        if self.age_min is not None and self.age_max is not None:
            return f"{self.age_min:g}–{self.age_max:g}"
        return f"≥ {self.age_min:g}" if self.age_min is not None else f"≤ {self.age_max:g}"


def _eligibility(raw: dict[str, Any]) -> EligibilitySettings:
    num = lambda v: None if v is None else float(v)  # noqa: E731
    return EligibilitySettings(age_min=num(raw.get("age_min")), age_max=num(raw.get("age_max")),
                               ecog=tuple(int(v) for v in raw.get("ecog", ())), sex=str(raw.get("sex", "")))


def _upper_tuple(values: Any) -> tuple[str, ...]:
    return tuple(str(v).strip().upper() for v in values)


@dataclass(frozen=True)
class Codings:
    """How other studies' ADaM cuts code the same facts, and what the loader maps them to
    (``[mapping]`` in the study config). The defaults cover the common codings (CDISC pilot,
    admiral/admiralonco templates, sponsor variants); every mapping applied is reported as a finding.
    Codes are compared case-insensitively."""

    #: Tumour-sum parameter codes in ADTR (the first one present is used, and renamed SUMDIAM).
    tumour_sum_params: tuple[str, ...] = ("SUMDIAM", "SDIAM", "TRSUM", "SUMLD", "TSUM", "SLD", "SLDINV")
    #: Lesion-level diameter codes: summed per subject and date when no tumour-sum row exists.
    lesion_params: tuple[str, ...] = ("LDIAM", "DIAM", "LSDIAM", "TLDIAM")
    #: Overall (visit) response parameter codes in ADRS (the first present is used, renamed OVR).
    overall_response_params: tuple[str, ...] = ("OVR", "OVRLRESP", "OVRINV", "OVRRESP", "OVRB")
    #: The sponsor's confirmed best overall response in ADRS: the first code present is read as CBOR
    #: (admiralonco CBOR; teal's sample data BESRSPI, "Best Confirmed Overall Response by Investigator").
    confirmed_bor_params: tuple[str, ...] = ("CBOR", "BESRSPI", "CBORINV", "CBESRSP", "BCORSP")
    #: The sponsor's best overall response without confirmation: the first code present is read as BOR.
    bor_params: tuple[str, ...] = ("BOR", "BORINV", "BESRSP", "UBOR")
    #: Response codings mapped to RECIST categories (anything else is reported, never guessed).
    response_codes: tuple[tuple[str, str], ...] = (
        ("MISSING", "NE"), ("NOT EVALUABLE", "NE"), ("UNABLE TO EVALUATE", "NE"), ("NOT ASSESSED", "NE"),
        ("UE", "NE"), ("NA", "NE"),
        ("COMPLETE RESPONSE", "CR"), ("PARTIAL RESPONSE", "PR"), ("STABLE DISEASE", "SD"),
        ("PROGRESSIVE DISEASE", "PD"), ("NON-CR/NON-PD", "NON-CR/NON-PD"), ("NON CR/NON PD", "NON-CR/NON-PD"),
        ("NON-CR/NON PD", "NON-CR/NON-PD"), ("NCRNPD", "NON-CR/NON-PD"),
    )
    #: Time-to-event parameter codes: the dashboard's code, then the other codes that mean it.
    tte_params: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("PFS", ("PFS", "PFSINV", "PFSIRC", "PFS1")),
        ("OS", ("OS", "OS1")),
        ("DOR", ("DOR", "DURRSP", "RSD", "DOR1", "DORINV", "CRSD")),
    )
    #: AE grade columns, in order of preference (renamed AETOXGR).
    grade_columns: tuple[str, ...] = ("AETOXGR", "ATOXGR", "AETOXGRN", "ATOXGRN")
    #: When no grade column exists: severity (AESEV/ASEV) read as grade (CTCAE v5.0: grade 1 mild,
    #: 2 moderate, 3 severe, 4 life-threatening, 5 death), reported as a warning. Empty: not mapped.
    severity_as_grade: tuple[tuple[str, int], ...] = (("MILD", 1), ("MODERATE", 2), ("SEVERE", 3),
                                                      ("LIFE-THREATENING", 4), ("LIFE THREATENING", 4), ("FATAL", 5))
    #: Relatedness columns, in order of preference (renamed AREL).
    relatedness_columns: tuple[str, ...] = ("AREL", "AEREL", "ARELN", "AERELN")
    #: Values meaning related / not related to study treatment (a causality scale is split here).
    related_values: tuple[str, ...] = (
        "RELATED", "Y", "YES", "1", "POSSIBLE", "POSSIBLY RELATED", "PROBABLE", "PROBABLY RELATED", "DEFINITE",
        "DEFINITELY RELATED", "CERTAIN", "LIKELY", "RELATED TO STUDY DRUG",
    )
    not_related_values: tuple[str, ...] = (
        "NOT RELATED", "N", "NO", "0", "UNLIKELY", "UNLIKELY RELATED", "UNRELATED", "NONE", "REMOTE",
        "NOT LIKELY", "DOUBTFUL", "NOT SUSPECTED",
    )
    #: Columns whose values stand in for an absent contract date column (ISO 8601 --DTC strings).
    date_sources: tuple[tuple[str, str, tuple[str, ...]], ...] = (
        ("adsl", "RFICDT", ("RFICDTC",)),
        ("adsl", "TRTSDT", ("TRTSDTM", "RFXSTDTC")),
        ("adsl", "TRTEDT", ("TRTEDTM", "RFXENDTC")),
        ("adsl", "DTHDT", ("DTHDTC",)),
        ("adrs", "ADT", ("ADTM", "RSDTC")),
        ("adtr", "ADT", ("ADTM", "TRDTC")),
        ("adae", "ASTDT", ("ASTDTM", "AESTDTC")),
        ("adae", "AENDT", ("AENDTM", "AEENDTC")),
        ("adex", "ASTDT", ("ASTDTM", "EXSTDTC")),
        ("adex", "AENDT", ("AENDTM", "EXENDTC")),
        ("adtte", "STARTDT", ("STARTDTM",)),
        ("adtte", "ADT", ("ADTM",)),
    )
    #: Enrollment date when ADSL has no RFICDT (nor RFICDTC): the first of these present.
    enrollment_date_fallbacks: tuple[str, ...] = ("RANDDT", "ENRLDT", "TRTSDT")
    #: ADEX parameter codes of dose records, when ADEX is BDS-shaped (other parameters are not read).
    exposure_dose_params: tuple[str, ...] = ("DOSE", "DOSEADM", "ADMDOSE", "EXDOSE", "DOSEA")
    #: Arm columns in order of preference for the actual arm (copied to TRT01A when it is absent).
    arm_columns: tuple[str, ...] = ("TRT01A", "ACTARM", "TRT01P", "ARM")
    #: Arm values that mean "not in any arm" (screen failures, not treated): kept as missing arm.
    no_arm_values: tuple[str, ...] = ("SCREEN FAILURE", "NOT ASSIGNED", "NOT TREATED", "UNPLANNED TREATMENT", "")


def _codings(raw: dict[str, Any]) -> Codings:
    """``[mapping]``: each key replaces the default list; unknown keys are an error (a typo would
    otherwise silently leave the default in force)."""
    if not raw:
        return Codings()
    known = Codings.__dataclass_fields__
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ValueError(_("[mapping] has unknown keys: {keys} (known: {known})").format(keys=", ".join(unknown),
                                                                                        known=", ".join(known)))
    values: dict[str, Any] = {}
    for key, val in raw.items():
        if key in ("response_codes",):
            values[key] = tuple((str(k).upper(), str(v).upper()) for k, v in dict(val).items())
        elif key == "severity_as_grade":
            values[key] = tuple((str(k).upper(), int(v)) for k, v in dict(val).items())
        elif key == "tte_params":
            values[key] = tuple((str(k).upper(), _upper_tuple(v)) for k, v in dict(val).items())
        elif key == "date_sources":
            values[key] = tuple((str(t).lower(), str(c).upper(), _upper_tuple(src))
                                for t, cols in dict(val).items() for c, src in dict(cols).items())
        else:
            values[key] = _upper_tuple(val)
    return Codings(**values)


@dataclass(frozen=True)
class DataSettings:
    date_format: str = "ISO"
    missing_values: tuple[str, ...] = ("", "NA", "N/A", "ND", ".")
    partial_date_imputation: str = "none"
    encoding: str = "auto"
    filters: tuple[str, ...] = ("SITEID",)
    cuts_dir: str = "data/demo"
    max_file_mb: float = 200.0  # a larger table file is refused before it is read
    max_cut_mb: float = 500.0  # all files of a cut (or of an upload) together
    codings: Codings = field(default_factory=Codings)
    #: The study's local time zone (IANA name): a date stored as a time-zone-aware timestamp (Parquet from
    #: R's POSIXct, a UTC export) is read as the date it is there, never shifted a day by UTC. "": each
    #: timestamp's own wall-clock date.
    timezone: str = ""
    #: Budgets before a file becomes a table (components/data/budget.py): a larger table is a finding.
    max_rows: int = 1_000_000
    max_cells: int = 50_000_000
    max_unpacked_mb: float = 1_000.0  # a Parquet file's row groups, unpacked
    #: A workbook costs ~100 bytes a cell once read (openpyxl): tighter limits for Excel.
    max_excel_cells: int = 5_000_000
    max_excel_unpacked_mb: float = 200.0  # the workbook's parts (sheets, shared strings), unpacked
    #: The reader process's limits: a file that escapes the budgets stops there, not the server.
    reader_memory_mb: float = 3_000.0
    reader_seconds: float = 120.0


@dataclass(frozen=True)
class StudyConfig:
    id: str
    short_title: str
    title: str
    phase: str
    design_text: str
    population: str
    lead_site: str
    principal_investigator: str
    status: str
    arms: tuple[str, ...]
    regimen: tuple[Drug, ...]
    endpoints: dict[str, tuple[str, ...]]
    design: Design | None  # None: the study has no single-arm response design (or is not known)
    response: ResponseRules
    survival: SurvivalSettings
    safety: SafetySettings
    enrollment: EnrollmentSettings
    biomarkers: BiomarkerSettings
    data: DataSettings
    sites: tuple[Site, ...]
    path: Path = field(default=DEFAULT_CONFIG)
    eligibility: EligibilitySettings = field(default_factory=EligibilitySettings)
    #: Randomized studies: the control arm (HRs and differences are against it; default the last arm
    #: listed when there are two or more), the stratification factors (ADSL columns), the arm column
    #: for efficacy (planned, TRT01P) and for safety (actual, TRT01A), the efficacy population flag.
    reference_arm: str | None = None
    strata: tuple[str, ...] = ()
    strata_labels: dict[str, str] = field(default_factory=dict)
    efficacy_arm: str = "TRT01P"
    safety_arm: str = "TRT01A"
    efficacy_population: str = "ITTFL"
    two_arm: TwoArmDesign | None = None
    #: What every slide and report page is stamped with for the session's role ("BLINDED", "CLOSED
    #: SESSION — IDMC"; components/data/roles.py); never read from the file.
    stamp: str = ""
    #: The session's role as the access settings write it ("steering", "site:01"; "" open), for the code
    #: that reproduces a result under it (components/analyses/base.py); never read from the file.
    role: str = ""
    #: True when the data cut is another study's than this config's: only the data's own facts and
    #: the config's conventions apply (see :mod:`components.data.study_match`).
    generic: bool = False
    #: ``[display] language``: the language the app opens in ("en" or "zh"; the sidebar and ``?lang=``
    #: change it per session).
    language: str = "en"
    #: Unknown keys and wrong types in the config file (each names the file, section and key); shown on
    #: every page.
    problems: tuple[str, ...] = ()

    @property
    def single_arm(self) -> bool:
        return len(self.arms) <= 1

    def site_name(self, site_id: str) -> str:
        for site in self.sites:
            if site.id == str(site_id):
                return site.name
        return _("Site {id}").format(id=site_id)

    def drug(self, name: str) -> Drug | None:
        for d in self.regimen:
            if d.drug.lower() == str(name).lower():
                return d
        return None

    @property
    def cuts_dir(self) -> Path:
        path = Path(self.data.cuts_dir)
        return path if path.is_absolute() else PROJECT_ROOT / path


def _drug(raw: dict[str, Any]) -> Drug:
    return Drug(
        drug=raw["drug"],
        dose=float(raw["dose"]),
        unit=raw.get("unit", ""),
        route=raw.get("route", ""),
        schedule=raw.get("schedule", ""),
        dose_levels=tuple(float(x) for x in raw.get("dose_levels", [])),
        daily=bool(raw.get("daily", False)),
        escalation=tuple((int(s["from_day"]), float(s["dose"])) for s in raw.get("escalation", [])),
        cycle_days=raw.get("cycle_days"),
        cycle_dose_days=tuple(raw.get("cycle_dose_days", [])),
        dose_days=tuple(raw.get("dose_days", [])),
        repeat_every_days=raw.get("repeat_every_days"),
    )


def parse_config(raw: dict[str, Any], path: Path = DEFAULT_CONFIG) -> StudyConfig:
    """Build a :class:`StudyConfig` from the parsed TOML mapping (missing sections take defaults; unknown
    keys and wrong types are listed in ``problems``, :mod:`components.data.config_check`)."""
    from components.data.config_check import check_config

    study = raw["study"]
    design = raw.get("design")
    two_arm = None
    if design is not None and str(design.get("type", "single-arm")).lower() in ("two-arm", "randomized"):
        two_arm, design = _two_arm(design), None
    rand = raw.get("randomization", {})
    arms = tuple(study.get("arms", []))
    resp = raw.get("response", {})
    surv = raw.get("survival", {})
    enr = raw.get("enrollment", {})
    data = raw.get("data", {})
    return StudyConfig(
        id=study["id"],
        short_title=study.get("short_title", study["id"]),
        title=study.get("title", ""),
        phase=str(study.get("phase", "")),
        design_text=study.get("design", ""),
        population=study.get("population", ""),
        lead_site=study.get("lead_site", ""),
        principal_investigator=study.get("principal_investigator", ""),
        status=study.get("status", ""),
        arms=tuple(study.get("arms", [])),
        regimen=tuple(_drug(d) for d in raw.get("regimen", [])),
        endpoints={k: tuple(v) for k, v in raw.get("endpoints", {}).items()},
        design=None if design is None else Design(
            test=design.get("test", ""),
            p0=float(design["p0"]),
            p1=float(design["p1"]),
            alpha=float(design["alpha"]),
            sides=int(design.get("sides", 2)),
            power=float(design["power"]),
            dropout=float(design.get("dropout", 0.0)),
            n_evaluable=int(design["n_evaluable"]),
            n_enrolled=int(design["n_enrolled"]),
            rationale=design.get("rationale", ""),
            method=_test_method(design),
        ),
        response=ResponseRules(
            **{k: v for k, v in resp.items() if k in ResponseRules.__dataclass_fields__}
        ),
        survival=SurvivalSettings(
            landmark_months=tuple(float(x) for x in surv.get("landmark_months", (6, 12))),
            tick_months=float(surv.get("tick_months", 3)),
            conf_type=surv.get("conf_type", "log-log"),
            days_per_month=float(surv.get("days_per_month", 30.4375)),
            small_group_n=int(surv.get("small_group_n", 10)),
        ),
        safety=SafetySettings(
            **{k: v for k, v in raw.get("safety", {}).items() if k in SafetySettings.__dataclass_fields__}
        ),
        enrollment=EnrollmentSettings(
            first_patient_planned=_date(enr.get("first_patient_planned")),
            last_patient_planned=_date(enr.get("last_patient_planned")),
            projection_window_days=int(enr.get("projection_window_days", 120)),
            site_idle_weeks=int(enr.get("site_idle_weeks", 8)),
            target_label=enr.get("target_label", "Target enrolled"),
        ),
        eligibility=_eligibility(raw.get("eligibility", {})),
        biomarkers=BiomarkerSettings(
            **{
                k: v
                for k, v in raw.get("biomarkers", {}).items()
                if k in BiomarkerSettings.__dataclass_fields__
            }
        ),
        data=DataSettings(
            date_format=data.get("date_format", "ISO"),
            missing_values=tuple(data.get("missing_values", DataSettings.missing_values)),
            partial_date_imputation=data.get("partial_date_imputation", "none"),
            encoding=data.get("encoding", "auto"),
            filters=tuple(data.get("filters", ("SITEID",))),
            cuts_dir=data.get("cuts_dir", "data/demo"),
            max_file_mb=float(data.get("max_file_mb", DataSettings.max_file_mb)),
            max_cut_mb=float(data.get("max_cut_mb", DataSettings.max_cut_mb)),
            codings=_codings(raw.get("mapping", {})),
            timezone=str(data.get("timezone", "")),
            **{k: type(getattr(DataSettings, k))(data[k]) for k in ("max_rows", "max_cells", "max_unpacked_mb",
                                                                     "max_excel_cells", "max_excel_unpacked_mb",
                                                                     "reader_memory_mb", "reader_seconds") if k in data},
        ),
        sites=tuple(
            Site(
                id=str(s["id"]),
                name=s.get("name", f"Site {s['id']}"),
                city=s.get("city", ""),
                planned_activation=_date(s.get("planned_activation")),
                activated=_date(s.get("activated")),
            )
            for s in raw.get("sites", [])
        ),
        path=path,
        reference_arm=study.get("reference_arm") or (arms[-1] if len(arms) > 1 else None),
        strata=tuple(rand.get("strata", ())),
        strata_labels={str(k): str(v) for k, v in rand.get("strata_labels", {}).items()},
        efficacy_arm=rand.get("efficacy_arm", "TRT01P"),
        safety_arm=rand.get("safety_arm", "TRT01A"),
        efficacy_population=rand.get("efficacy_population", "ITTFL"),
        two_arm=two_arm,
        language=str(raw.get("display", {}).get("language", "en")),
        problems=check_config(raw, path),
    )


def config_path() -> Path:
    """The config file in force: ``TRIAL_STUDY_CONFIG`` if set, else ``data/study.toml``."""
    env = os.environ.get("TRIAL_STUDY_CONFIG")
    return Path(env) if env else DEFAULT_CONFIG


@lru_cache(maxsize=8)
def _load(path: Path, mtime: float) -> StudyConfig:
    with open(path, "rb") as fh:
        return parse_config(tomllib.load(fh), path)


def load_config(path: str | Path | None = None) -> StudyConfig:
    """Read and parse the study config (cached per file and modification time)."""
    p = Path(path) if path else config_path()
    return _load(p.resolve(), p.stat().st_mtime)
