"""The loader: located data from YAML and JSON, and clear errors for bad input."""

from __future__ import annotations

import pytest

from modelcard.diagnostics import CardError, UnreadableError
from modelcard.io.source import MAX_BYTES, load, loads


def error_of(text: str, name: str = "card.yaml"):
    with pytest.raises(CardError) as info:
        loads(text, name)
    return info.value.diagnostics[0]


def test_yaml_positions_point_at_values_and_keys():
    doc = loads("model:\n  name: x\n  tags:\n    - a\n    - b\n", "c.yaml")
    assert doc.data == {"model": {"name": "x", "tags": ["a", "b"]}}
    assert (doc.pos(("model", "name")).line, doc.pos(("model", "name")).col) == (2, 9)
    assert (doc.pos(("model", "name"), key=True).line, doc.pos(("model", "name"), key=True).col) == (2, 3)
    assert doc.pos(("model", "tags", 1)).line == 5
    # a path that does not exist resolves to its nearest located ancestor
    assert doc.pos(("model", "missing", 3)).line == 2 and doc.pos(("model", "missing", 3)).col == 3


def test_json_positions_match_yaml_semantics():
    text = '{\n  "model": {"name": "x",\n            "tags": ["a", "b"]}\n}'
    doc = loads(text, "c.json")
    assert doc.data == {"model": {"name": "x", "tags": ["a", "b"]}}
    pos = doc.pos(("model", "tags", 1))
    assert (pos.line, pos.col) == (3, 27)
    assert doc.pos(("model", "name"), key=True).col == 13


def test_yaml_scalar_types_are_plain_data():
    doc = loads("a: 1\nb: 1.5\nc: true\nd: null\ne: 2024-01-02\nf: '007'\n")
    assert doc.data["a"] == 1 and doc.data["b"] == 1.5 and doc.data["c"] is True and doc.data["d"] is None
    assert str(doc.data["e"]) == "2024-01-02" and doc.data["f"] == "007"


def test_merge_keys_are_supported_and_explicit_keys_win():
    doc = loads("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n")
    assert doc.data["other"] == {"x": 1, "y": 3}


@pytest.mark.parametrize(
    "text, line, col, words",
    [
        ("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a' (first defined at line 1)"),
        ("a:\n\tb: 1\n", 2, 1, "TAB"),
        ("a: [1, 2\n", 2, 1, "expected"),
        ("a: .nan\n", 1, 4, "not a finite number"),
        ("a: !!python/object:os.system x\n", 1, 4, "unsupported YAML tag"),
        ("? [a, b]\n: 1\n", 1, 3, "mapping keys must be plain strings"),
        ("a: 1\n---\nb: 2\n", 2, 1, "more than one YAML document"),
        ("- a\n- b\n", 1, 1, "must be a mapping of sections, not a list"),
        ("just text\n", 1, 1, "not a string"),
    ],
)
def test_yaml_errors_are_located(text, line, col, words):
    d = error_of(text)
    assert words in d.message
    assert (d.line, d.col) == (line, col)
    assert d.file == "card.yaml"


@pytest.mark.parametrize(
    "text, line, words",
    [
        ('{"a": 1,\n "a": 2}', 2, "duplicate key 'a'"),
        ('{"a": 1,}', 1, "invalid JSON"),
        ('{"a": 1e999}', None, "not a finite number"),
        ('{"a": NaN}', None, "not a finite number"),
    ],
)
def test_json_errors_are_located(text, line, words):
    d = error_of(text, "card.json")
    assert words in d.message
    assert d.line == line


def test_alias_bomb_is_refused_quickly():
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    d = error_of("\n".join(levels) + "\n")
    assert "alias bomb" in d.message and d.code == "too-large"


def test_recursive_alias_is_refused():
    d = error_of("a: &a [*a]\n")
    assert d.code == "too-deep"


def test_empty_and_comment_only_files(tmp_path):
    assert error_of("").code == "empty"
    assert error_of("# only a comment\n").code == "empty"


def test_encodings(tmp_path):
    utf16 = tmp_path / "u16.yaml"
    utf16.write_bytes("a: b\n".encode("utf-16"))
    with pytest.raises(CardError, match="UTF-16"):
        load(utf16)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(CardError) as info:
        load(latin)
    d = info.value.diagnostics[0]
    assert "not valid UTF-8" in d.message and (d.line, d.col) == (2, 7)
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert load(bom).data == {"a": 1}


def test_huge_file_is_refused_without_reading(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    with pytest.raises(CardError, match="limited to"):
        load(big)


def test_unreadable_files(tmp_path):
    with pytest.raises(UnreadableError, match="no such file"):
        load(tmp_path / "missing.yaml")
    with pytest.raises(UnreadableError, match="directory"):
        load(tmp_path)
