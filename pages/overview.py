"""Overview: the study card, the cut's key numbers and the validation findings."""

import pandas as pd
import streamlit as st

from components.analyses.base import Options
from components.analyses.overview import study_status
from components.data.contract import TABLE_LABELS, TABLES, load_dictionary
from components.figures.safe_text import md
from components.stats.summary import design_sentence, regimen_table
from components.ui import widgets

s = widgets.page_header("Overview", needs=())
if s is not None:
    cfg, cut, view = s.config, s.cut, s.view
    st.subheader(md(f"{cfg.id} · {cfg.title}"))
    facts = [f"{cfg.design_text}." if cfg.design_text else "", f"**Population:** {cfg.population}." if cfg.population else "",
             f"**Status:** {cfg.status}." if cfg.status else ""]
    if any(facts):
        st.markdown(" ".join(f for f in facts if f))

    if view.has("adsl"):
        status = widgets.run(study_status, s, s.options(Options))
        k = status.numbers
        c = widgets.metric_row(6)  # wraps at 1024 px instead of cutting values
        if k["Target enrolled"] is not None:
            c[0].metric("Enrolled / target", f"{k['Enrolled']} / {k['Target enrolled']}",
                        help="Subjects in ADSL against the planned enrollment (study config).", width="content")
        else:
            c[0].metric("Enrolled", k["Enrolled"], help="Subjects in ADSL (no planned enrollment in the study config).", width="content")
        c[1].metric("Treated", k["Treated"], help="Subjects with a first-dose date (TRTSDT).", width="content")
        c[2].metric("On treatment", k["On treatment"], help="Treated, with no last-dose date at the cut.", width="content")
        c[3].metric("Response-evaluable", f"{k['Response-evaluable']}" + (f" / {k['Target evaluable']}" if k["Target evaluable"]
                                                                  is not None else ""),
                    help="Response-evaluable (EFFFL = Y), against the planned evaluable patients.", width="content")
        c[4].metric("Discontinued", k["Discontinued"], width="content")
        c[5].metric("Deaths", k["Deaths"], width="content")
        if k["Screened"] is not None:
            st.caption(f"Screened {k['Screened']}, screen failures {k['Screen failures']}; "
                       f"{k['Sites with patients']} of {k['Sites planned']} planned sites have enrolled patients.")
        widgets.show_code(status, s)

    left, right = st.columns([3, 2])
    with left:
        st.markdown("#### Regimen")
        if cfg.regimen:
            st.table(regimen_table(cfg).set_index("Drug"))
        else:
            st.caption("No regimen in the study config.")
        st.markdown("#### Design")
        st.markdown(design_sentence(cfg) + (f" {cfg.design.rationale}" if cfg.design else ""))
    with right:
        st.markdown("#### Endpoints")
        for kind, items in cfg.endpoints.items():
            st.markdown(f"**{kind.capitalize()}:** " + "; ".join(items))
        if not cfg.endpoints:
            st.caption("No endpoints in the study config.")
        if cfg.arms and not cfg.single_arm:
            st.markdown("**Arms:** " + md("; ".join(cfg.arms)))
        if cfg.lead_site or cfg.principal_investigator:
            st.markdown(f"**Lead site:** {cfg.lead_site or '—'} · **PI:** {cfg.principal_investigator or '—'}")

    st.markdown("#### The data cut")
    rows = []
    for t in TABLES:
        rows.append({
            "Table": t, "Content": TABLE_LABELS[t], "File": cut.files.get(t, "—"),
            "Rows loaded": len(cut.tables[t]) if t in cut.tables else 0,
            "Status": "loaded" if t in cut.tables else "absent or not loadable",
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(f"Source: {md(s.source_label or cut.source)} · cut-off {cut.cutoff_text}")

    st.markdown("#### Data validation")
    widgets.findings_panel(cut.issues)

    with st.expander("The data contract (data dictionary)"):
        st.dataframe(
            pd.DataFrame([{"table": r.table, "column": r.column, "type": r.type,
                           "required": "Y" if r.required else "", "allowed": "|".join(r.allowed),
                           "range": "" if r.min is None and r.max is None else f"{r.min if r.min is not None else ''} – {r.max if r.max is not None else ''}",
                           "applies to": f"{r.condition[0]} in {'|'.join(r.condition[1])}" if r.condition else "",
                           "meaning": r.label} for r in load_dictionary()]),
            hide_index=True, width="stretch",
        )
