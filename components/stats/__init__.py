"""Statistics and derivations (RECIST, survival, designs, safety, …): pure functions of DataFrames."""
