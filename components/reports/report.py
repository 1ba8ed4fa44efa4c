"""The standard figures and tables of a data cut, for the slide deck and the HTML report: the same
analyses as the pages (components.analyses), in their default views, so a slide and its page show
the same numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.analyses.base import Filters, Options, Result, new_subjects, view
from components.analyses.changes import NEW_COUNTS, cut_comparison
from components.analyses.enrollment import AccrualOptions, accrual, flow
from components.analyses.overview import study_status
from components.analyses.quality import QualityOptions, data_quality
from components.analyses.response import (
    ArmsOptions,
    ResponseOptions,
    WaterfallOptions,
    response_by_arm,
    response_overview,
    waterfall,
    wide_headers,
)
from components.analyses.safety import ButterflyOptions, ae_butterfly, ae_overview, ae_overview_by_arm, arm_headers
from components.analyses.survival import SurvivalOptions, cut_endpoints, default_view, kaplan_meier_endpoint
from components.analyses.swimmer import SwimmerOptions, swimmer
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.i18n import _, n_

SWIMMER_MAX = 60  # patients on the swimmer slide (longest on treatment)


@dataclass(frozen=True)
class ReportItem:
    key: str
    title: str
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None
    note: str = ""
    result: Result | None = None  # the analysis it shows (numbers, and the call that made it)
    translate: tuple[str, ...] = ()  # columns of ``table`` whose cells are labels the app wrote (shown translated)


def build_report(cut: DataCut, config: StudyConfig, compare: DataCut | None = None, presentation: bool = True,
                 filters: Filters = ()) -> list[ReportItem]:
    """Enrollment, flow, the primary endpoint's decision, response table and waterfall, swimmer, KM for
    PFS and OS, safety overview and butterfly and, with a comparison cut, the since-last-cut
    highlights. ``cut`` is the whole cut; ``filters`` select the subjects shown (the decision is always
    taken on the whole study)."""
    base = {"filters": filters, "presentation": presentation}
    items: list[ReportItem] = []
    new = new_subjects(cut, compare, filters)
    label = _("new since {date}").format(date=compare.cutoff_text) if compare is not None and new else ""

    adsl = view(cut, Options(filters=filters)).tables["adsl"] if cut.has("adsl") else pd.DataFrame()
    survival_population, arms = default_view(config, adsl) if cut.has("adsl") else ("SAFFL", None)
    acc = accrual(cut, config, AccrualOptions(**base))
    items.append(ReportItem("enrollment", enrollment_headline(acc), acc.figure, note=acc.notes[0], result=acc))
    fl = flow(cut, config, Options(**base))
    items.append(ReportItem("flow", _("CONSORT flow"), fl.figure, result=fl))
    if cut.has("adrs"):
        ro = response_overview(cut, config, ResponseOptions(**base))
        pe = ro.detail.decision
        if pe is not None:
            items.append(ReportItem("primary", primary_headline(pe, config),
                                    table=pe.table(), note=_("Whole study, whatever filters are on.") if filters else "",
                                    result=ro, translate=("Item",)))
        orr = ro.detail.orr
        confirmed = ro.detail.confirmed
        ba = (response_by_arm(cut, config, ArmsOptions(**base, population=survival_population))
              if arms else None)
        if ba is not None and "arms" in ba.tables:
            title = (_("Best overall response by arm (RECIST 1.1, confirmed)") if confirmed
                     else _("Best overall response by arm (RECIST 1.1, unconfirmed)"))
            items.append(ReportItem("response_table", title, table=ba.tables["bor_by_arm"], note=ba.notes[-1], result=ba,
                                    translate=("Best overall response",)))
            items.append(ReportItem("response_by_arm", arms_headline(ba, config) or _("Objective response by arm"),
                                    table=ba.tables["arms"],
                                    note=ba.notes[0], result=ba))
        else:
            # one row per category, n (%) and CI per population; headers and categories in the run's language
            show = wide_headers(ro.tables["summary_display"])
            title = (_("Best overall response (RECIST 1.1, confirmed)") if confirmed
                     else _("Best overall response (RECIST 1.1, unconfirmed)"))
            note = (_("ORR (response-evaluable): {rate}").format(rate=orr.rate.text())
                    + (f"; {orr.test.name}: {orr.test.p_text}" if orr.test is not None else ""))
            if ro.detail.comparison_sentence():  # the sponsor's and the app's best responses differ: said here too
                note += ". " + ro.detail.comparison_sentence()
            items.append(ReportItem("response_table", title, table=show, note=note, result=ro))
        wf = waterfall(cut, config, WaterfallOptions(**base, highlight=new, highlight_label=label))
        items.append(ReportItem("waterfall", waterfall_headline(wf) if not arms else
                                _("Best change from baseline in target lesions, by arm"), wf.figure, result=wf))
    sw = swimmer(cut, config, SwimmerOptions(**base, page_size=SWIMMER_MAX, highlight=new, highlight_label=label))
    if sw.figure is not None:
        treated = sw.numbers.get("Treated patients", 0) or 0
        title = (_("Swimmer: the {k} patients longest on treatment, of {n} treated").format(k=SWIMMER_MAX, n=treated)
                 if treated > SWIMMER_MAX else
                 _("Swimmer: {on} of {n} treated patients still on treatment").format(
                     on=sw.numbers.get("On treatment at the cut", "—"), n=treated))
        items.append(ReportItem("swimmer", title, sw.figure, result=sw))
    for info in cut_endpoints(cut):  # the sponsor's every ADTTE parameter, and PFS/OS where derived (DoR: page only)
        ep = info.code
        if ep == "DOR":
            continue
        km = kaplan_meier_endpoint(cut, config, SurvivalOptions(**base, endpoint=ep, population=survival_population,
                                                                group_by=arms))
        if km.figure is not None:
            name = info.label
            items.append(ReportItem(ep.lower(), survival_headline(name, km), km.figure, result=km))
            if "stratified" in km.tables:
                primary = config.two_arm is not None and config.two_arm.endpoint == ep
                title = (_("Primary endpoint: {endpoint}, stratified comparison") if primary
                         else _("{endpoint}, stratified comparison")).format(endpoint=name)
                items.append(ReportItem(f"{ep.lower()}_comparison", title, table=km.tables["stratified"], result=km,
                                        note=_("Stratified by the randomization factors of the study config."),
                                        translate=("Analysis",)))
    if cut.has("adae"):
        ov = ae_overview(cut, config, Options(**base))
        by_arm = ae_overview_by_arm(cut, config, Options(**base)) if arms else None
        if by_arm is not None and "by_arm" in by_arm.tables:
            items.append(ReportItem("safety", safety_by_arm_headline(by_arm) or _("Adverse events overview by arm"),
                                    table=arm_headers(by_arm.tables["by_arm"]),
                                    note=by_arm.notes[0], result=by_arm, translate=("Category",)))
        else:
            items.append(ReportItem("safety", safety_headline(ov), table=ov.tables["overview"][["Category", "n (%)"]],
                                    result=ov,
                                    translate=("Category",)))
        bf = ae_butterfly(cut, config, ButterflyOptions(**base, top=12))
        items.append(ReportItem("ae_butterfly", _("Most frequent adverse events"), bf.figure, result=bf))
    for part in (since_last_cut_item, since_last_cut_by_arm):
        summary = part(cut, config, compare, filters)
        if summary is not None:
            items.append(summary)
    return [executive_summary(items, cut, config, filters), *items]


# --------------------------------------------------------------------------- titles that state the result


def _pct(v: float) -> str:
    return f"{v:.0%}"


def enrollment_headline(acc: Result) -> str:
    """"Enrollment: 28 of 35, 5 ahead of plan" (the plan where the config has one)."""
    n = acc.numbers
    enrolled = n.get("Enrolled", n.get("Treated"))
    if n.get("Target") is None:
        return _("Enrollment: {n} patients").format(n=enrolled)
    plan = n.get("Planned by the cut-off")
    if plan is None:
        return _("Enrollment: {n} of {target}").format(n=enrolled, target=n["Target"])
    diff = int(enrolled) - int(plan)
    ahead = (_("{n} ahead of plan") if diff > 0 else _("{n} behind plan") if diff < 0 else _("on plan")).format(n=abs(diff))
    return _("Enrollment: {n} of {target}, {ahead}").format(n=enrolled, target=n["Target"], ahead=ahead)


def primary_headline(pe, config: StudyConfig) -> str:
    """"ORR 33% (6/18) so far (H0 21%, H1 43%); 5 more responders needed (≥ 11 of 31)" — the protocol's
    hypotheses and decision rule, whole study; no verdict before the final analysis (H1 is the rate the
    study is powered for, not the bar for success: the rule is)."""
    d = config.design
    if not pe.evaluable:
        return _("Primary endpoint: no response-evaluable patient yet")
    where = _("H0 {p0}, H1 {p1}").format(p0=_pct(d.p0), p1=_pct(d.p1))
    rule = pe.rule
    need = (n_("{n} more responder needed (≥ {k} of {total})", "{n} more responders needed (≥ {k} of {total})",
               pe.more_needed) if pe.more_needed else _("the threshold of ≥ {k} of {total} is reached")).format(
        n=pe.more_needed, k=rule.critical, total=rule.n)
    return _("ORR {rate} ({k}/{n}) so far ({where}); {need}").format(rate=_pct(pe.rate), k=pe.responders,
                                                                    n=pe.evaluable, where=where, need=need)


def arms_headline(ba: Result, config: StudyConfig) -> str:
    """"ORR 31% vs 13%: NER-FUL-ERI against Eribulin" for two arms; "" when it cannot say it in a line."""
    orr = ba.tables["arms"].set_index("Arm")["ORR (%)"].to_dict()
    ref = config.reference_arm
    others = [a for a in orr if a != ref]
    if ref not in orr or len(others) != 1 or orr[ref] is None or orr[others[0]] is None:
        return ""
    return _("ORR {a} vs {b}: {arm} against {ref}").format(a=f"{orr[others[0]]:.0f}%", b=f"{orr[ref]:.0f}%",
                                                           arm=others[0], ref=ref)


def waterfall_headline(wf: Result) -> str:
    """"Target lesions shrank by 30% or more in 9 of 21 patients" (RECIST 1.1's partial-response threshold)."""
    bars = wf.tables.get("bars")
    if bars is None or not len(bars):
        return _("Waterfall")
    k = int((bars["BEST_PCHG"] <= -30).sum())
    return _("Target lesions shrank by 30% or more in {k} of {n} patients").format(k=k, n=len(bars))


def _events(n: int) -> str:
    return n_("{n} event", "{n} events", int(n)).format(n=n)


def survival_headline(name: str, km: Result) -> str:
    """"Progression-free survival: median 4.3 months (95% CI 1.5–NR), 10 events in 27", or with arms the
    stratified HR."""
    n = km.numbers
    strat = getattr(km.detail, "stratified", None)
    groups = km.tables.get("numbers")
    if strat is not None and strat.cox.estimable and groups is not None and len(groups) == 2:
        # "HR 0.53 (95% CI 0.39–0.71) favouring NER-FUL-ERI; median 5.7 vs 3.0 months; 182 events"
        cox = strat.cox
        arms = [str(g).rsplit(" (N=", 1)[0] for g in groups["Group"]]
        better = arms[0] if cox.hr < 1 else arms[1]  # the experimental arm is listed first, the reference last
        medians = ["NR" if m != m else f"{m:.1f}" for m in pd.to_numeric(groups["Median (months)"], errors="coerce")]
        side = (_("favouring {arm}").format(arm=better) if cox.upper < 1 or cox.lower > 1 else
                _("CI includes 1"))
        return _("{endpoint}: stratified HR {hr}, {side}; median {a} vs {b} months; {events}").format(
            endpoint=name, hr=cox.text(), side=side, a=medians[0], b=medians[1], events=_events(n["Events"]))
    if n.get("Stratified HR") is not None:
        return _("{endpoint}: stratified HR {hr}, {events}").format(endpoint=name, hr=f"{n['Stratified HR']:.2f}",
                                                                  events=_events(n["Events"]))
    median = str(n.get("Median, months (95% CI)", "—"))
    if median.startswith("NR"):
        return _("{endpoint}: median not reached, {events} in {n}; immature").format(
            endpoint=name, events=_events(n["Events"]), n=n["Patients"])
    value, _sep, ci = median.partition(" (")
    return _("{endpoint}: median {median} months (95% CI {ci}), {events} in {n}").format(
        endpoint=name, median=value, ci=ci.rstrip(")"), events=_events(n["Events"]), n=n["Patients"])


def _count(text: object) -> tuple[str, str]:
    """"14 (51.9%)" → ("14", "52%")."""
    m = re.match(r"\s*(\d+)\s*\(([\d.]+)%\)", str(text))
    return (m.group(1), f"{float(m.group(2)):.0f}%") if m else (str(text), "")


def safety_headline(ov: Result) -> str:
    """"Grade ≥3 adverse events in 14 of 27 patients (52%); none fatal"."""
    rows = ov.tables["overview"].set_index("Category")  # the counts themselves, not their "14 (51.9%)" text
    if "Grade ≥3 TEAE" not in rows.index:
        return ov.title
    grade3 = rows.loc["Grade ≥3 TEAE"]
    fatal = int(rows.loc["Fatal TEAE (grade 5)", "Patients"]) if "Fatal TEAE (grade 5)" in rows.index else None
    tail = "" if fatal is None else _("; none fatal") if fatal == 0 else _("; {n} fatal").format(n=fatal)
    return _("Grade ≥3 adverse events in {k} of {total} patients ({pct}){tail}").format(
        k=int(grade3["Patients"]), total=ov.numbers.get("Safety population"), pct=f"{grade3['%']:.0f}%", tail=tail)


def safety_by_arm_headline(by_arm: Result) -> str:
    """"Grade ≥3 adverse events: 56% vs 42% (NER-FUL-ERI against Eribulin)"; "" without the row."""
    table = by_arm.tables.get("by_arm")
    if table is None or "Category" not in table:
        return ""
    row = table[table["Category"] == "Grade ≥3 TEAE"]
    arms = [c for c in table.columns if c != "Category" and not str(c).startswith("Difference")]
    if row.empty or len(arms) != 2:
        return ""
    a, b = (_count(row.iloc[0][c])[1] for c in arms)
    return _("Grade ≥3 adverse events: {a} vs {b} ({arm} against {ref})").format(
        a=a, b=b, arm=str(arms[0]).split(" (N =")[0], ref=str(arms[1]).split(" (N =")[0])


def executive_summary(items: list[ReportItem], cut: DataCut, config: StudyConfig, filters: Filters = ()) -> ReportItem:
    """The one-page summary that opens the deck: each slide's stated result, one line each, in the deck's
    order (the result-stating titles of the items, and the since-last-cut counts)."""
    rows = []
    topics = {"enrollment": _("Enrollment"), "primary": _("Primary endpoint"), "response_by_arm": _("Response"),
              "waterfall": _("Tumour shrinkage"), "safety": _("Safety")}
    def said(topic: str, title: str) -> str:  # "Enrollment | 28 of 35", not "Enrollment | Enrollment: 28 of 35"
        return title[len(topic) + 2:] if title.startswith(topic + ": ") else title

    endpoints = {i.code.lower(): i.label for i in cut_endpoints(cut)}
    for item in items:
        if item.key == "waterfall" and item.title == _("Best change from baseline in target lesions, by arm"):
            continue  # a figure's name, not a result: the arms' rates are the response row
        if item.key in topics:
            rows.append({"Topic": topics[item.key], "Result": said(topics[item.key], item.title)})
        elif item.key in endpoints:
            primary = config.two_arm is not None and config.two_arm.endpoint.lower() == item.key
            topic = _("{endpoint} (primary endpoint)").format(endpoint=endpoints[item.key]) if primary \
                else endpoints[item.key]
            rows.append({"Topic": topic, "Result": said(endpoints[item.key], item.title)})
        elif item.key == "changes" and item.result is not None:
            n = item.result.numbers
            rows.append({"Topic": item.title, "Result": _(
                "{enrolled} enrolled, {responses} responses, {progressions} progressions, {deaths} deaths").format(
                enrolled=n.get("Newly enrolled", 0), responses=n.get("New or newly confirmed responses", 0),
                progressions=n.get("New progressions", 0), deaths=n.get("New deaths", 0))})
    if cut.has("adrs"):  # what the data say about the data: scans overdue, deviations (Enrollment › Data quality)
        q = data_quality(cut, config, QualityOptions(filters=filters)).numbers
        parts = []
        if q.get("Patients with a scan overdue") is not None:
            parts.append(n_("{n} patient with a scan overdue", "{n} patients with a scan overdue",
                            q["Patients with a scan overdue"]).format(n=q["Patients with a scan overdue"]))
        if q.get("Patients with a protocol deviation") is not None:
            parts.append(n_("{n} patient with a protocol deviation found in the data",
                            "{n} patients with a protocol deviation found in the data",
                            q["Patients with a protocol deviation"]).format(n=q["Patients with a protocol deviation"]))
        if parts:
            rows.append({"Topic": _("Data quality"), "Result": "; ".join(parts)})
    note = key_numbers_text(cut, config, filters)
    table = pd.DataFrame(rows, columns=["Topic", "Result"]).rename(columns={"Topic": _("Topic"), "Result": _("Result")})
    return ReportItem("summary", _("Summary"), table=table, note=note)


def since_last_cut_item(cut: DataCut, config: StudyConfig, compare: DataCut | None,
                        filters: Filters = ()) -> ReportItem | None:
    """The 'since last cut' summary slide: key numbers before → now and what is new."""
    if compare is None or not compare.has("adsl") or not cut.has("adsl"):
        return None
    ch = cut_comparison(cut, config, Options(filters=filters), previous=compare)
    retro = len(ch.tables["retro"])
    note = (_("{n} retroactive change(s) to records dated before {date}.").format(n=retro, date=compare.cutoff_text)
            if retro else "")
    return ReportItem("changes", _("Since the last cut ({date})").format(date=compare.cutoff_text), table=highlights(ch),
                      result=ch, note=note, translate=("",))


def since_last_cut_by_arm(cut: DataCut, config: StudyConfig, compare: DataCut | None,
                          filters: Filters = ()) -> ReportItem | None:
    """Randomized studies: the key numbers before → now for each arm."""
    if compare is None or not compare.has("adsl") or not cut.has("adsl"):
        return None
    ch = cut_comparison(cut, config, Options(filters=filters), previous=compare)
    if "metrics_by_arm" not in ch.tables:
        return None
    return ReportItem("changes_by_arm", _("Since the last cut ({date}), by arm").format(date=compare.cutoff_text),
                      table=ch.tables["metrics_by_arm"], result=ch, note=" ".join(ch.notes), translate=("Measure",))


def highlights(ch: Result) -> pd.DataFrame:
    """The since-last-cut slide: key numbers before → now, and counts of what is new."""
    rows = [{"": r.Measure, "Before": _num(r.Before), "Now": _num(r.Now), "Change": _num(r.Change, signed=True)}
            for r in ch.tables["metrics"].itertuples(index=False)]
    for label in NEW_COUNTS:
        rows.append({"": label, "Before": "", "Now": str(ch.numbers[label]), "Change": ""})
    return pd.DataFrame(rows)


def _num(v: float, signed: bool = False) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "NR" if not signed else ""
    return f"{v:+g}" if signed else f"{v:g}"


def key_numbers_text(cut: DataCut, config: StudyConfig, filters: Filters = ()) -> str:
    n = study_status(cut, config, Options(filters=filters)).numbers
    def of(k: str, target: str) -> str:
        return f"{n[k]}/{n[target]}" if n[target] is not None else f"{n[k]}"

    evaluable = of("Response-evaluable", "Target evaluable")
    if cut.has("adrs") and n["Response-evaluable"]:  # the ORR's denominator, where it is smaller
        rated = response_overview(cut, config, ResponseOptions(filters=filters)).numbers["Patients"]
        if rated < n["Response-evaluable"]:
            evaluable = _("{evaluable} ({n} past their first scan)").format(evaluable=evaluable, n=rated)
    return _("Enrolled {enrolled} · treated {treated} · on treatment {on_treatment} · response-evaluable {evaluable} · "
             "deaths {deaths}").format(enrolled=of("Enrolled", "Target enrolled"), treated=n["Treated"],
                                       on_treatment="—" if n["On treatment"] is None else n["On treatment"],
                                       evaluable=evaluable, deaths="—" if n["Deaths"] is None else n["Deaths"])
