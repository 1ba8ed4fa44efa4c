"""Since last cut: what is new, how the key numbers moved, retroactive changes; the deck and report."""

import streamlit as st

from components.analyses.base import Options, as_filters
from components.analyses.changes import cut_comparison
from components.analyses.response import ResponseOptions, response_overview
from components.figures.export import chromium_available
from components.figures.safe_text import md
from components.reports.deck import build_deck, build_html
from components.ui import widgets

s = widgets.page_header("Since last cut", needs=("adsl",))
if s is None:
    st.stop()
cfg = s.config
if s.compare is None:
    st.info("Choose a comparison cut in the sidebar ('Compare with') to see what changed.")
else:
    ch = widgets.run(cut_comparison, s, s.options(Options), previous=s.compare)
    st.markdown(f"From the **{s.compare.cutoff_text}** cut to the **{s.cut.cutoff_text}** cut.")

    st.subheader("Key numbers")
    metrics = ch.tables["metrics"].copy()
    for col in ("Before", "Now"):
        metrics[col] = metrics[col].map(lambda v: "NR" if v != v else f"{v:g}")
    metrics["Change"] = ch.tables["metrics"]["Change"].map(lambda v: "" if v != v else f"{v:+g}")
    st.dataframe(metrics, hide_index=True, width="content")
    st.caption("ORR: confirmed responses among response-evaluable patients. Median PFS in months (NR = not reached).")
    widgets.table_to_deck("changes_metrics", f"Since the last cut ({s.compare.cutoff_text}): key numbers", metrics, ch)
    if "metrics_by_arm" in ch.tables:
        st.markdown("**By arm** (before → now)")
        st.dataframe(ch.tables["metrics_by_arm"], hide_index=True, width="content")
        st.caption(" ".join(ch.notes))
        widgets.table_to_deck("changes_by_arm", f"Since the last cut ({s.compare.cutoff_text}), by arm",
                              ch.tables["metrics_by_arm"], ch)
    if s.cut.has("adrs"):
        ro = widgets.run(response_overview, s, s.options(ResponseOptions))
        if ro.detail.decision is not None:
            st.markdown("**Primary endpoint (whole study):** " + ro.detail.decision.sentence())
    widgets.show_code(ch, s)

    link = st.column_config.LinkColumn("Patient", display_text=r"patient=(.*)$", help="Opens the patient profile")

    def listing(title: str, df, empty: str) -> None:
        st.markdown(f"**{title} ({len(df)})**")
        if df.empty:
            st.caption(empty)
            return
        shown = df.assign(Link="patient?patient=" + df["USUBJID"])
        cols = ["Link"] + [c for c in shown.columns if c not in ("Link", "USUBJID")]
        widgets.table(shown[cols], width="stretch", column_config={"Link": link},
                      deck=(f"changes_{title}", f"{title} since {s.compare.cutoff_text}"), result=ch)

    t = ch.tables
    left, right = st.columns(2)
    with left:
        listing("Newly enrolled", t["new_patients"], "No new patient.")
        listing("New progressions", t["new_progressions"], "No new progression.")
        listing("Stopped treatment", t["stopped_treatment"], "Nobody stopped treatment.")
    with right:
        listing("New or newly confirmed responses", t["new_responses"], "No new response.")
        listing("New deaths", t["new_deaths"], "No new death.")
        listing("New grade ≥3 or serious adverse events", t["new_ae"], "None.")

    retro = t["retro"]
    st.subheader(f"Retroactive changes to records dated before {s.compare.cutoff_text} ({len(retro)})")
    st.caption("Values of the older part of the data that differ between the cuts (edited), records dated before the "
               "comparison cut-off that appear only now (entered late) or no longer (removed). A value filled in for "
               "the first time is progress, not an edit, and is not listed.")
    if retro.empty:
        st.success("No retroactive change.")
    else:
        widgets.table(retro.drop(columns=["USUBJID"]), width="stretch",
                      deck=("changes_retro", f"Retroactive changes to records dated before {s.compare.cutoff_text}"),
                      result=ch)
        widgets.csv_download(retro, "retroactive_changes.csv", "Download for data management (CSV)", key="dl_retro")

st.subheader("Steering-committee deck and report")
st.caption("Built from the same analyses as the pages, for the data on screen"
           + (f" (filters: {md(s.filter_text)})" if s.filter_text else "") + "; rendered when you click (about 10 s).")
c1, c2 = st.columns(2)
filters = as_filters(s.selection)
stem = f"{cfg.id}_{s.cut.cutoff_text}"
if chromium_available():
    c1.download_button("Download the deck (PowerPoint)", lambda: build_deck(s.cut, cfg, s.compare, filters=filters),
                       file_name=f"{stem}.pptx",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation", key="dl_deck")
else:
    c1.caption("The deck needs Chromium on the server for its images (apt-get install chromium).")
c2.download_button("Download the HTML report", lambda: build_html(s.cut, cfg, s.compare, filters=filters).encode("utf-8"),
                   file_name=f"{stem}.html", mime="text/html", key="dl_html")
st.caption("The same from the command line: `python -m components.deck --data DIR --out deck.pptx --html report.html`.")
