"""The floor of a page re-run, for bench/run.py: a page with the app's shared header and sidebar that
shows, from a cache, the plotly figures, tables, metrics and Markdown text (a Markdown table included)
of a real page and computes nothing. They come from the pickle named by TRIAL_BENCH_FLOOR (written by
the benchmark from the page it compares)."""

import os
import pickle

import plotly.io as pio
import streamlit as st


@st.cache_resource
def elements(path: str):
    with open(path, "rb") as fh:
        specs, frames, metrics, texts = pickle.load(fh)
    return [pio.from_json(s) for s in specs], frames, metrics, texts


from components.data.config import load_config  # noqa: E402
from components.ui import widgets  # noqa: E402

widgets.sidebar(load_config(), links=False)  # the shared sidebar every page builds (the page links need app.py)
st.title("Floor")
figures, frames, metrics, texts = elements(os.environ["TRIAL_BENCH_FLOOR"])
for label, value in metrics:
    st.metric(label, value)
for text in texts:
    st.markdown(text)
for i, fig in enumerate(figures):
    st.plotly_chart(fig, key=f"floor_{i}")
for df in frames:
    st.dataframe(df)
