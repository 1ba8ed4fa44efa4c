"""Overview: the study card, the cut's key numbers and the validation findings."""

import pandas as pd
import streamlit as st

from components.analyses.base import Options
from components.analyses.overview import study_status
from components.data.contract import TABLE_LABELS, TABLES, load_dictionary
from components.figures.safe_text import md
from components.i18n import N_, _
from components.stats.summary import design_sentence, regimen_table
from components.ui import widgets

#: The study config's endpoint kinds, as headings.
ENDPOINT_KINDS = {"primary": N_("Primary"), "secondary": N_("Secondary"), "exploratory": N_("Exploratory")}

s = widgets.page_header(_("Overview"), needs=())
if s is not None:
    cfg, cut, view = s.config, s.cut, s.view
    # the study config's own texts: in Chinese where the study's catalog (locale/.../study.po) has them
    st.subheader(md(f"{cfg.id} · {_(cfg.title)}"))
    facts = [f"{_(cfg.design_text)}." if cfg.design_text else "",
             _("**Population:** {population}.").format(population=_(cfg.population)) if cfg.population else "",
             _("**Status:** {status}.").format(status=_(cfg.status)) if cfg.status else ""]
    if any(facts):
        st.markdown(" ".join(f for f in facts if f))

    if view.has("adsl"):
        status = widgets.run(study_status, s, s.options(Options))
        k = status.numbers
        c = widgets.metric_row(6)  # wraps at 1024 px instead of cutting values
        if k["Target enrolled"] is not None:
            c[0].metric(_("Enrolled / target"), f"{k['Enrolled']} / {k['Target enrolled']}",
                        help=_("Subjects in ADSL against the planned enrollment (study config)."), width="content")
        else:
            c[0].metric(_("Enrolled"), k["Enrolled"], help=_("Subjects in ADSL (no planned enrollment in the study config)."),
                        width="content")
        c[1].metric(_("Treated"), k["Treated"], help=_("Subjects with a first-dose date (TRTSDT)."), width="content")
        unknown_end = _("Not available: the cut has no last-dose date (TRTEDT) and no end-of-treatment or "
                        "end-of-study status (EOTSTT, EOSSTT, DCDECOD).")
        c[2].metric(_("On treatment"), "—" if k["On treatment"] is None else k["On treatment"], width="content",
                    help=_("Treated, with no last-dose date at the cut.") if k["On treatment"] is not None else unknown_end)
        c[3].metric(_("Response-evaluable"), f"{k['Response-evaluable']}" + (f" / {k['Target evaluable']}" if k["Target evaluable"]
                                                                     is not None else ""),
                    help=_("Response-evaluable (EFFFL = Y), against the planned evaluable patients."), width="content")
        c[4].metric(_("Discontinued"), "—" if k["Discontinued"] is None else k["Discontinued"], width="content",
                    help=unknown_end if k["Discontinued"] is None else
                    _("{n} completed the treatment and are not counted here.").format(n=k["Completed"])
                    if k["Completed"] else None)
        c[5].metric(_("Deaths"), "—" if k["Deaths"] is None else k["Deaths"], width="content",
                    help=None if k["Deaths"] is not None else _("Not available: the cut records deaths nowhere (no "
                                                                 "DTHDT or DTHFL in ADSL, no death in the disposition, "
                                                                 "no fatal AE, no ADTTE OS)."))
        for note in status.notes:
            st.caption(note)
        if k["Screened"] is not None:
            st.caption(_("Screened {screened}, screen failures {failures}; {active} of {planned} planned sites have "
                         "enrolled patients.").format(screened=k["Screened"], failures=k["Screen failures"],
                                                      active=k["Sites with patients"], planned=k["Sites planned"]))
        widgets.show_code(status, s)

    left, right = st.columns([3, 2])
    with left:
        st.markdown("#### " + _("Regimen"))
        if cfg.regimen:
            regimen = regimen_table(cfg)
            for col in ("Drug", "Schedule"):  # the config's texts, from the study's catalog where it has them
                if col in regimen:
                    regimen[col] = [_(v) for v in regimen[col]]
            widgets.table(regimen.rename(columns={c: _(c) for c in regimen.columns}), static=True)
        else:
            st.caption(_("No regimen in the study config."))
        st.markdown("#### " + _("Design"))
        st.markdown(design_sentence(cfg) + (f" {_(cfg.design.rationale)}" if cfg.design else ""))
    with right:
        st.markdown("#### " + _("Endpoints"))
        for kind, items in cfg.endpoints.items():
            st.markdown(_("**{kind}:** {items}").format(kind=_(ENDPOINT_KINDS.get(kind, kind.capitalize())),
                                                        items="; ".join(_(i) for i in items)))
        if not cfg.endpoints:
            st.caption(_("No endpoints in the study config."))
        if cfg.arms and not cfg.single_arm:
            st.markdown(_("**Arms:** {arms}").format(arms=md("; ".join(_(a) for a in cfg.arms))))
        if cfg.lead_site or cfg.principal_investigator:
            st.markdown(_("**Lead site:** {site} · **PI:** {pi}").format(site=_(cfg.lead_site) or "—",
                                                                          pi=_(cfg.principal_investigator) or "—"))

    st.markdown("#### " + _("The data cut"))
    rows = []
    for t in TABLES:
        rows.append({
            "Table": t, "Content": TABLE_LABELS[t], "File": cut.files.get(t, "—"),
            "Rows loaded": len(cut.tables[t]) if t in cut.tables else 0,
            "Status": N_("loaded") if t in cut.tables else N_("absent or not loadable"),
        })
    widgets.table(pd.DataFrame(rows), translate=("Content", "Status"), static=True)
    st.caption(_("Source: {source} · cut-off {cutoff}").format(source=md(s.source_label or cut.source),
                                                               cutoff=cut.cutoff_text))

    st.markdown("#### " + _("Data validation"))
    widgets.findings_panel(cut.issues)

    def contract() -> None:
        widgets.table(
            pd.DataFrame([{"table": r.table, "column": r.column, "type": r.type,
                           "required": ("Y" if r.value_required else "column") if r.required else "", "allowed": "|".join(r.allowed),
                           "range": "" if r.min is None and r.max is None else f"{r.min if r.min is not None else ''} – {r.max if r.max is not None else ''}",
                           "applies to": f"{r.condition[0]} in {'|'.join(r.condition[1])}" if r.condition else "",
                           "meaning": r.label} for r in load_dictionary()]),
            width="stretch", translate=("meaning",),
        )

    widgets.lazy_expander(_("The data contract (data dictionary)"), "overview_contract", contract)
