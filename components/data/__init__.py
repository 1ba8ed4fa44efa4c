"""Data: the data contract, readers, validation, the DataCut and the study config."""
