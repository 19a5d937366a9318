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

import io
import os

from modelcard.io import write as fileio

# --------------------------------------------------------------------------
# standard input


def test_a_file_that_grows_past_the_limit_is_refused_while_reading(tmp_path):
    from modelcard.io.write import read_limited

    assert read_limited(io.BytesIO(b"x" * 100), 100) == b"x" * 100
    assert read_limited(io.BytesIO(b"x" * 101), 100) is None


# --------------------------------------------------------------------------
# the helper itself


def test_same_file_by_path_link_and_inode(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("x")
    (tmp_path / "l.txt").symlink_to(a)
    os.link(a, tmp_path / "h.txt")
    (tmp_path / "b.txt").write_text("x")
    assert fileio.same_file(a, tmp_path / "sub" / ".." / "a.txt")
    assert fileio.same_file(a, tmp_path / "l.txt") and fileio.same_file(a, tmp_path / "h.txt")
    assert not fileio.same_file(a, tmp_path / "b.txt")
    assert not fileio.same_file(a, tmp_path / "missing.txt")
