"""Edges of the pipeline: sources with positions, the one YAML/JSON writer, the one safe write, in-place edits, tabular input."""
