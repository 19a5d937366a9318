"""Safe input and output: the one place where modelcard opens files it reads or writes.

Output (every command that writes goes through :func:`write_output` or :func:`emit`):

* ``-o`` naming any input of the command (card, fragment, ``--with`` overlay,
  predictions, template, README...) is refused with exit 2, whether it names
  it by the same path, a ``./`` variant, a symbolic link or a hard link
  (compared by real path and by device and inode);
* a regular file (or an absent one) is written atomically: a temporary file in
  the same folder, ``fsync``, then a rename over the target, which keeps its
  permission bits; a reader never sees half a file and a failure changes
  nothing;
* a symbolic link to a regular file is written *through*: the file it points
  at is replaced atomically and the link stays a link (a link to nothing is
  refused);
* a character device (``/dev/null``, a terminal) or a FIFO is written into
  directly and stays what it was; ``/dev/stdout``, ``/dev/stderr`` and
  ``/dev/fd/N`` write to the already open descriptor (so ``>>`` still appends);
* a directory, a socket or a block device is refused with exit 2, as is a
  missing folder or a read-only file;
* ``-`` (and no ``-o`` at all, for :func:`emit`) means standard output;
* no temporary file is left behind: it is removed on any error, and on
  SIGINT, SIGTERM or SIGHUP during the write (the signal is then re-delivered,
  so the process still ends the way the signal says).

A hard-linked target gets a new file under its name (the rename gives the name
a new inode); the other names of the old file keep the old content.

Input: :func:`open_regular` refuses anything but a regular file (a FIFO,
socket or device) *before* opening it, because opening a FIFO blocks until
someone writes to it.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, Union

from modelcard.diagnostics import UnreadableError, UsageError

PathLike = Union[str, "os.PathLike[str]"]

#: the name that means standard input (for inputs) or standard output (for outputs)
STDIO = "-"

#: test hook: called with the temporary file's path once the data is in it, before the rename
_before_rename: Callable[[str], None] | None = None

_FD_ALIAS = re.compile(r"^/(?:dev/fd|proc/self/fd)/(\d+)$")
_STD_ALIAS = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def is_stdio(path: PathLike | None) -> bool:
    """True for ``None`` and ``-``: standard input/output rather than a file."""
    return path is None or os.fspath(path) == STDIO


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISCHR(mode):
        return "a character device"
    return "a special file"


# --------------------------------------------------------------------------
# input


def require_regular(path: PathLike, what: str = "file") -> os.stat_result:
    """``os.stat`` of ``path``, refusing (exit 2) what cannot be read as a ``what``.

    Missing files, directories, FIFOs, sockets and devices are refused without
    being opened.
    """
    name = os.fspath(path)
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise UnreadableError(f"{name}: no such file") from None
    except PermissionError:
        raise UnreadableError(f"{name}: permission denied") from None
    except OSError as exc:
        raise UnreadableError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableError(f"{name}: is a directory, not a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableError(f"{name}: not a regular file but {_kind(st.st_mode)}; give a {what}")
    return st


def open_regular(path: PathLike, what: str = "file") -> BinaryIO:
    """Open a regular file for reading in binary mode, refusing anything else (exit 2).

    The file is checked before it is opened, and opened without blocking, so
    a FIFO swapped in between cannot hang the process; what was opened is
    checked again.
    """
    name = os.fspath(path)
    require_regular(name, what)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(name, flags)
    except FileNotFoundError:
        raise UnreadableError(f"{name}: no such file") from None
    except PermissionError:
        raise UnreadableError(f"{name}: permission denied") from None
    except OSError as exc:
        raise UnreadableError(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableError(f"{name}: not a regular file but {_kind(st.st_mode)}; give a {what}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(stream: BinaryIO, limit: int) -> bytes | None:
    """Read ``stream`` to its end, or return ``None`` as soon as it is longer than ``limit`` bytes.

    The limit is enforced while reading (at most ``limit + 1`` bytes are read),
    so it holds for pipes and files that grow as well as for the size a file
    claims.
    """
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            return None


# --------------------------------------------------------------------------
# output: checks


def _stat(path: str, follow: bool = True) -> os.stat_result | None:
    try:
        return os.stat(path) if follow else os.lstat(path)
    except OSError:
        return None


def same_file(a: PathLike, b: PathLike) -> bool:
    """Whether ``a`` and ``b`` name the same file: same real path, or same device and inode."""
    a, b = os.fspath(a), os.fspath(b)
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    sa, sb = _stat(a), _stat(b)
    return sa is not None and sb is not None and (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _fd_alias(path: str) -> int | None:
    """The descriptor ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N`` or ``/proc/self/fd/N`` names."""
    if path in _STD_ALIAS:
        return _STD_ALIAS[path]
    m = _FD_ALIAS.match(path)
    return int(m.group(1)) if m else None


def _real_inputs(inputs: Iterable[PathLike | None]) -> list[str]:
    return [os.fspath(p) for p in inputs if p is not None and not is_stdio(p)]


def _refuse_inputs(
    target: str, target_stat: os.stat_result | None, inputs: Iterable[PathLike | None], shown: str
) -> None:
    real = os.path.realpath(target)
    for src in _real_inputs(inputs):
        st = _stat(src)
        same = os.path.realpath(src) == real or (
            st is not None
            and target_stat is not None
            and (st.st_dev, st.st_ino) == (target_stat.st_dev, target_stat.st_ino)
        )
        if same:
            how = "" if os.path.abspath(src) == os.path.abspath(target) else f" ({shown} and {src} are the same file)"
            raise UsageError(f"{shown}: refusing to overwrite an input file{how}; write the output elsewhere")


def check_output(target: PathLike | None, inputs: Iterable[PathLike | None] = ()) -> None:
    """Refuse (exit 2) an output that would destroy an input or cannot be written.

    Commands call this before they do their work; :func:`write_output` checks
    again when it writes.  ``None`` and ``-`` (standard output) are refused only
    when standard output is itself redirected into an input (``>> card.yaml``).
    """
    _plan(target, list(inputs))


def _plan(target: PathLike | None, inputs: list[PathLike | None]) -> tuple[str, str | None]:
    """(how, where): ``("fd", n)``, ``("stream", path)`` or ``("atomic", real_path)``."""
    if target is None or is_stdio(target):
        try:
            out = os.fstat(sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # no real descriptor (captured in tests)
            return "stdout", None
        if stat.S_ISREG(out.st_mode):
            _refuse_inputs(f"/proc/self/fd/{sys.stdout.fileno()}", out, inputs, "standard output")
        return "stdout", None
    shown = os.fspath(target)
    path = os.path.abspath(shown)
    fd = _fd_alias(path)
    st = _stat(path)
    if fd is not None and st is not None:
        if stat.S_ISREG(st.st_mode):
            _refuse_inputs(path, st, inputs, shown)
        return "fd", str(fd)
    _refuse_inputs(path, st, inputs, shown)
    link = _stat(path, follow=False)
    if st is None:
        if link is not None and stat.S_ISLNK(link.st_mode):
            raise UsageError(
                f"{shown}: is a symbolic link to {os.readlink(path)}, which does not exist; "
                "remove the link or write elsewhere"
            )
        folder = os.path.dirname(path)
        fst = _stat(folder)
        if fst is None or not stat.S_ISDIR(fst.st_mode):
            raise UsageError(f"{shown}: folder {os.path.dirname(shown) or '.'} does not exist")
        return "atomic", path
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise UsageError(f"{shown}: is a directory; give a file name")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return "stream", path
    if not stat.S_ISREG(mode):
        raise UsageError(f"{shown}: is {_kind(mode)}; cannot write output there")
    if not mode & 0o222 or not os.access(path, os.W_OK):  # read-only is respected, even by root
        raise UsageError(f"{shown}: permission denied (the file is read-only)")
    return "atomic", os.path.realpath(path)


# --------------------------------------------------------------------------
# output: writing


def _payload(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def write_output(target: PathLike, data: str | bytes, *, inputs: Iterable[PathLike | None] = ()) -> None:
    """Write ``data`` (text is UTF-8) to ``target`` safely; see the module docstring.

    Raises :class:`UsageError` (exit 2) when ``target`` is an input or cannot
    take output, :class:`UnreadableError` (exit 2) when the write fails.
    """
    how, where = _plan(target, list(inputs))
    payload = _payload(data)
    shown = os.fspath(target) if target is not None else STDIO
    if how == "stdout":
        _to_stdout(data)
    elif how == "fd":
        _write_fd(int(where), payload, shown)  # type: ignore[arg-type]
    elif how == "stream":
        _write_stream(where, payload, shown)  # type: ignore[arg-type]
    else:
        _write_atomic(where, payload, shown)  # type: ignore[arg-type]


def emit(output: PathLike | None, data: str | bytes, *, inputs: Iterable[PathLike | None] = ()) -> None:
    """Write ``data`` to ``output``, or to standard output when ``output`` is ``None`` or ``-``."""
    write_output(STDIO if output is None else output, data, inputs=inputs)


def _to_stdout(data: str | bytes) -> None:
    if isinstance(data, str):
        sys.stdout.write(data)
        sys.stdout.flush()
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


def _write_fd(fd: int, payload: bytes, shown: str) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        _write_all(fd, payload)
    except BrokenPipeError:
        raise  # the reader went away: the CLI exits quietly
    except OSError as exc:
        raise UnreadableError(f"{shown}: cannot write: {exc.strerror or exc}") from None


def _write_stream(path: str, payload: bytes, shown: str) -> None:
    """A device or FIFO: write into it as it is (no create, no truncate, no rename)."""
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise UnreadableError(f"{shown}: cannot write: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):  # swapped since it was checked
            raise UsageError(f"{shown}: changed while being written to; nothing written")
        _write_all(fd, payload)
    except BrokenPipeError:
        raise  # the reader went away: the CLI exits quietly
    except OSError as exc:
        raise UnreadableError(f"{shown}: cannot write: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _umask() -> int:
    try:  # Linux: read it without changing it (os.umask would, for a moment, for every thread)
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomic(path: str, payload: bytes, shown: str) -> None:
    import tempfile  # not on the path of commands that only read

    folder, name = os.path.split(path)
    existing = _stat(path)
    mode = (existing.st_mode & 0o7777) if existing is not None else (0o666 & ~_umask())
    tmp: str | None = None
    with _signals_raise():
        try:
            with _signals_blocked():  # no signal between creating the file and knowing its name
                fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            if existing is not None and hasattr(os, "chown"):
                with contextlib.suppress(OSError):  # keeps the owner when we may (as root)
                    if (existing.st_uid, existing.st_gid) != (os.getuid(), os.getgid()):
                        os.chown(tmp, existing.st_uid, existing.st_gid)
            if _before_rename is not None:
                _before_rename(tmp)
            with _signals_blocked():
                os.replace(tmp, path)
                tmp = None
        except OSError as exc:
            raise UnreadableError(f"{shown}: cannot write: {exc.strerror or exc}") from None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
    _fsync_dir(folder)


def _fsync_dir(folder: str) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------------
# signals during a write


class _Signalled(BaseException):
    """A terminating signal arrived while a temporary file existed."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _signals() -> tuple[int, ...]:
    import signal  # imported when a file is written, not by commands that only read

    return tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """Turn SIGINT/SIGTERM/SIGHUP into an exception for the duration, so ``finally`` blocks
    run; afterwards, re-deliver the signal to the handler that was there before."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum: int, frame: object) -> None:
        raise _Signalled(signum)

    for sig in _signals():
        old = signal.getsignal(sig)
        if old in (signal.SIG_IGN, None) or old is signal.default_int_handler:
            continue  # ignored, or already an exception (KeyboardInterrupt)
        previous[sig] = old
        signal.signal(sig, handler)
    try:
        yield
    except _Signalled as exc:
        for sig, old in previous.items():
            signal.signal(sig, old)
        previous = {}
        old = signal.getsignal(exc.signum)
        if callable(old):
            old(exc.signum, None)
        else:
            os.kill(os.getpid(), exc.signum)  # default action: end as the signal says
        raise SystemExit(128 + exc.signum) from None
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """Hold terminating signals back for a few statements (delivered right after)."""
    import signal

    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _signals())
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# --------------------------------------------------------------------------
# inputs held in folders


def files_under(folder: PathLike | None, limit: int = 10_000) -> list[str]:
    """Regular files below ``folder`` (at most ``limit``): the inputs a template folder holds."""
    if folder is None:
        return []
    out: list[str] = []
    root = os.fspath(folder)
    if not os.path.isdir(root):
        return out
    for dirpath, _dirs, files in os.walk(root, followlinks=False):
        for f in files:
            out.append(os.path.join(dirpath, f))
            if len(out) >= limit:
                return out
    return out
