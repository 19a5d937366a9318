"""Validating many cards in one call (as the pre-commit hook does): modelcard vs check-jsonschema.

Two sets of valid cards are written to a temp folder:

* ``large``: variants of examples/compas-recidivism.yaml (different names and
  versions; a third without the fairness section, a third with twice the
  metrics), about 16 KiB and 1,400 YAML nodes (keys and values) each — an
  audit-grade card with 16 disaggregated fairness results;
* ``typical``: `modelcard init` skeletons with a model name and version filled
  in (about 15 KiB, most of it guidance comments, ~160 YAML nodes) — the
  shape of a hand-filled card before results are added.

Time grows with the number of YAML nodes (about 2 us per node in one
process), not with comments.  From 64 cards on, `modelcard validate` spreads
the batch over the CPU cores in forked workers that inherit the warmed schema
validator; the `-j1` row shows the same batch in one process.

Each tool validates one card (start-up cost) and then N cards in one call;
the cost per card after start-up is (T_N - T_1) / (N - 1).  check-jsonschema
(the same JSON Schema, exported by `modelcard schema`) is about 25x slower per
card, so it gets fewer cards (--peer-cards) to keep the run short; the
per-card figure does not depend on N.  Runs are interleaved so machine load
hits both tools alike; medians are reported.  Target: <= 2 ms per card.

    .venv/bin/python benchmarks/bench_validate_many.py [--cards 500] [--peer-cards 60] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import yaml
from _run import timed, tool

from modelcard.schema.models import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent
CARD = ROOT / "examples" / "compas-recidivism.yaml"
SCHEMA = ROOT / "schemas" / f"modelcard-{SCHEMA_VERSION}.schema.json"  # the current schema
TARGET_MS = 2.0


def make_typical(folder: Path, n: int) -> list[Path]:
    sys.path.insert(0, str(ROOT))
    from modelcard.authoring.skeleton import Skeleton

    paths = []
    for i in range(n):
        skel = Skeleton(name=f"model-{i}")
        skel.set(("model", "version"), f"{i // 100}.{i % 100}.0")
        path = folder / f"typical-{i:04d}.yaml"
        path.write_text(skel.text(schema_ref=None), encoding="utf-8")
        paths.append(path)
    return paths


def make_cards(folder: Path, n: int) -> list[Path]:
    base = yaml.safe_load(CARD.read_text(encoding="utf-8"))
    paths = []
    for i in range(n):
        data = yaml.safe_load(yaml.safe_dump(base))  # deep copy
        data["model"]["name"] = f"{data['model']['name']} variant {i}"
        data["model"]["version"] = f"{i // 100}.{i % 100}.0"
        data["card"]["version"] = str(i)
        if i % 3 == 1:
            data.pop("fairness")  # a smaller card
        if i % 3 == 2:
            data["metrics"] = data["metrics"] * 2  # a larger card
        path = folder / f"card-{i:04d}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        paths.append(path)
    return paths


def measure(label: str, cards: list[str], peer_n: int, runs: int) -> float:
    size = sum(Path(c).stat().st_size for c in cards) / len(cards)
    tools = {
        "modelcard validate": ([tool("modelcard"), "validate", "-q"], cards),
        "modelcard validate -j1": ([tool("modelcard"), "validate", "-q", "-j", "1"], cards),
        "check-jsonschema": ([tool("check-jsonschema"), "--schemafile", str(SCHEMA)], cards[:peer_n]),
    }
    for cmd, files in tools.values():  # warm caches
        timed(cmd + files[:1])
    one: dict[str, list[float]] = {k: [] for k in tools}
    many: dict[str, list[float]] = {k: [] for k in tools}
    for _ in range(runs):
        for name, (cmd, files) in tools.items():
            one[name].append(timed(cmd + files[:1]))
            many[name].append(timed(cmd + files))
    print(f"\n{label}: mean {size / 1024:.1f} KiB per card; {runs} interleaved runs, medians")
    print(f"{'tool':<22}{'cards':>7}{'1 card':>10}{'N cards':>11}{'per card':>11}")
    per = {}
    for name, (_, files) in tools.items():
        t1, tn = statistics.median(one[name]), statistics.median(many[name])
        per[name] = (tn - t1) / (len(files) - 1)
        print(f"{name:<22}{len(files):>7}{t1 * 1e3:>8.0f}ms{tn * 1e3:>9.0f}ms{per[name] * 1e3:>8.2f}ms")
    ours, peer = per["modelcard validate"], per["check-jsonschema"]
    verdict = "meets" if ours * 1e3 <= TARGET_MS else "MISSES"
    serial = per["modelcard validate -j1"]
    print(
        f"per card: modelcard {ours * 1e3:.2f} ms ({ours * 1e3 / (size / 1024):.3f} ms/KiB), "
        f"{peer / ours:.0f}x faster than check-jsonschema; {verdict} the {TARGET_MS:g} ms target "
        f"(one process, -j 1: {serial * 1e3:.2f} ms, {peer / serial:.0f}x)"
    )
    return ours


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=500)
    ap.add_argument("--peer-cards", type=int, default=60)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        large = Path(tmp) / "large"
        typical = Path(tmp) / "typical"
        large.mkdir()
        typical.mkdir()
        measure(
            "large (COMPAS example variants)",
            [str(p) for p in make_cards(large, args.cards)],
            args.peer_cards,
            args.runs,
        )
        measure(
            "typical (filled init skeletons)",
            [str(p) for p in make_typical(typical, args.cards)],
            args.peer_cards,
            args.runs,
        )


if __name__ == "__main__":
    main()
