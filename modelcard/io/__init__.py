"""Edges of the pipeline: reading sources with positions, the one YAML/JSON writer, the one safe-write helper, tabular input."""
