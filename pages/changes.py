"""Since last cut: what is new, how the key numbers moved, retroactive changes; the deck and report."""

import streamlit as st

from components.analyses import primary_endpoint
from components.data.filters import apply_filters
from components.reports.deck import build_deck, build_html
from components.stats.changes import compare_cuts
from components.ui import widgets

s = widgets.page_header("Since last cut", needs=("adsl",))
if s is None:
    st.stop()
cfg = s.config
if s.compare is None:
    st.info("Choose a comparison cut in the sidebar ('Compare with') to see what changed.")
else:
    old = apply_filters(s.compare, s.selection)
    ra_cur = widgets.response_analysis(s.cut, cfg.response, True, True) if s.cut.has("adrs") else None
    ra_old = widgets.response_analysis(s.compare, cfg.response, True, True) if s.compare.has("adrs") else None
    if ra_cur is not None:
        ra_cur = ra_cur.restrict(set(s.view.tables["adsl"]["USUBJID"]))
    if ra_old is not None and old.has("adsl"):
        ra_old = ra_old.restrict(set(old.tables["adsl"]["USUBJID"]))
    ch = compare_cuts(s.view, old, ra_cur, ra_old, cfg)
    st.markdown(f"From the **{s.compare.cutoff_text}** cut to the **{s.cut.cutoff_text}** cut.")

    st.subheader("Key numbers")
    metrics = ch.metrics.copy()
    for col in ("Before", "Now"):
        metrics[col] = metrics[col].map(lambda v: "NR" if v != v else f"{v:g}")
    metrics["Change"] = ch.metrics["Change"].map(lambda v: "" if v != v else f"{v:+g}")
    st.dataframe(metrics, hide_index=True, width="content")
    st.caption("ORR: confirmed responses among response-evaluable patients. Median PFS in months (NR = not reached).")
    if s.cut.has("adrs"):
        whole = widgets.response_analysis(s.cut, cfg.response, cfg.response.confirmed_default, True)
        st.markdown("**Primary endpoint (whole study):** " + primary_endpoint(s.cut.tables["adsl"], whole.bor,
                                                                          cfg.design).sentence())

    link = st.column_config.LinkColumn("Patient", display_text=r"patient=(.*)$")

    def listing(title: str, df, empty: str) -> None:
        st.markdown(f"**{title} ({len(df)})**")
        if df.empty:
            st.caption(empty)
            return
        shown = widgets.display_frame(df.assign(Patient="patient?patient=" + df["USUBJID"]))
        cols = ["Patient"] + [c for c in shown.columns if c not in ("Patient", "USUBJID")]
        st.dataframe(shown[cols], hide_index=True, width="stretch", column_config={"Patient": link})

    left, right = st.columns(2)
    with left:
        listing("Newly enrolled", ch.new_patients, "No new patient.")
        listing("New progressions", ch.new_progressions, "No new progression.")
        listing("Stopped treatment", ch.stopped_treatment, "Nobody stopped treatment.")
    with right:
        listing("New or newly confirmed responses", ch.new_responses, "No new response.")
        listing("New deaths", ch.new_deaths, "No new death.")
        listing("New grade ≥3 or serious adverse events", ch.new_ae, "None.")

    st.subheader(f"Retroactive changes to records dated before {s.compare.cutoff_text} ({len(ch.retro)})")
    st.caption("Values of the older part of the data that differ between the cuts (edited), records dated before the "
               "comparison cut-off that appear only now (entered late) or no longer (removed). A value filled in for "
               "the first time is progress, not an edit, and is not listed.")
    if ch.retro.empty:
        st.success("No retroactive change.")
    else:
        st.dataframe(ch.retro.drop(columns=["USUBJID"]), hide_index=True, width="stretch")
        widgets.csv_download(ch.retro, "retroactive_changes.csv", "Download for data management (CSV)",
                             key="dl_retro")

st.subheader("Steering-committee deck and report")
st.caption("Built from the same figures as the pages, for the data on screen"
           + (f" (filters: {s.filter_text})" if s.filter_text else "") + "; rendered when you click (about 10 s).")
c1, c2 = st.columns(2)
view, compare = s.view, (apply_filters(s.compare, s.selection) if s.compare is not None else None)
stem = f"{cfg.id}_{s.cut.cutoff_text}"
from components.figures.export import chromium_available  # noqa: E402

if chromium_available():
    c1.download_button("Download the deck (PowerPoint)", lambda: build_deck(view, cfg, compare, study_cut=s.cut), file_name=f"{stem}.pptx",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation", key="dl_deck")
else:
    c1.caption("The deck needs Chromium on the server for its images (apt-get install chromium).")
c2.download_button("Download the HTML report", lambda: build_html(view, cfg, compare, study_cut=s.cut).encode("utf-8"),
                   file_name=f"{stem}.html", mime="text/html", key="dl_html")
st.caption("The same from the command line: `python -m components.deck --data DIR --out deck.pptx --html report.html`.")
