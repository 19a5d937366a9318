"""Decisions on validated cards, as typed results: completeness, the release gate, diff, merge.

The verdict rule they apply lives with the schema (:mod:`modelcard.schema.verdicts`); how their
results read is :mod:`modelcard.report`'s.
"""
