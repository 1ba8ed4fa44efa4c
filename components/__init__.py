"""Logic and figure builders of the trial dashboard.

Everything here is importable and testable without Streamlit (the single exception is
``components.ui.widgets``, the shared Streamlit widgets). Pandas copy-on-write is switched on so
that no derivation can modify a loaded data cut in place.
"""

import pandas as pd

pd.set_option("mode.copy_on_write", True)
