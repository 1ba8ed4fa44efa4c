"""Who sees what: the role of the person signed in decides what the analyses receive, not only what a
page hides (issue 35). In a randomized trial the steering committee, the sponsor's study team and the
site investigators stay blind to comparative efficacy; only the independent data monitoring committee
(IDMC) and its unblinded statistician see results by arm (ICH E9 §4.5; FDA guidance on data monitoring
committees, 2006).

:func:`apply_role` turns the cut and the config a session works on into what its role may see:

- a *site investigator* gets only the patients of their site(s), in every table;
- a *blinded* role (site investigator, steering committee / study team) of a randomized study gets no
  arm: the arm columns are gone from every table and the config has one arm, so every analysis is
  pooled, every figure has one colour and no comparison is computed — there is nothing to leak to a
  page, a download or the browser;
- an *unblinded* role (IDMC; data manager / statistician where the access settings allow) sees arms,
  and its deck is stamped as for a closed session.

A single-arm study is open-label: roles then only restrict sites.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.data.vocabulary import randomized_by_data
from components.i18n import N_, _

#: Role kinds and their names on screen.
ROLES = {"open": N_("Open (no sign-in)"), "site": N_("Site investigator"), "steering": N_("Steering committee / study team"),
         "idmc": N_("IDMC (closed session)"), "statistician": N_("Data manager / statistician")}

#: ADSL columns that name or code the arm (removed for a blinded role), by exact name or prefix.
ARM_NAMES = ("TRT01P", "TRT01A", "TRT02P", "TRT02A", "ARM", "ARMCD", "ACTARM", "ACTARMCD", "TRTP", "TRTA",
             "TRTPN", "TRTAN", "TRT01PN", "TRT01AN")


@dataclass(frozen=True)
class Role:
    """A session's role: its kind and, for a site investigator, the sites it may see."""

    kind: str = "open"
    sites: tuple[str, ...] = ()
    statistician_unblinded: bool = False  # [access] unblinded_statisticians (ICH E9 §4.5: blind unless said)

    @property
    def blinded(self) -> bool:
        return self.kind in ("site", "steering") or (self.kind == "statistician" and not self.statistician_unblinded)

    @property
    def code(self) -> str:
        """The role as the access settings write it ("site:01,02", "idmc"), for the audit trail."""
        return f"{self.kind}:{','.join(self.sites)}" if self.sites else self.kind

    @property
    def audit_code(self) -> str:
        """The code as the audit trail keeps it: a statistician who sees arms is "statistician+unblinded",
        so a change of ``unblinded_statisticians`` is a change of role there too."""
        return self.code + ("+unblinded" if self.kind == "statistician" and not self.blinded else "")

    @property
    def label(self) -> str:
        name = _(ROLES.get(self.kind, self.kind))
        return f"{name}: {', '.join(self.sites)}" if self.sites else name


def parse_role(text: object, statistician_unblinded: bool = False) -> Role | None:
    """A role as the access settings write it: "steering", "idmc", "statistician", or "site:01,02" (a
    site investigator of sites 01 and 02). None for anything else (a misspelt role signs nobody in)."""
    if not isinstance(text, str):
        return None
    kind, _sep, rest = text.strip().partition(":")
    kind = kind.strip().lower()
    if kind not in ROLES or kind == "open":
        return None
    sites = tuple(s.strip() for s in rest.split(",") if s.strip())
    if kind == "site" and not sites:
        return None
    return Role(kind, sites if kind == "site" else (), statistician_unblinded)


def stamp(role: Role, randomized: bool) -> str:
    """What every slide and report page says about who may see it: "BLINDED" for a blinded role of a
    randomized study, "CLOSED SESSION — IDMC" for an unblinded one; "" for an open-label study or the
    open (laptop) mode."""
    if not randomized or role.kind == "open":
        return ""
    return N_("BLINDED") if role.blinded else N_("CLOSED SESSION — IDMC")


