"""Analyses: one function per number, table or figure on screen, shared by the pages, the deck, the
HTML report and the cut comparison, so that they cannot disagree.

Each analysis takes the whole data cut, the study config and explicit options (the sidebar filters
among them) and returns a named :class:`components.analyses.base.Result`; it never calls Streamlit.
The UI caches results by (cut, config, options) and shows under each one the snippet that
reproduces it (:func:`components.analyses.base.code_snippet`).

- ``decision``: the primary endpoint's decision (the protocol's test) and ORR in a population.
- ``response``: response summary, waterfall, spider.
- ``survival``: Kaplan–Meier per endpoint, with group comparisons.
- ``safety``: AE overview and tables, the focus toxicity, exposure.
- ``enrollment``: accrual and projection, sites, flow, periods.
- ``swimmer``, ``biomarkers``, ``design``, ``changes``, ``overview``, ``patient``.
"""
