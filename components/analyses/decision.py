"""The primary endpoint against the protocol's decision rule, and the ORR of a population: the
numbers the Response, Design and Since-last-cut pages and the deck share."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components.data.config import Design
from components.i18n import _
from components.stats.design import DecisionRule, ProportionTest, decision_rule, proportion_test
from components.stats.recist import ResponseRate, response_rate

RESPONDER = ("CR", "PR")


def population_subjects(adsl: pd.DataFrame, flag: str) -> set[str]:
    """The subjects of a population flag (EFFFL, SAFFL …) = "Y"; nobody when ADSL lacks the flag."""
    if flag not in adsl:
        return set()
    return set(adsl.loc[adsl[flag] == "Y", "USUBJID"])


def evaluable_subjects(adsl: pd.DataFrame) -> set[str]:
    """The response-evaluable population: ADSL.EFFFL = "Y"."""
    return population_subjects(adsl, "EFFFL")


def rated(bor: pd.DataFrame, subjects: set[str]) -> pd.DataFrame:
    """The rows of ``bor`` a response rate counts among ``subjects``: all but the patients too early to
    assess (NOT_YET: first scan's window still open at the cut-off, :func:`components.stats.schedule.too_early`)."""
    b = bor[bor["USUBJID"].isin(subjects)]
    return b[~b["NOT_YET"]] if "NOT_YET" in b else b


def not_yet_assessed(bor: pd.DataFrame, subjects: set[str]) -> int:
    """How many of ``subjects`` are too early to assess (left out of the rates until their first scan's
    window closes)."""
    if "NOT_YET" not in bor:
        return 0
    return int(bor.loc[bor["USUBJID"].isin(subjects), "NOT_YET"].sum())


def count_responders(bor: pd.DataFrame, subjects: set[str]) -> tuple[int, int]:
    """(responders, patients): confirmed or unconfirmed CR/PR as ``bor`` holds them, among ``subjects``
    less those not yet assessed (:func:`rated`)."""
    b = rated(bor, subjects)
    return int(b["BOR"].isin(RESPONDER).sum()), int(len(b))


@dataclass(frozen=True)
class ObjectiveResponse:
    """ORR in one population: the rate with its exact CI, and the protocol's test against H0."""

    rate: ResponseRate
    test: ProportionTest | None  # None: no design, so no H0 to test against

    @property
    def k(self) -> int:
        return self.rate.k

    @property
    def n(self) -> int:
        return self.rate.n


def objective_response(bor: pd.DataFrame, subjects: set[str], design: Design | None) -> ObjectiveResponse:
    """CR + PR among ``subjects`` with its Clopper–Pearson CI and the protocol's test against p0
    (no test when the study has no design)."""
    k, n = count_responders(bor, subjects)
    if design is None:
        return ObjectiveResponse(response_rate(k, n, float("nan")), None)
    return ObjectiveResponse(response_rate(k, n, design.p0),
                             proportion_test(k, n, design.p0, design.method, design.alpha, design.sides))


@dataclass(frozen=True)
class PrimaryEndpoint:
    """The primary endpoint against the protocol's decision rule, always on the whole study.

    ``test`` is the protocol's prespecified test at the current counts, ``exact`` the exact binomial
    test beside it (a sensitivity analysis, or the primary test when the config names it)."""

    rule: DecisionRule
    responders: int
    evaluable: int
    test: ProportionTest
    exact: ProportionTest

    @property
    def still_to_come(self) -> int:
        return max(self.rule.n - self.evaluable, 0)

    @property
    def more_needed(self) -> int:
        return max(self.rule.critical - self.responders, 0)

    @property
    def rate(self) -> float:
        return self.responders / self.evaluable if self.evaluable else float("nan")

    def sentence(self) -> str:
        """The decision in words (plain text; numbers only, no data values)."""
        r = self.rule
        rule = _("At the final analysis of {n} evaluable patients, H0 (ORR ≤ {p0}) is rejected with ≥ {critical} "
                 "responders ({test}, {alpha}).").format(n=r.n, p0=f"{r.p0:.0%}", critical=r.critical, test=r.name,
                                                         alpha=r.alpha_text)
        # the second sentence whole in each case (the languages order its parts differently)
        if self.more_needed == 0:
            now = _("So far, in the whole study: {responders} responders among {evaluable} response-evaluable "
                    "patients — the threshold is already reached.")
        elif self.still_to_come:
            now = (_("So far, in the whole study: {responders} responders among {evaluable} response-evaluable "
                     "patients — {more} more responder needed among the {to_come} evaluable patients still to come "
                     "and those without a confirmed response yet.") if self.more_needed == 1 else
                   _("So far, in the whole study: {responders} responders among {evaluable} response-evaluable "
                     "patients — {more} more responders needed among the {to_come} evaluable patients still to come "
                     "and those without a confirmed response yet."))
        else:
            now = (_("So far, in the whole study: {responders} responders among {evaluable} response-evaluable "
                     "patients — {more} more responder needed among patients without a confirmed response yet.")
                   if self.more_needed == 1 else
                   _("So far, in the whole study: {responders} responders among {evaluable} response-evaluable "
                     "patients — {more} more responders needed among patients without a confirmed response yet."))
        return _("{rule} {now}").format(rule=rule, now=now.format(responders=self.responders, evaluable=self.evaluable, more=self.more_needed,
                                                                to_come=self.still_to_come))

    def table(self) -> pd.DataFrame:
        """The decision as a two-column table (for the deck and the report)."""
        r, t, e = self.rule, self.test, self.exact
        now = "—" if not t.n else f"{t.k}/{t.n} = {t.k / t.n:.1%}"
        stat = f"z = {t.statistic:.2f}, " if t.method == "normal" and t.n else ""
        rows = [
            (_("Protocol's test"), _("{test}, {alpha}; H0 ORR ≤ {p0}, H1 {p1}").format(
                test=r.name, alpha=r.alpha_text, p0=f"{r.p0:.0%}", p1=f"{r.p1:.0%}")),
            (_("Decision rule (final analysis)"), _("reject H0 with ≥ {critical} responders of {n} evaluable").format(
                critical=r.critical, n=r.n)),
            (_("Now, whole study"), (_("{now} response-evaluable; {more} more responder(s) needed") if self.more_needed
                                     else _("{now} response-evaluable; threshold reached")).format(
                now=now, more=self.more_needed)),
            (_("Protocol's test now"), "—" if not t.n else f"{stat}{t.p_text}: {t.verdict}"),
            (_("Sensitivity: exact binomial test"), "—" if not e.n else
             _("≥ {critical} of {n} needed; now {p}: {verdict}").format(critical=r.exact_critical, n=r.n, p=e.p_text,
                                                                       verdict=e.verdict)),
        ]
        return pd.DataFrame(rows, columns=["Item", "Value"])

    def sensitivity_sentence(self) -> str:
        """The other rule, with the real size of the protocol's rule on the binomial distribution."""
        r = self.rule
        if r.method == "exact":
            return _("The exact binomial test is the protocol's test here (one-sided α = {alpha}; actual size "
                     "{size}, power at H1 {power}).").format(alpha=f"{r.alpha / r.sides:g}", size=f"{r.actual_alpha:.1%}",
                                                            power=f"{r.actual_power:.0%}")
        return _("Sensitivity analysis — exact binomial test at one-sided α = {alpha}: at {n} evaluable patients it "
                 "needs ≥ {exact_critical} responders; now {p}, {verdict}. Evaluated on the binomial distribution, the "
                 "protocol's rule (≥ {critical} of {n}) has a one-sided type I error of {size} (nominal {nominal}) and "
                 "power {power} at H1 {p1}.").format(
            alpha=f"{r.alpha / r.sides:g}", n=r.n, exact_critical=r.exact_critical, p=self.exact.p_text,
            verdict=self.exact.verdict, critical=r.critical, size=f"{r.actual_alpha:.1%}",
            nominal=f"{r.alpha / r.sides:.1%}", power=f"{r.actual_power:.0%}", p1=f"{r.p1:.0%}")


def primary_endpoint(adsl: pd.DataFrame, bor: pd.DataFrame, design: Design | None) -> PrimaryEndpoint | None:
    """The protocol's decision on the whole study's response-evaluable patients: pass the unfiltered
    ADSL and BOR (a filtered subgroup never decides the study). None without a design."""
    if design is None:
        return None
    rule = decision_rule(design.n_evaluable, design.p0, design.p1, design.method, design.alpha, design.sides)
    k, n = count_responders(bor, evaluable_subjects(adsl))
    test = proportion_test(k, n, design.p0, design.method, design.alpha, design.sides)
    exact = proportion_test(k, n, design.p0, "exact", design.alpha, design.sides)
    return PrimaryEndpoint(rule, k, n, test, exact)

