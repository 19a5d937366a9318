"""The statistical core of ``evaluate``: mergeable sufficient statistics, closed-form intervals, one finaliser.

* :mod:`.stats` – per-group sufficient statistics built a chunk at a time from
  numpy arrays; statistics of any chunks add up (``a + b``) to exactly the
  statistics of all rows.
* :mod:`.intervals` – confidence intervals with good small-sample coverage,
  each naming its method (coverage study: ``benchmarks/coverage.py``).
* :mod:`.finalize` – the one finaliser: statistics to per-group metric values
  with intervals, group-vs-reference disparities, max–min spreads and the
  named fairness criteria, as plain typed dataclasses.

Nothing here imports pandas, scipy or pyarrow; only numpy and the standard library.
"""
