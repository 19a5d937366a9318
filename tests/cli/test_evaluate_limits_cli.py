"""`evaluate` on hostile input: option ranges, the group limit, linear memory, and a predictions reader
that fails with file:line on binary, huge or degenerate files."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from modelcard.cli import main
from modelcard.evaluation.options import MAX_BOOTSTRAP
from modelcard.io.tabular import MAX_LINE_BYTES

BASE = ["--label", "y", "--prediction", "p", "--sensitive", "g", "-q"]


def run(capsys, *argv):
    code = main(["evaluate", *map(str, argv)])
    out, err = capsys.readouterr()
    assert "internal error" not in err and "Traceback" not in err, err
    return code, out, err


@pytest.fixture
def small_csv(tmp_path) -> Path:
    path = tmp_path / "p.csv"
    path.write_text("y,p,g\n1,0,a\n0,0,b\n1,1,a\n0,1,b\n")
    return path


# --------------------------------------------------------------------------
# numeric options: a usage error (exit 2) before anything is read or written


@pytest.mark.parametrize(
    "option, value, piece",
    [
        ("--score-threshold", "nan", "finite"),
        ("--score-threshold", "inf", "finite"),
        ("--score-threshold", "-inf", "finite"),
        ("--score-threshold", "1e999", "finite"),
        ("--bootstrap", "-1", "from 0"),
        ("--bootstrap", str(MAX_BOOTSTRAP + 1), str(MAX_BOOTSTRAP)),
        ("--confidence", "0", "above 0.5 and at most 0.999"),
        ("--confidence", "1", "above 0.5 and at most 0.999"),
        ("--confidence", "-0.5", "above 0.5 and at most 0.999"),
        ("--confidence", "nan", "above 0.5 and at most 0.999"),
        ("--confidence", "inf", "above 0.5 and at most 0.999"),
        ("--confidence", "0.4", "above 0.5 and at most 0.999"),
        ("--confidence", "0.9999", "above 0.5 and at most 0.999"),
        ("--calibration-bins", "0", "from 1"),
        ("--min-group-size", "-1", "from 0"),
        ("--min-group-size", str(10**12), "from 0"),
        ("--seed", "-1", "from 0"),
        ("--seed", str(2**64), "from 0"),
        ("--max-groups", "0", "1 or more"),
        ("--max-groups", "-5", "1 or more"),
    ],
)
def test_numeric_options_are_range_checked(small_csv, tmp_path, capsys, option, value, piece):
    out = tmp_path / "fragment.yaml"
    extra = ["--score", "y"] if option == "--score-threshold" else []
    code, _, err = run(capsys, small_csv, *BASE, *extra, f"{option}={value}", "-o", out)
    assert code == 2, err
    assert option in err and piece in err, err
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["p.csv"]


def test_score_threshold_nan_without_prediction(small_csv, capsys):
    """The reported case: predictions derived from scores with a NaN threshold."""
    code, _, err = run(
        capsys, small_csv, "--label", "y", "--score", "p", "--score-threshold", "nan", "--sensitive", "g"
    )
    assert code == 2 and "--score-threshold must be a finite number" in err


# --------------------------------------------------------------------------
# the group limit: counted first, refused before any per-group work


def test_group_limit_cli(tmp_path, capsys):
    path = tmp_path / "ids.csv"
    path.write_text("y,p,g\n" + "".join(f"{i % 2},{i % 3 % 2},id{i}\n" for i in range(60)))
    out = tmp_path / "f.yaml"
    code, _, err = run(capsys, path, *BASE, "--max-groups", "50", "-o", out)
    assert code == 1 and f"{path}: error: column 'g' has 60 distinct values" in err and "--max-groups" in err
    assert not out.exists()
    code, _, err = run(capsys, path, *BASE, "--max-groups", "60", "--bootstrap", "0", "-o", out)
    assert code == 0, err


# --------------------------------------------------------------------------
# the predictions reader on hostile files: clear errors with file:line


@pytest.mark.parametrize(
    "content, code, pieces",
    [
        (b"", 1, [":1: error:", "empty"]),
        (b"\xef\xbb\xbf", 1, [":1: error:", "empty"]),
        (b"y,p,g\n", 1, [":2: error:", "no data rows"]),
        (b"y,p,g\n\n\n\n", 1, [":2: error:", "no data rows"]),
        (b"y,p,g\n1,0,a\x00b\n0,0,b\n", 1, [":2: error:", "NUL byte"]),
        (b"y,p\x00,g\n1,0,a\n", 1, [":1: error:", "NUL byte"]),
        (b"y,p,g\n1,0,a\n" + b"x" * (MAX_LINE_BYTES + 1), 1, [":3: error:", "longer than 4 MiB"]),
        (b"y,p,g\n1,0,a\n" + b"x," * (MAX_LINE_BYTES // 2 + 1) + b"\n", 1, [":3: error:", "longer than 4 MiB"]),
        (b"y,p,g\r\n1,0,a\r\n" + b"x" * 200_000 + b"\r\n", 1, [":3: error:", "field larger than field limit"]),
        (b"\x1f\x8b\x08\x00" + bytes(range(128, 256)) * 10, 1, [":1: error:", "NUL byte"]),  # gzip
        ("y,p,g\n1,0,a\n".encode("utf-16"), 1, [":1: error:", "NUL byte", "UTF-16"]),
        (b"y,p,g\n1,0,a\n0,1,\xe9t\xe9\n", 1, [":3: error:", "not UTF-8"]),
        (b'y,p,g\n1,0,"a\n0,1,b\n', 1, ["malformed CSV"]),
        (b"y,p,g\n1,0\n", 1, [":2: error:", "2 fields but the header has 3"]),
    ],
)
def test_hostile_predictions_files(tmp_path, capsys, content, code, pieces):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    got, _, err = run(capsys, path, *BASE, "-o", tmp_path / "f.yaml")
    assert got == code, err
    for piece in pieces:
        assert piece in err, (piece, err)
    assert not (tmp_path / "f.yaml").exists()


def test_many_columns_and_odd_names(tmp_path, capsys):
    names = [f"c{i}" for i in range(100_000)] + ["\x1b[31mred", "n" * 100_000]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")
    code, _, err = run(capsys, path, *BASE)
    assert code == 2 and "no columns 'y', 'p', 'g'" in err
    assert "\x1b" not in err and len(err) < 2000, err[:300]
    names[:3] = ["y", "p", "g"]
    path.write_text(",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")
    code, _, err = run(capsys, path, *BASE, "--bootstrap", "0")
    assert code == 0, err


def test_control_characters_in_values_are_escaped_in_messages(tmp_path, capsys):
    path = tmp_path / "esc.csv"
    path.write_text("y,p,g\n1,0,a\n0,1,b\n\x1b]0;pwned\x07" + "z" * 500 + ",1,a\n")
    code, _, err = run(capsys, path, *BASE)
    assert code == 1 and "esc.csv:4:" in err
    assert "\x1b" not in err and "\x07" not in err and "z" * 100 not in err


def test_every_combination_of_degenerate_columns(tmp_path, capsys):
    """Single class, single group, one row: defined results or undefined ones, never a crash."""
    for y, p, g in itertools.product(["0", "1", "01"], ["0", "1", "10"], ["a", "ab"]):
        rows = [(y[i % len(y)], p[i % len(p)], g[i % len(g)]) for i in range(max(len(y), len(p), len(g)))]
        path = tmp_path / "d.csv"
        path.write_text("y,p,g,s\n" + "".join(f"{a},{b},{c},0.5\n" for a, b, c in rows))
        code, _, err = run(capsys, path, *BASE, "--score", "s", "--bootstrap", "20", "--min-group-size", "0")
        assert code == 0, (rows, err)


def test_summary_never_sends_escape_sequences_to_the_terminal(tmp_path, capsys):
    """Group labels come from the predictions file; the summary on standard error shows them escaped."""
    path = tmp_path / "esc.csv"
    path.write_text("y,p,g\n1,0,\x1b[31mRED\u202e\n0,1,b\n1,1,\x1b[31mRED\u202e\n")
    code = main(
        [
            "evaluate",
            str(path),
            "--label",
            "y",
            "--prediction",
            "p",
            "--sensitive",
            "g",
            "--bootstrap",
            "0",
            "-o",
            str(tmp_path / "f.yaml"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    assert "reference g=\\x1b[31mRED\\u202e" in err
    assert "\x1b" not in err and "\u202e" not in err
