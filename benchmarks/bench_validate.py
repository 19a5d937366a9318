"""Cold-start `modelcard validate` vs check-jsonschema on the same card, side by side.

Both tools validate examples/compas-recidivism.yaml against the same schema
(check-jsonschema gets our exported schemas/modelcard-1.0.schema.json).  Runs
are interleaved so that machine load affects both alike; the median of each is
reported with the ratio.  Target: modelcard <= 0.6x check-jsonschema.

    .venv/bin/python benchmarks/bench_validate.py [--runs 21]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from _run import timed, tool

from modelcard.schema.models import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent
CARD = ROOT / "examples" / "compas-recidivism.yaml"
SCHEMA = ROOT / "schemas" / f"modelcard-{SCHEMA_VERSION}.schema.json"  # the current schema


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    ours = [tool("modelcard"), "validate", str(CARD)]
    peer = [tool("check-jsonschema"), "--schemafile", str(SCHEMA), str(CARD)]
    for cmd in (ours, peer):  # warm the OS file cache and .pyc files
        timed(cmd)
    a, b = [], []
    for _ in range(args.runs):
        a.append(timed(ours))
        b.append(timed(peer))
    ma, mb = statistics.median(a), statistics.median(b)
    print(f"card: {CARD.relative_to(ROOT)} ({CARD.stat().st_size} bytes), {args.runs} interleaved runs each")
    print(f"{'tool':<22}{'median':>10}{'min':>10}{'max':>10}")
    print(f"{'modelcard validate':<22}{ma * 1e3:>8.1f}ms{min(a) * 1e3:>8.1f}ms{max(a) * 1e3:>8.1f}ms")
    print(f"{'check-jsonschema':<22}{mb * 1e3:>8.1f}ms{min(b) * 1e3:>8.1f}ms{max(b) * 1e3:>8.1f}ms")
    ratio = ma / mb
    print(f"ratio modelcard/check-jsonschema: {ratio:.2f}x (target <= 0.60x) -> {'OK' if ratio <= 0.6 else 'MISSED'}")


if __name__ == "__main__":
    main()
