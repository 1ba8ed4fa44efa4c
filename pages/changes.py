"""Since last cut: what is new, how the key numbers moved, retroactive changes; the deck and report."""

import streamlit as st

from components.analyses.base import Options, as_filters
from components.analyses.changes import cut_comparison
from components.analyses.response import ResponseOptions, response_overview
from components.figures.export import chromium_available
from components.figures.safe_text import md, patient_link
from components.i18n import _, language
from components.reports.deck import build_deck, build_html
from components.ui import widgets
from components.ui.audit import audited
from components.ui.deck_builder import in_language

s = widgets.page_header(_("Since last cut"), needs=("adsl",))
if s is None:
    st.stop()
cfg = s.config
if s.compare is None:
    st.info(_("Choose a comparison cut in the sidebar ('Compare with') to see what changed."))
else:
    ch = widgets.run(cut_comparison, s, s.options(Options), previous=s.compare)
    st.markdown(_("From the **{before}** cut to the **{now}** cut.").format(before=s.compare.cutoff_text,
                                                                             now=s.cut.cutoff_text))

    st.subheader(_("Key numbers"))
    def shown_metrics():
        out = ch.tables["metrics"].copy()
        for col in ("Before", "Now"):
            out[col] = out[col].map(lambda v: "NR" if v != v else f"{v:g}")
        out["Change"] = ch.tables["metrics"]["Change"].map(lambda v: "" if v != v else f"{v:+g}")
        return out

    metrics = widgets.memo(ch, ("metrics",), shown_metrics)  # made once per result, not on every re-run
    widgets.table(metrics, width="content", translate=("Measure",))
    st.caption(_("ORR: confirmed responses among response-evaluable patients. Median PFS in months (NR = not reached)."))
    widgets.table_to_deck("changes_metrics", _("Since the last cut ({date}): key numbers").format(date=s.compare.cutoff_text),
                          metrics.assign(Measure=metrics["Measure"].map(_)), ch)
    if "metrics_by_arm" in ch.tables:
        by_arm = ch.tables["metrics_by_arm"]
        st.markdown(_("**By arm** (before → now)"))
        widgets.table(by_arm, width="content", translate=("Measure",))
        st.caption(" ".join(ch.notes))
        widgets.table_to_deck("changes_by_arm", _("Since the last cut ({date}), by arm").format(date=s.compare.cutoff_text),
                              by_arm.assign(Measure=by_arm["Measure"].map(_)), ch)
    if s.cut.has("adrs"):
        ro = widgets.run(response_overview, s, s.options(ResponseOptions))
        if ro.detail.decision is not None:
            st.markdown(_("**Primary endpoint (whole study):** {decision}").format(decision=ro.detail.decision.sentence()))
    widgets.show_code(ch, s)

    link = widgets.patient_column()

    def listing(title: str, df, empty: str) -> None:
        """``title``: one of NEW_COUNTS (English; the deck key), shown translated."""
        st.markdown(_("**{title} ({n})**").format(title=_(title), n=len(df)))
        if df.empty:
            st.caption(empty)
            return
        def linked():
            shown = df.assign(Link=df["USUBJID"].map(patient_link))
            return shown[["Link"] + [c for c in shown.columns if c not in ("Link", "USUBJID")]]

        widgets.table(widgets.memo(df, ("linked",), linked), width="stretch", column_config={"Link": link},
                      height=widgets.listing_height(len(df)),
                      deck=(f"changes_{title}", _("{title} since {date}").format(title=_(title),
                                                                                date=s.compare.cutoff_text)),
                      result=ch)

    t = ch.tables
    left, right = st.columns(2)
    with left:
        listing("Newly enrolled", t["new_patients"], _("No new patient."))
        listing("New progressions", t["new_progressions"], _("No new progression."))
        listing("Stopped treatment", t["stopped_treatment"], _("Nobody stopped treatment."))
    with right:
        listing("New or newly confirmed responses", t["new_responses"], _("No new response."))
        listing("New deaths", t["new_deaths"], _("No new death."))
        listing("New grade ≥3 or serious adverse events", t["new_ae"], _("None."))

    retro = t["retro"]
    st.subheader(_("Retroactive changes to records dated before {date} ({n})").format(date=s.compare.cutoff_text,
                                                                                     n=len(retro)))
    st.caption(_("Values of the older part of the data that differ between the cuts (edited), records dated before the "
                 "comparison cut-off that appear only now (entered late) or no longer (removed). A value filled in for "
                 "the first time is progress, not an edit, and is not listed."))
    if retro.empty:
        st.success(_("No retroactive change."))
    else:
        # the words the comparison writes ("changed", "record added"), translated; the data's values stay as they are
        def shown_retro():
            written = retro["Kind"] != "changed"
            out = retro.drop(columns=["USUBJID"])
            for col in ("Before", "Now"):
                out.loc[written, col] = out.loc[written, col].map(_)
            return out

        shown = widgets.memo(retro, ("shown", language()), shown_retro)
        widgets.table(shown, width="stretch", translate=("Kind",),
                      deck=("changes_retro", _("Retroactive changes to records dated before {date}").format(
                          date=s.compare.cutoff_text)),
                      result=ch)
        widgets.csv_download(retro, "retroactive_changes.csv", _("Download for data management (CSV)"), key="dl_retro")

st.subheader(_("Steering-committee deck and report"))
if s.filter_text:
    st.caption(_("Built from the same analyses as the pages, for the data on screen (filters: {filters}); rendered when "
                 "you click (about 10 s).").format(filters=md(s.filter_text)))
else:
    st.caption(_("Built from the same analyses as the pages, for the data on screen; rendered when you click (about 10 s)."))
c1, c2 = st.columns(2)
filters = as_filters(s.selection)
lang = language()  # rendered on a click, in the language on screen
stem = f"{cfg.id}_{s.cut.cutoff_text}"
if chromium_available():
    c1.download_button(_("Download the deck (PowerPoint)"),
                       audited(lambda: in_language(lang, build_deck, s.cut, cfg, s.compare, None, filters), "deck",
                               f"{stem}.pptx", s, {"page": "changes"}),
                       file_name=f"{stem}.pptx",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation", key="dl_deck")
else:
    c1.caption(_("The deck needs Chromium on the server for its images (apt-get install chromium)."))
c2.download_button(_("Download the HTML report"),
                   audited(lambda: in_language(lang, build_html, s.cut, cfg, s.compare, None, filters).encode("utf-8"),
                           "report", f"{stem}.html", s, {"page": "changes"}),
                   file_name=f"{stem}.html", mime="text/html", key="dl_html")
st.caption(_("The same from the command line: {command}.").format(
    command="`python -m components.deck --data DIR --out deck.pptx --html report.html`"))