def apply_role(cut: DataCut, config: StudyConfig, role: Role) -> tuple[DataCut, StudyConfig]:
    """The cut and config a session of ``role`` works on (module docstring)."""
    tables = dict(cut.tables)
    adsl = tables.get("adsl")
    # randomized by the config, or by the data (a config naming one arm for a cut with two is no licence)
    randomized = not config.single_arm or randomized_by_data(adsl)
    changed = False
    issues = cut.issues
    if role.kind == "site":
        keep = (set(adsl.loc[adsl["SITEID"].astype(str).isin(role.sites), "USUBJID"])
                if adsl is not None and "SITEID" in adsl else set())  # no site column: nobody, never everybody
        out = {}
        for name, df in tables.items():
            if "SITEID" in df:  # a screening log without USUBJID still has its sites
                out[name] = df[df["SITEID"].astype(str).isin(role.sites)].reset_index(drop=True)
            elif "USUBJID" in df:
                out[name] = df[df["USUBJID"].isin(keep)].reset_index(drop=True)
            # a table with neither cannot be told apart by site: not given
        tables = out
        # the loader's findings about other sites' patients are theirs, not this investigator's
        issues = tuple(f for f in issues if (f.subjects and set(f.subjects) <= keep)
                       or (not f.subjects and not f.values))
        changed = True
    if role.blinded and randomized:
        tables = _common_drugs_only(tables)
        arm_like = {str(c).upper() for c in (config.efficacy_arm, config.safety_arm, *config.data.codings.arm_columns)}
        tables = {name: df.drop(columns=[c for c in df.columns if is_arm_column(c) or str(c).upper() in arm_like])
                  for name, df in tables.items()}
        config = replace(config, arms=(), reference_arm=None, strata=(), strata_labels={})
        changed = True
    config = replace(config, stamp=stamp(role, randomized), role="" if role.kind == "open" else role.code)
    if not changed:
        return cut, config
    for name, df in tables.items():  # the loader's notes of absent columns stay with their tables
        df.attrs = dict(cut.tables[name].attrs)
    return replace(cut.with_tables(tables), issues=issues, name=f"{cut.name}|{role.kind}:{','.join(role.sites)}"), config


def _common_drugs_only(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Exposure records of the drugs every arm receives — given to at least 80% of the exposed patients
    of each arm (a crossover or a dosing error does not make a drug common): in an open-label comparator
    trial a drug of one arm names each patient's arm on the swimmer and the profile, beside their
    responses. A column of any other table naming a dropped drug (ADAE's AEACNDRG, the drug an action
    was taken on) goes too."""
    adsl, adex = tables.get("adsl"), tables.get("adex")
    arm = next((c for c in ("TRT01P", "ARM", "TRT01A") if adsl is not None and c in adsl), None)
    if adex is None or arm is None or "EXTRT" not in adex or "USUBJID" not in adex:
        return tables
    arms = adex["USUBJID"].map(adsl.set_index("USUBJID")[arm])
    exposed = adex.assign(_ARM=arms).dropna(subset=["_ARM"])
    per_arm = exposed.groupby("_ARM")["USUBJID"].nunique()
    share = exposed.groupby(["EXTRT", "_ARM"])["USUBJID"].nunique().unstack(fill_value=0).div(per_arm, axis=1)
    share = share.reindex(columns=per_arm.index, fill_value=0)
    common = set(share.index[(share >= 0.8).all(axis=1)])
    dropped = {str(d).strip().upper() for d in set(adex["EXTRT"].dropna()) - common}
    out = {**tables, "adex": adex[adex["EXTRT"].isin(common)].reset_index(drop=True)}
    if dropped:
        for name, df in out.items():
            if name == "adex":
                continue
            names_drug = [c for c in df.columns if df[c].dtype == object
                          and df[c].dropna().astype(str).str.strip().str.upper().isin(dropped).any()]
            if names_drug:
                out[name] = df.drop(columns=names_drug)
    return out


def is_arm_column(column: str) -> bool:
    """A column that names or codes the arm (TRT01P, ARMCD, ACTARM, TRTSEQP …): never a subgroup, and
    gone for a blinded role."""
    c = str(column).upper()
    return c in ARM_NAMES or c.startswith(("ARM", "ACTARM", "TRT0", "TRTSEQ"))
