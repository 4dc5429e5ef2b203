"""Figures: each module takes results and returns a matplotlib or Plotly figure; no physics here."""
