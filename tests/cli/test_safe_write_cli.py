"""Output can never destroy anything, and inputs that are not regular files are refused.

Every command that writes goes through ``modelcard.io.write``: ``-o`` naming an
input (by path, ``./`` variant, symbolic or hard link) is refused; devices and
FIFOs are written into as they are; writes are atomic and leave no temporary
file behind, even when the process is killed; a batch render plans its output
names before it writes anything.  Inputs that are FIFOs, sockets or devices are
refused before they are opened, and standard input is read with the card size
limit enforced while reading.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import stat
import sys
import threading
from pathlib import Path

import pytest
import yaml

from modelcard.cli import main
from modelcard.io import write as fileio
from modelcard.io.source import MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]

EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"

MINIMAL = ROOT / "tests" / "data" / "render" / "cards" / "minimal.yaml"

POSIX = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and signals (POSIX)")


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder (the working directory) with a card, a fragment, predictions, a README and a template."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(MINIMAL, tmp_path / "card.yaml")
    (tmp_path / "frag.yaml").write_text("model:\n  description: layered\n", encoding="utf-8")
    shutil.copy(MINIMAL, tmp_path / "other.yaml")
    with open(tmp_path / "preds.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["label", "pred", "group"])
        for i in range(80):
            w.writerow([i % 2, (i // 2) % 2, "ab"[i % 3 == 0]])
    assert main(["export", "card.yaml", "--to", "huggingface", "-o", "README.md"]) == 0
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "card.md.j2").write_text("# {{ card.model.name }}\n", encoding="utf-8")
    return tmp_path


# command -> (argv with {out}, the input file -o must never overwrite)
COMMANDS = {
    "render": (["render", "card.yaml", "--format", "md", "-o", "{out}"], "card.yaml"),
    "render --with": (["render", "card.yaml", "--with", "frag.yaml", "--format", "md", "-o", "{out}"], "frag.yaml"),
    "render --template": (
        ["render", "card.yaml", "--template", "tpl", "--format", "md", "-o", "{out}"],
        "tpl/card.md.j2",
    ),
    "merge": (["merge", "card.yaml", "--with", "frag.yaml", "-o", "{out}"], "card.yaml"),
    "merge --with": (["merge", "card.yaml", "--with", "frag.yaml", "-o", "{out}"], "frag.yaml"),
    "migrate": (["migrate", "card.yaml", "-o", "{out}"], "card.yaml"),
    "gate": (["gate", "card.yaml", "--allow-empty", "-o", "{out}"], "card.yaml"),
    "diff old": (["diff", "card.yaml", "other.yaml", "-o", "{out}"], "card.yaml"),
    "diff new": (["diff", "other.yaml", "card.yaml", "-o", "{out}"], "card.yaml"),
    "export": (["export", "card.yaml", "--to", "cyclonedx", "-o", "{out}"], "card.yaml"),
    "import": (["import", "README.md", "-o", "{out}"], "README.md"),
    "evaluate": (
        [
            "evaluate",
            "preds.csv",
            "--label",
            "label",
            "--prediction",
            "pred",
            "--sensitive",
            "group",
            "--bootstrap",
            "0",
            "-q",
            "-o",
            "{out}",
        ],
        "preds.csv",
    ),
    "evaluate --thresholds-from": (
        [
            "evaluate",
            "preds.csv",
            "--label",
            "label",
            "--prediction",
            "pred",
            "--sensitive",
            "group",
            "--bootstrap",
            "0",
            "--thresholds-from",
            "card.yaml",
            "-q",
            "-o",
            "{out}",
        ],
        "card.yaml",
    ),
}

WRITERS = {name: argv for name, (argv, _) in COMMANDS.items()} | {
    "schema": ["schema", "-o", "{out}"],
}


def argv_for(argv: list[str], out) -> list[str]:
    return [str(out) if a == "{out}" else a for a in argv]


def _alias(work: Path, target: str, how: str) -> str:
    if how == "same path":
        return target
    if how == "dot variant":
        return f"./tpl/../{target}"
    if how == "absolute":
        return str(work / target)
    link = work / f"alias-{how.replace(' ', '-')}{Path(target).suffix}"
    if how == "symlink":
        link.symlink_to(work / target)
    else:
        os.link(work / target, link)
    return link.name


# --------------------------------------------------------------------------
# -o naming an input


@pytest.mark.parametrize("how", ["same path", "dot variant", "absolute", "symlink", "hard link"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_output_naming_an_input_is_refused_and_the_input_is_untouched(work, capsys, command, how):
    argv, target = COMMANDS[command]
    before = (work / target).read_bytes()
    out = _alias(work, target, how)
    code, _stdout, err = cli(capsys, *argv_for(argv, out))
    assert code == 2, err
    assert "refusing to overwrite an input file" in err and "Traceback" not in err
    if how in ("symlink", "hard link"):
        assert out in err and target in err  # both names are shown
    assert (work / target).read_bytes() == before
    assert not (work / out).is_symlink() or os.readlink(work / out) == str(work / target)
    assert leftovers(work) == []


def test_merge_in_place_refuses_a_fragment_that_is_the_card(work, capsys):
    os.link(work / "card.yaml", work / "same.yaml")
    before = (work / "card.yaml").read_bytes()
    code, _, err = cli(capsys, "merge", "card.yaml", "--with", "same.yaml", "--in-place")
    assert code == 2 and "refusing to overwrite an input file" in err
    assert (work / "card.yaml").read_bytes() == before


# --------------------------------------------------------------------------
# devices, FIFOs, directories, missing folders


@POSIX
@pytest.mark.parametrize("command", list(WRITERS))
def test_dev_null_is_written_into_and_stays_a_device(work, capsys, command):
    code, stdout, err = cli(capsys, *argv_for(WRITERS[command], "/dev/null"))
    assert code == 0, err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert stdout == ""
    assert not list(Path("/dev").glob(".null.*"))


@POSIX
@pytest.mark.parametrize("command", ["schema", "render", "merge", "export"])
def test_a_fifo_is_written_into_and_stays_a_fifo(work, capsys, command):
    argv = WRITERS[command]
    expected = main_stdout(capsys, argv)
    fifo = work / "pipe.out"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _stdout, err = cli(capsys, *argv_for(argv, fifo))
    reader.join(timeout=30)
    assert code == 0, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and got[0].decode("utf-8") == expected
    assert leftovers(work) == []


def main_stdout(capsys, argv) -> str:
    code, out, err = cli(capsys, *argv_for(argv, "-"))
    assert code == 0, err
    return out


@pytest.mark.parametrize("command", [c for c in WRITERS if not c.startswith("render")])
def test_a_directory_as_output_is_a_clear_error(work, capsys, command):
    (work / "folder").mkdir()
    code, _, err = cli(capsys, *argv_for(WRITERS[command], "folder"))
    assert code == 2 and "folder: is a directory" in err
    assert list((work / "folder").iterdir()) == []


@pytest.mark.parametrize("command", [c for c in WRITERS if c != "schema"])
def test_an_output_in_a_missing_folder_is_a_clear_error(work, capsys, command):
    code, _, err = cli(capsys, *argv_for(WRITERS[command], "nowhere/out.txt"))
    assert code == 2 and "nowhere/out.txt: folder nowhere does not exist" in err, err
    assert not (work / "nowhere").exists()


def test_schema_creates_the_missing_folders_of_its_output(work, capsys):
    """`modelcard schema -o schemas/x.json` vendors the schema into a project: its folders are made."""
    code, _, err = cli(capsys, *argv_for(WRITERS["schema"], "nowhere/deeper/out.json"))
    assert code == 0, err
    assert (work / "nowhere" / "deeper" / "out.json").is_file()
    assert "wrote nowhere/deeper/out.json (JSON Schema, " in err


@POSIX
@pytest.mark.parametrize("command", ["schema", "render", "merge"])
def test_a_socket_or_dangling_link_as_output_is_a_clear_error(work, capsys, command):
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind("sock.out")
        code, _, err = cli(capsys, *argv_for(WRITERS[command], "sock.out"))
        assert code == 2 and "sock.out: is a socket" in err
    finally:
        sock.close()
    (work / "dangling.out").symlink_to(work / "absent.txt")
    code, _, err = cli(capsys, *argv_for(WRITERS[command], "dangling.out"))
    assert code == 2 and "which does not exist" in err
    assert not (work / "absent.txt").exists()


@pytest.mark.parametrize("command", ["schema", "merge", "gate", "export"])
def test_dash_means_standard_output(work, capsys, command):
    code, out, err = cli(capsys, *argv_for(WRITERS[command], "-"))
    assert code == 0, err
    assert out and not (work / "-").exists()


def test_pdf_to_standard_output_is_bytes(work, monkeypatch):
    pytest.importorskip("weasyprint")
    buffer = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(buffer, encoding="utf-8"))
    assert main(["render", "card.yaml", "--format", "pdf"]) == 0
    sys.stdout.flush()
    assert buffer.getvalue().startswith(b"%PDF-")


# --------------------------------------------------------------------------
# atomic writes: permissions, links, failures, signals


def test_an_existing_file_keeps_its_permissions_and_a_new_one_follows_the_umask(work, capsys):
    out = work / "out.yaml"
    out.write_text("old\n")
    out.chmod(0o640)
    assert cli(capsys, "merge", "card.yaml", "-o", out)[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o640 and out.read_text().startswith("# Merged by")
    old = os.umask(0o027)
    try:
        assert cli(capsys, "merge", "card.yaml", "-o", "new.yaml")[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((work / "new.yaml").stat().st_mode) == 0o640


def test_a_read_only_output_is_refused(work, capsys):
    out = work / "locked.json"
    out.write_text("{}\n")
    out.chmod(0o444)
    code, _, err = cli(capsys, "schema", "-o", out)
    assert code == 2 and "read-only" in err
    assert out.read_text() == "{}\n"


@POSIX
def test_a_symlink_to_a_file_is_written_through_and_stays_a_link(work, capsys):
    (work / "real").mkdir()
    real = work / "real" / "schema.json"
    real.write_text("old\n")
    (work / "link.json").symlink_to(real)
    assert cli(capsys, "schema", "-o", "link.json")[0] == 0
    assert (work / "link.json").is_symlink() and real.read_text().startswith("{")
    assert leftovers(work) == []


def test_a_failed_write_changes_nothing_and_leaves_no_temporary_file(work, capsys, monkeypatch):
    out = work / "out.md"
    out.write_text("old\n")

    def broken(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", broken)
    code, _, err = cli(capsys, "render", "card.yaml", "--format", "md", "-o", out)
    assert code == 2 and "out.md: cannot write: No space left on device" in err
    assert out.read_text() == "old\n" and leftovers(work) == []


def test_an_exception_during_the_write_leaves_no_temporary_file(work, monkeypatch):
    def hook(tmp):
        assert os.path.exists(tmp)
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio, "_before_rename", hook)
    with pytest.raises(KeyboardInterrupt):
        fileio.write_output(work / "out.txt", "data")
    assert not (work / "out.txt").exists() and leftovers(work) == []


# --------------------------------------------------------------------------
# batch render: names planned before anything is written


def _card(folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(MINIMAL, folder / name)


@pytest.mark.parametrize(
    "layout",
    [
        ["x/a/card.yaml", "y/a/card.yaml"],  # same folder name and stem: both a-card
        ["index.yaml", "other.yaml"],  # the index page
        ["INDEX.yaml", "other.yaml"],  # the index page, ignoring case
        ["a-card.yaml", "a/Card.yaml", "b/card.yaml"],  # a-card and a-Card on a case-insensitive disk
    ],
)
def test_batch_output_collisions_are_refused_before_anything_is_written(tmp_path, capsys, layout):
    cards = tmp_path / "cards"
    for rel in layout:
        _card(cards / Path(rel).parent, Path(rel).name)
    out = tmp_path / "site"
    code, _, err = cli(capsys, "render", cards, "--format", "html", "-o", out)
    assert code == 2 and "output names collide, nothing written" in err, err
    assert not out.exists()


def test_batch_disambiguates_same_stems_by_folder(tmp_path, capsys):
    cards = tmp_path / "cards"
    _card(cards / "a", "card.yaml")
    _card(cards / "B", "Card.yaml")
    code, _, err = cli(capsys, "render", cards, "--format", "md", "-o", tmp_path / "site")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["B-Card.md", "a-card.md", "index.md"]


def test_batch_chart_folder_that_is_a_file_is_refused_before_writing(tmp_path, capsys):
    cards = tmp_path / "cards"
    _card(cards, "one.yaml")
    shutil.copy(EXAMPLE, cards / "two.yaml")
    site = tmp_path / "site"
    site.mkdir()
    (site / "two-charts").write_text("not a folder\n")
    code, _, err = cli(capsys, "render", cards, "--format", "md", "-o", site)
    assert code == 2 and "two-charts: exists and is not a folder" in err
    assert sorted(p.name for p in site.iterdir()) == ["two-charts"]


def test_single_markdown_render_with_a_chart_path_taken_writes_nothing(tmp_path, capsys):
    shutil.copy(EXAMPLE, tmp_path / "card.yaml")
    (tmp_path / "out-charts").write_text("mine\n")
    code, _, err = cli(capsys, "render", tmp_path / "card.yaml", "-o", tmp_path / "out.md")
    assert code == 2 and "exists and is not a folder" in err
    assert not (tmp_path / "out.md").exists() and (tmp_path / "out-charts").read_text() == "mine\n"


@POSIX
def test_a_chart_file_linked_to_the_card_is_refused_before_writing(tmp_path, capsys):
    card = tmp_path / "card.yaml"
    shutil.copy(EXAMPLE, card)
    (tmp_path / "out-charts").mkdir()
    (tmp_path / "out-charts" / "fairness-largest-disparities.svg").symlink_to(card)
    code, _, err = cli(capsys, "render", card, "-o", tmp_path / "out.md")
    assert code == 2 and "refusing to overwrite an input file" in err and "fairness-largest-disparities.svg" in err
    assert card.read_bytes() == EXAMPLE.read_bytes()
    assert not (tmp_path / "out.md").exists() and [p.name for p in (tmp_path / "out-charts").iterdir()] == [
        "fairness-largest-disparities.svg"
    ]


def test_batch_output_into_the_cards_folder_never_touches_a_card(tmp_path, capsys):
    cards = tmp_path / "cards"
    _card(cards, "one.yaml")
    _card(cards, "two.yaml")
    before = {p.name: p.read_bytes() for p in cards.iterdir()}
    code, _, err = cli(capsys, "render", cards, "--format", "html", "-o", cards)
    assert code == 0, err
    assert {p.name: p.read_bytes() for p in cards.glob("*.yaml")} == before


# --------------------------------------------------------------------------
# inputs that are not regular files


@pytest.fixture
def fifo(work):
    """A FIFO nobody writes to.  Opening it would block: a watchdog unblocks a hung test after 20 s."""
    path = work / "in.fifo.yaml"
    os.mkfifo(path)
    done = threading.Event()

    def watchdog() -> None:
        if not done.wait(20):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
                os.close(fd)
            except OSError:
                pass

    threading.Thread(target=watchdog, daemon=True).start()
    yield path
    done.set()


@POSIX
@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "{in}"],
        ["check", "{in}"],
        ["render", "{in}", "--format", "md"],
        ["render", "card.yaml", "--with", "{in}", "--format", "md"],
        ["merge", "card.yaml", "--with", "{in}"],
        ["gate", "{in}"],
        ["diff", "card.yaml", "{in}"],
        ["export", "{in}", "--to", "spdx"],
        ["import", "{in}", "--from", "mct"],
        ["evaluate", "{in}", "--label", "label", "--prediction", "pred", "--sensitive", "group"],
        [
            "evaluate",
            "preds.csv",
            "--label",
            "label",
            "--prediction",
            "pred",
            "--sensitive",
            "group",
            "--thresholds-from",
            "{in}",
        ],
    ],
)
def test_a_fifo_as_input_is_refused_without_opening_it(fifo, capsys, argv):
    code, out, err = cli(capsys, *[str(fifo) if a == "{in}" else a for a in argv])
    assert code == 2, out + err
    assert "not a regular file but a FIFO" in out + err


@POSIX
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
@pytest.mark.parametrize(
    "command",
    [["validate"], ["render"], ["gate"], ["evaluate", "--label", "l", "--prediction", "p", "--sensitive", "s"]],
)
def test_a_device_as_input_is_refused(work, capsys, device, command):
    code, out, err = cli(capsys, command[0], device, *command[1:])
    assert code == 2 and "not a regular file but a character device" in out + err


@POSIX
def test_a_socket_as_input_is_refused(work, capsys):
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind("card.sock")
        code, out, err = cli(capsys, "validate", "card.sock")
    finally:
        sock.close()
    assert code == 2 and "not a regular file but a socket" in out + err


# --------------------------------------------------------------------------
# standard input


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.mark.parametrize(
    "argv, expect",
    [
        (["validate", "-"], "-: valid"),
        (["check", "-"], "items covered"),
        (["render", "-", "--format", "md"], "# tiny-model"),
        (["gate", "-", "--allow-empty"], ""),
        (["merge", "-"], "name: tiny-model"),
        (["export", "-", "--to", "cyclonedx"], '"bomFormat": "CycloneDX"'),
        (["diff", "-", str(MINIMAL)], "no differences"),
    ],
)
def test_dash_reads_the_card_from_standard_input(capsys, monkeypatch, argv, expect):
    _stdin(monkeypatch, MINIMAL.read_bytes())
    code, out, err = cli(capsys, *argv)
    assert code == 0, err
    assert expect in out


def test_standard_input_errors_are_located_at_stdin(capsys, monkeypatch):
    _stdin(monkeypatch, b"model: {name: x\n")
    code, out, err = cli(capsys, "validate", "-")
    assert code == 1 and "<stdin>:" in out + err


def test_dash_twice_is_a_clear_error(capsys, monkeypatch):
    _stdin(monkeypatch, MINIMAL.read_bytes())
    code, _, err = cli(capsys, "render", "-", "--with", "-")
    assert code == 2 and "standard input was already read" in err


def test_standard_input_over_the_limit_is_a_clear_error(capsys, monkeypatch):
    _stdin(monkeypatch, b"model: {name: x}\n" + b"#" * (9 * 1024 * 1024))
    code, out, _err = cli(capsys, "validate", "-")
    assert code == 1 and "<stdin>: error: standard input is over 8 MiB" in out and "[too-large]" in out


class _Endless(io.RawIOBase):
    """An endless stream of comment bytes that counts what was read."""

    def __init__(self) -> None:
        self.read_total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        b[:] = b"#" * len(b)
        self.read_total += len(b)
        return len(b)


def test_the_standard_input_limit_is_enforced_while_reading(capsys, monkeypatch):
    endless = _Endless()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(endless), encoding="utf-8"))
    code, out, _err = cli(capsys, "validate", "-")
    assert code == 1 and "over 8 MiB" in out
    assert endless.read_total <= MAX_BYTES + 2 * 1024 * 1024  # stopped at the limit, not at the end


def test_predictions_from_standard_input_are_refused_clearly(work, capsys):
    code, _, err = cli(capsys, "evaluate", "-", "--label", "label", "--prediction", "pred", "--sensitive", "group")
    assert code == 2 and "not standard input" in err


def test_import_from_standard_input_needs_from(capsys, monkeypatch):
    code, _, err = cli(capsys, "import", "-")
    assert code == 2 and "needs --from" in err


# --------------------------------------------------------------------------
# the helper itself


def test_init_never_overwrites_without_force_and_uses_the_helper(tmp_path, capsys):
    target = tmp_path / "card.yaml"
    target.write_text("mine\n")
    target.chmod(0o600)
    code, _, _err = cli(capsys, "init", target)
    assert code == 2 and target.read_text() == "mine\n"
    assert cli(capsys, "init", target, "--force")[0] == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and "model:" in target.read_text()
    assert yaml.safe_load(target.read_text())["model"]
