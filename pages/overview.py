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
    st.subheader(f"{cfg.id} · {cfg.title}")
    st.markdown(f"{cfg.design_text}. **Population:** {cfg.population}. **Status:** {cfg.status}.")

    if view.has("adsl"):
        status = widgets.run(study_status, s, s.options(Options))
        k = status.numbers
        c = st.columns(6)
        c[0].metric("Enrolled / target", f"{k['Enrolled']} / {k['Target enrolled']}",
                    help="Subjects in ADSL against the planned enrollment (study config).")
        c[1].metric("Treated", k["Treated"], help="Subjects with a first-dose date (TRTSDT).")
        c[2].metric("On treatment", k["On treatment"], help="Treated, with no last-dose date at the cut.")
        c[3].metric("Evaluable", f"{k['Response-evaluable']} / {k['Target evaluable']}",
                    help="Response-evaluable (EFFFL = Y), against the planned evaluable patients.")
        c[4].metric("Discontinued", k["Discontinued"])
        c[5].metric("Deaths", k["Deaths"])
        if k["Screened"] is not None:
            st.caption(f"Screened {k['Screened']}, screen failures {k['Screen failures']}; "
                       f"{k['Sites with patients']} of {k['Sites planned']} planned sites have enrolled patients.")
        widgets.show_code(status, s)

    left, right = st.columns([3, 2])
    with left:
        st.markdown("#### Regimen")
        st.table(regimen_table(cfg).set_index("Drug"))
        st.markdown("#### Design")
        st.markdown(design_sentence(cfg) + f" {cfg.design.rationale}")
    with right:
        st.markdown("#### Endpoints")
        for kind, items in cfg.endpoints.items():
            st.markdown(f"**{kind.capitalize()}:** " + "; ".join(items))
        st.markdown(f"**Lead site:** {cfg.lead_site} · **PI:** {cfg.principal_investigator}")

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
