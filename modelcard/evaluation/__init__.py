"""``evaluate``: predictions in, a typed card fragment out.

The flow is one way (see :mod:`.pipeline`)::

    columns --inputs--> checked arrays --stats--> sufficient statistics --finalize--> Report --fragment--> Fragment

* :mod:`.options` – every option with its default and its range (:class:`~.options.EvaluateOptions`).
* :mod:`.inputs` – what a cell means (missing values, group labels, binary
  labels) and the checks that turn columns into arrays; the task inferred.
* :mod:`.stats` – per-group sufficient statistics built a chunk at a time from
  numpy arrays; statistics of any chunks add up (``a + b``) to exactly the
  statistics of all rows.  :mod:`.engines` builds the same statistics from
  Parquet/CSV datasets or Spark tables.
* :mod:`.intervals` – confidence intervals with good small-sample coverage,
  each naming its method (coverage study: ``benchmarks/coverage.py``).
* :mod:`.finalize` – the one finaliser: statistics to per-group metric values
  with intervals, group-vs-reference disparities, max–min spreads and the
  named fairness criteria, as plain typed dataclasses.
* :mod:`.thresholds` – thresholds parsed, checked, or read from a card.
* :mod:`.fragment` – the finaliser's report as schema models, judged by
  :mod:`modelcard.schema.verdicts` (:class:`~.fragment.Fragment`).
* :mod:`.pipeline` – :func:`~.pipeline.evaluate` and :func:`~.pipeline.evaluate_file`.

Nothing here imports pandas, scipy or pyarrow at import time; numpy is
imported by the modules that compute (not by :mod:`.options`).
"""
