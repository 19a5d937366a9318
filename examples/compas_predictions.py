"""Write the predictions file the COMPAS example card audits.

Applies ProPublica's filter to their two-year data (7,214 -> 6,172 rows) and
keeps what `modelcard evaluate` needs: the label (two_year_recid), the
prediction (decile_score >= 5), the score and the sensitive attributes.

    python examples/compas_predictions.py [SOURCE] compas-predictions.csv

SOURCE defaults to $MODELCARD_COMPAS_CSV, else ../shared/data/compas/compas-scores-two-years.csv
beside the repository (the place the tests look too). The file is not in the repository: get
compas-scores-two-years.csv from ProPublica's compas-analysis repository
(https://github.com/propublica/compas-analysis) and put it there, or point MODELCARD_COMPAS_CSV at it.
"""

import csv
import os
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "compas" / "compas-scores-two-years.csv"


def main(source: str, target: str) -> None:
    with open(source, newline="", encoding="utf-8") as fh, open(target, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["race", "sex", "age_cat", "two_year_recid", "high_risk", "decile_score"])
        for row in csv.DictReader(fh):
            days = row["days_b_screening_arrest"]
            if days == "" or not -30 <= int(days) <= 30:
                continue
            if row["is_recid"] == "-1" or row["c_charge_degree"] == "O" or row["score_text"] == "N/A":
                continue
            writer.writerow([row["race"], row["sex"], row["age_cat"], row["two_year_recid"],
                             int(int(row["decile_score"]) >= 5), row["decile_score"]])


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    source = sys.argv[1] if len(sys.argv) == 3 else os.environ.get("MODELCARD_COMPAS_CSV") or str(DEFAULT)
    if not os.path.isfile(source):
        sys.exit(
            f"COMPAS data not found at {source}: download compas-scores-two-years.csv from ProPublica's "
            "compas-analysis repository (https://github.com/propublica/compas-analysis) and put it there, "
            "or set MODELCARD_COMPAS_CSV to its path"
        )
    main(source, sys.argv[-1])
