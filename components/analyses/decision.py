"""The primary endpoint against the protocol's decision rule, and the ORR of a population: the
numbers the Response, Design and Since-last-cut pages and the deck share."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components.data.config import Design
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


def count_responders(bor: pd.DataFrame, subjects: set[str]) -> tuple[int, int]:
    """(responders, patients): confirmed or unconfirmed CR/PR as ``bor`` holds them, among ``subjects``."""
    b = bor[bor["USUBJID"].isin(subjects)]
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
        head = (f"At the final analysis of {r.n} evaluable patients, H0 (ORR ≤ {r.p0:.0%}) is rejected with "
                f"≥ {r.critical} responders ({r.name}, {r.alpha_text}). So far, in the whole study: {self.responders} responders among {self.evaluable} response-evaluable "
                "patients — ")
        if self.more_needed == 0:
            return head + "the threshold is already reached."
        tail = (f"{self.more_needed} more responder{'s' if self.more_needed > 1 else ''} needed"
                + (f" among the {self.still_to_come} evaluable patients still to come and those without a confirmed "
                   "response yet." if self.still_to_come else " among patients without a confirmed response yet."))
        return head + tail

    def table(self) -> pd.DataFrame:
        """The decision as a two-column table (for the deck and the report)."""
        r, t, e = self.rule, self.test, self.exact
        now = "—" if not t.n else f"{t.k}/{t.n} = {t.k / t.n:.1%}"
        stat = f"z = {t.statistic:.2f}, " if t.method == "normal" and t.n else ""
        rows = [
            ("Protocol's test", f"{r.name}, {r.alpha_text}; H0 ORR ≤ {r.p0:.0%}, H1 {r.p1:.0%}"),
            ("Decision rule (final analysis)", f"reject H0 with ≥ {r.critical} responders of {r.n} evaluable"),
            ("Now, whole study", f"{now} response-evaluable; {self.more_needed} more responder(s) needed"
             if self.more_needed else f"{now} response-evaluable; threshold reached"),
            ("Protocol's test now", "—" if not t.n else f"{stat}{t.p_text}: {t.verdict}"),
            ("Sensitivity: exact binomial test", "—" if not e.n else
             f"≥ {r.exact_critical} of {r.n} needed; now {e.p_text}: {e.verdict}"),
        ]
        return pd.DataFrame(rows, columns=["Item", "Value"])

    def sensitivity_sentence(self) -> str:
        """The other rule, with the real size of the protocol's rule on the binomial distribution."""
        r = self.rule
        if r.method == "exact":
            return (f"The exact binomial test is the protocol's test here (one-sided α = {r.alpha / r.sides:g}; actual "
                    f"size {r.actual_alpha:.1%}, power at H1 {r.actual_power:.0%}).")
        return (f"Sensitivity analysis — exact binomial test at one-sided α = {r.alpha / r.sides:g}: at {r.n} evaluable "
                f"patients it needs ≥ {r.exact_critical} responders; now {self.exact.p_text}, "
                f"{self.exact.verdict}. Evaluated on the binomial distribution, the protocol's rule "
                f"(≥ {r.critical} of {r.n}) has a one-sided type I error of {r.actual_alpha:.1%} (nominal "
                f"{r.alpha / r.sides:.1%}) and power {r.actual_power:.0%} at H1 {r.p1:.0%}.")


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


def interim_counts(adsl: pd.DataFrame, bor: pd.DataFrame) -> tuple[int, int]:
    """(responders, assessed): CR/PR among response-evaluable patients with at least one tumour
    assessment so far — the data an interim look has (the Response page's denominator is every
    response-evaluable patient, assessed or not)."""
    b = bor[bor["USUBJID"].isin(evaluable_subjects(adsl))]
    return int(b["BOR"].isin(RESPONDER).sum()), int((b["N_ASSESS"] > 0).sum())
