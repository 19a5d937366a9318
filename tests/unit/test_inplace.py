"""In-place merge edits (modelcard.io.inplace): only the values that change are rewritten, or the edit is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelcard.io.inplace import InPlaceError, update_text
from modelcard.io.source import loads

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"

LAYERING = ROOT / "tests" / "data" / "layering"


def test_flow_collections_and_kind_changes(tmp_path):
    text = "card: {schema_version: '1.0'}  # flow\nmodel: {name: m, version: '1'}\nintended_use:\n  primary_uses: []\n"
    new = loads(text, "c.yaml").data
    new["model"]["version"] = "2"
    new["intended_use"]["primary_uses"] = ["a", "b"]
    new["intended_use"]["out_of_scope_uses"] = ["c"]
    out = update_text(text, "c.yaml", new)
    assert out == (
        "card: {schema_version: '1.0'}  # flow\nmodel: {name: m, version: '2'}\n"
        "intended_use:\n  primary_uses: [a, b]\n  out_of_scope_uses:\n  - c\n"
    )


def test_a_shorter_list_and_a_removed_key(tmp_path):
    text = (
        "# top\nmodel:\n  name: m   # keep\n  version: '1'\n  languages:\n  - en\n  - fr   # gone\n  description: old\n"
    )
    new = loads(text, "c.yaml").data
    new["model"]["languages"] = ["en"]
    del new["model"]["description"]
    out = update_text(text, "c.yaml", new)
    assert out == "# top\nmodel:\n  name: m   # keep\n  version: '1'\n  languages:\n  - en\n"
    assert loads(out, "c.yaml").data == new


def test_update_text_refuses_what_it_cannot_do_exactly():
    text = "base: &b {name: m, version: '1'}\nmodel:\n  <<: *b\n"
    with pytest.raises(InPlaceError):
        update_text(text, "c.yaml", {"base": {"name": "m", "version": "1"}, "model": {"name": "m", "version": "2"}})


def _paths(data, path=()):
    yield path, data
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield from _paths(value, path + (key,))


@pytest.mark.parametrize(
    "source", [EXAMPLE, LAYERING / "base.yaml", ROOT / "tests" / "data" / "render" / "cards" / "rich" / "card.yaml"]
)
def test_random_edits_come_out_exactly_or_are_refused(source):
    """Any change to any node (scalar, collection, kind, added, removed) is applied exactly or refused."""
    import copy
    import datetime
    import random

    text = source.read_text(encoding="utf-8")
    base = loads(text, source.name).data
    paths = [p for p, _ in _paths(base) if p]
    values = [
        "x",
        "two\nlines",
        3,
        0.5,
        True,
        None,
        [],
        {},
        ["a", "b"],
        {"k": "v", "l": [1, 2]},
        "needs: quotes",
        datetime.date(2020, 1, 2),
        [{"a": 1}, {"b": "c\nd"}],
    ]
    rng = random.Random(source.name)
    for _ in range(40):
        new = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(paths)
            parent = new
            try:
                for key in path[:-1]:
                    parent = parent[key]
                current = parent[path[-1]]
            except (KeyError, IndexError, TypeError):
                continue
            roll = rng.random()
            if roll < 0.5:
                parent[path[-1]] = copy.deepcopy(rng.choice(values))
            elif isinstance(current, dict) and roll < 0.7:
                current[f"x-new{rng.randint(0, 9)}"] = copy.deepcopy(rng.choice(values))
            elif isinstance(current, list) and roll < 0.85:
                current.append(copy.deepcopy(rng.choice(values)))
            elif isinstance(current, list) and current:
                del current[rng.randrange(len(current)) :]
            elif isinstance(current, dict) and current:
                del current[rng.choice(list(current))]
        try:
            out = update_text(text, source.name, new)
        except InPlaceError:
            continue
        assert loads(out, source.name).data == new
