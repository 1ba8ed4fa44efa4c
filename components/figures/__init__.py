"""Figures: plotly builders, the theme, colours and labels (style), static export."""
