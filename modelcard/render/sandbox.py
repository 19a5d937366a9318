"""The template sandbox: what a (possibly hostile) Jinja template can see, load and spend.

User templates (``render --template DIR``) may come from untrusted people, so
rendering gives them three walls, each built at the root rather than payload by
payload:

**Plain data.**  Templates receive a frozen tree built from the card by
:func:`freeze`: :class:`Record` (a read-only mapping for a card section or a
view object, read as ``obj.field`` or ``obj["field"]``), ``MappingProxyType``
for data dicts (group labels, counts; ``items``/``keys``/``values``/``get``
work), tuples for lists, and ``str``, ``int``, ``float``, ``bool``, ``None``,
dates and :class:`~markupsafe.Markup` (precomputed chart SVG) as leaves.  Never a
Pydantic model, numpy value, path or any other object whose methods reach
Python.  :class:`CardSandbox` (an ``ImmutableSandboxedEnvironment``) reads
records by field only, exposes an explicit allow-list of filters and globals,
and calls only what is on an allow-list of callables (macros, the globals, and
methods of the leaf types): anything else is a :class:`~jinja2.exceptions.SecurityError`.

**A jail.**  :class:`JailLoader` resolves every template, ``include``,
``import``, ``extends`` and asset (``include_raw("modelcard.css")``) inside its
folders with symlinks followed, and refuses absolute names, ``..``, and
anything whose real path is outside the folder it was found in, or that is not
a regular file, or is larger than :data:`MAX_TEMPLATE_BYTES`.

**Bounded work.**  :func:`run_bounded` renders under a :class:`Limits`: wall
time (default 10 s), output size (default 64 MiB, counted as the output
streams) and memory growth (the larger of 1 GiB and 4 x the output limit).
Hooks check the deadline on every call, filter, operator and ``range``; a
watchdog thread interrupts the rendering thread (any thread, not only the main
one) at the next bytecode when the deadline passes or memory grows too much,
so a loop that calls nothing (``{% for i in range(10**5) %}{% for j in
range(10**5) %}{% endfor %}{% endfor %}``) stops too.  Single operations that
would build a huge value in one step (``'a' * 10**10``, ``'x' | center(10**10)``,
``range(10**9)``, ``2 ** 10**9``) are refused before they run.  Breaking a limit
raises :class:`TemplateLimitError` (exit 1); a refused access or name raises
:class:`TemplateProblem` (exit 2).
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as _dt
import enum
import math
import numbers
import os
import re
import stat
import sys
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from markupsafe import Markup
from pydantic import BaseModel

from modelcard.diagnostics import ModelcardError, UsageError

MiB = 1024 * 1024
Args = tuple[Any, ...]
Kwargs = dict[str, Any]
#: a size check run before a built-in filter: (argument offset, args, kwargs) -> (args, kwargs)
FilterCheck = Callable[[int, Args, Kwargs], tuple[Args, Kwargs]]
F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_TEMPLATE_TIMEOUT = 10.0
DEFAULT_MAX_OUTPUT = 64 * MiB
MAX_TEMPLATE_BYTES = 8 * MiB  #: a template or asset file larger than this is refused
MAX_RANGE = 100_000  #: items one ``range()`` may produce (as Jinja's own sandbox)
MAX_ITEMS = 1_000_000  #: items of a list or tuple built by a template
MAX_INT_BITS = 100_000  #: integers a template computes (``**``, ``*``) stay below 2**MAX_INT_BITS
MIN_MEMORY_LIMIT = 1024 * MiB
_POLL = 0.02  # watchdog period, seconds
_GRACE = 0.05  # past the deadline, the hooks get this long to stop the rendering themselves (with a location)
_REINTERRUPT = 1.0  # if the rendering thread ignored an interrupt, send another after this long


class TemplateProblem(ModelcardError):
    """A template could not be loaded or rendered (syntax error, sandbox violation, refused file, missing value)."""

    exit_code = 2


class TemplateLimitError(TemplateProblem):
    """A template broke a work limit: time, output size, memory, or a value too large to build."""

    exit_code = 1


# --------------------------------------------------------------------------
# limits


@dataclasses.dataclass(frozen=True)
class Limits:
    """How much work one template rendering may do."""

    timeout: float = DEFAULT_TEMPLATE_TIMEOUT  #: seconds of wall time
    max_output: int = DEFAULT_MAX_OUTPUT  #: bytes of output (UTF-8); also the longest string a template may build

    @classmethod
    def of(cls, timeout: float | None = None, max_output: int | None = None) -> Limits:
        """Limits from optional API/CLI values, checked: both must be positive and finite."""
        timeout = DEFAULT_TEMPLATE_TIMEOUT if timeout is None else timeout
        max_output = DEFAULT_MAX_OUTPUT if max_output is None else max_output
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, numbers.Real)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise UsageError(f"template timeout must be a positive number of seconds, not {timeout!r}")
        if isinstance(max_output, bool) or not isinstance(max_output, numbers.Integral) or max_output <= 0:
            raise UsageError(f"maximum output size must be a positive number of bytes, not {max_output!r}")
        return cls(float(timeout), int(max_output))

    @property
    def memory(self) -> int:
        """Memory the process may grow by while a template renders."""
        return max(MIN_MEMORY_LIMIT, 4 * self.max_output)


def size_text(n: int) -> str:
    if n % MiB == 0:
        return f"{n // MiB} MiB"
    if n >= MiB:
        return f"{n / MiB:.1f} MiB"
    return f"{n:,} bytes"


class _Interrupted(BaseException):
    """Raised in a rendering thread by the watchdog; a BaseException, so ``except Exception`` lets it by."""


class LimitExceeded(Exception):
    """A work limit was hit inside the sandbox; becomes a TemplateLimitError."""


class _Budget:
    """One rendering's limits and progress, shared by the hooks and the watchdog."""

    __slots__ = ("deadline", "interrupted_at", "limits", "memory_base", "output", "reason", "thread_id")

    def __init__(self, limits: Limits):
        self.limits = limits
        self.deadline = time.monotonic() + limits.timeout
        self.thread_id = threading.get_ident()
        self.memory_base = _memory_in_use()
        self.reason: str | None = None
        self.interrupted_at: float | None = None
        self.output = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            self.reason = self.reason or "time"
            raise LimitExceeded(self.message("time"))

    def message(self, reason: str) -> str:
        if reason == "time":
            return (
                f"template rendering took longer than {self.limits.timeout:g} s "
                "(raise the limit with `template_timeout`, in seconds)"
            )
        if reason == "memory":
            return (
                f"template rendering used more than {size_text(self.limits.memory)} of memory "
                f"(the limit is 4 x `max_output`, at least {size_text(MIN_MEMORY_LIMIT)})"
            )
        return f"template output is larger than {size_text(self.limits.max_output)} (raise the limit with `max_output`)"


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("modelcard_template_budget", default=None)
_FALLBACK_LIMITS = Limits()


def _string_cap() -> int:
    budget = _BUDGET.get()
    return (budget.limits if budget is not None else _FALLBACK_LIMITS).max_output


def _tick() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.tick()


def _memory_in_use() -> int | None:
    """Resident memory of this process in bytes (current on Linux, peak elsewhere), or None if unknown."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _async_raise(thread_id: int, exc: type | None) -> bool:
    """Raise ``exc`` in thread ``thread_id`` at its next bytecode (``None`` clears a pending one). CPython only."""
    try:
        import ctypes

        set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (ImportError, AttributeError):
        return False
    changed: int = set_async_exc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc is not None else None)
    return changed == 1


class _Watchdog:
    """One daemon thread for the process: interrupts renderings that overrun their deadline or memory.

    Sleeps on a condition while nothing renders; polls every 20 ms while something does.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._active: set[_Budget] = set()
        self._thread: threading.Thread | None = None

    def enter(self, budget: _Budget) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="modelcard-template-watchdog", daemon=True)
                self._thread.start()
            self._active.add(budget)
            self._wake.notify()

    def leave(self, budget: _Budget) -> None:
        """Stop watching ``budget``; clears an interrupt sent but not yet delivered. Idempotent."""
        with self._lock:
            self._active.discard(budget)
            if budget.interrupted_at is not None:
                _async_raise(budget.thread_id, None)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._active:
                    self._wake.wait()
                now = time.monotonic()
                memory = _memory_in_use()
                for budget in self._active:
                    reason = None
                    if now > budget.deadline + _GRACE:
                        reason = "time"
                    elif (
                        memory is not None
                        and budget.memory_base is not None
                        and memory - budget.memory_base > budget.limits.memory
                    ):
                        reason = "memory"
                    if reason is None:
                        continue
                    last = budget.interrupted_at
                    if last is None and budget.reason is not None:
                        last = budget.deadline  # a hook already raised: interrupt only if that did not stop it
                    if last is None or now - last > _REINTERRUPT:
                        budget.reason = budget.reason or reason
                        budget.interrupted_at = now
                        _async_raise(budget.thread_id, _Interrupted)
            time.sleep(_POLL)


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):  # a forked worker starts with no watchdog thread and fresh locks
    os.register_at_fork(after_in_child=_WATCHDOG._reset)


def run_bounded(limits: Limits, render: Callable[[Callable[[str], None]], Any]) -> Any:
    """Run ``render(emit)`` within ``limits``, in the calling thread; ``emit(chunk)`` counts output as it streams.

    Raises :class:`LimitExceeded` when the deadline, the output size or the
    memory limit is passed (from a hook, from ``emit`` or from the watchdog's
    interrupt); its traceback locates the template line that was running.
    """
    budget = _Budget(limits)
    token = _BUDGET.set(budget)
    cap = limits.max_output
    chunks = 0

    def emit(chunk: str) -> None:
        nonlocal chunks
        budget.output += len(chunk) if chunk.isascii() else len(chunk.encode("utf-8", "surrogatepass"))
        if budget.output > cap:
            budget.reason = budget.reason or "output"
            raise LimitExceeded(budget.message("output"))
        chunks += 1
        if not chunks & 63:  # the clock every 64 chunks (the watchdog covers the rest)
            budget.tick()

    try:
        try:
            try:
                _WATCHDOG.enter(budget)
                return render(emit)
            finally:
                _WATCHDOG.leave(budget)
        except _Interrupted as exc:
            _WATCHDOG.leave(budget)
            raise LimitExceeded(budget.message(budget.reason or "time")).with_traceback(exc.__traceback__) from None
    finally:
        _BUDGET.reset(token)


# --------------------------------------------------------------------------
# plain, frozen data


class Record(Mapping[str, Any]):
    """A read-only record (a card section, a view object): ``rec.field`` and ``rec["field"]``.

    Templates read fields only; the mapping methods are for Python code (the
    filters).  Values are themselves frozen (see :func:`freeze`).
    """

    __slots__ = ("_fields",)

    def __init__(self, fields: Mapping[str, Any]):
        object.__setattr__(self, "_fields", dict(fields))

    def __getitem__(self, key: Any) -> Any:
        return self._fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __contains__(self, key: object) -> bool:
        return key in self._fields

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(f"no field {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a template record is read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("a template record is read-only")

    def __repr__(self) -> str:
        return f"Record({self._fields!r})"

    def __reduce__(self) -> tuple[type[Record], tuple[dict[str, Any]]]:
        return (Record, (self._fields,))


def _class_properties(cls: type) -> tuple[str, ...]:
    """Public properties defined by our own classes (not Pydantic's), e.g. ``extensions``, ``intersectional``."""
    found = _PROPERTIES.get(cls)
    if found is None:
        names: list[str] = []
        for klass in cls.__mro__:
            if klass is object or klass.__module__.split(".")[0] in ("pydantic", "pydantic_core"):
                continue
            for name, attr in vars(klass).items():
                if isinstance(attr, property) and not name.startswith("_") and name not in names:
                    names.append(name)
        found = _PROPERTIES[cls] = tuple(names)
    return found


_PROPERTIES: dict[type, tuple[str, ...]] = {}
_MODEL_FIELDS: dict[type, frozenset[str]] = {}  #: the declared fields of each model class (looked up once)


def freeze(value: Any, _memo: dict[int, Any] | None = None) -> Any:
    """``value`` as plain immutable data for templates.

    Pydantic models and dataclasses become :class:`Record` (fields, extra
    ``x-`` keys, then public properties); mappings become ``MappingProxyType``;
    lists, tuples and sets become tuples; numbers become ``int``/``float``,
    numpy values their Python equivalent, paths and unknown objects ``str``.
    """
    return _freeze(value, {} if _memo is None else _memo, 0)


_PLAIN = frozenset({str, int, float, bool, type(None), Markup, _dt.date, _dt.datetime, _dt.time, Record})
MAX_DEPTH = 200


def _freeze(value: Any, memo: dict[int, Any], depth: int) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if depth > MAX_DEPTH:
        raise TemplateProblem("card data is nested too deeply to pass to a template")
    plain = _PLAIN  # leaves are kept inline: most of a card is leaves, and calls are what freezing costs
    if kind is list or kind is tuple:
        return tuple([v if type(v) in plain else _freeze(v, memo, depth + 1) for v in value])
    if kind is dict:
        return types.MappingProxyType(
            {_freeze_key(k): v if type(v) in plain else _freeze(v, memo, depth + 1) for k, v in value.items()}
        )
    key = id(value)
    hit = memo.get(key)
    if hit is not None and hit[0] is value:
        return hit[1]
    result = _freeze_other(value, memo, depth + 1)
    memo[key] = (value, result)  # keeps ``value`` alive, so its id is not reused during this freeze
    return result


def _freeze_other(value: Any, memo: dict[int, Any], depth: int) -> Any:
    if isinstance(value, BaseModel):
        cls = type(value)
        known = _MODEL_FIELDS.get(cls)
        if known is None:
            known = _MODEL_FIELDS[cls] = frozenset(cls.model_fields)
        fields = {
            name: v if type(v) in _PLAIN else _freeze(v, memo, depth)
            for name, v in value.__dict__.items()
            if name in known
        }
        for name, extra in (value.__pydantic_extra__ or {}).items():
            fields.setdefault(str(name), _freeze(extra, memo, depth))
        for name in _class_properties(cls):
            fields.setdefault(name, _freeze(getattr(value, name), memo, depth))
        return Record(fields)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: _freeze(getattr(value, f.name), memo, depth)
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
        }
        for name in _class_properties(type(value)):
            fields.setdefault(name, _freeze(getattr(value, name), memo, depth))
        return Record(fields)
    if isinstance(value, Mapping):
        return types.MappingProxyType({_freeze_key(k): _freeze(v, memo, depth) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple([_freeze(v, memo, depth) for v in value])
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((_freeze(v, memo, depth) for v in value), key=repr))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, enum.Enum):
        return _freeze(value.value, memo, depth)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return _freeze(value.tolist(), memo, depth)
    if isinstance(value, _dt.datetime):
        return _dt.datetime.fromisoformat(value.isoformat())
    if isinstance(value, _dt.date):
        return _dt.date(value.year, value.month, value.day)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        return path if isinstance(path, str) else os.fsdecode(path)
    return str(value)


def _freeze_key(key: Any) -> Any:
    if type(key) in (str, int, float, bool) or key is None:
        return key
    if isinstance(key, tuple):
        return tuple(_freeze_key(k) for k in key)
    return str(key)


# --------------------------------------------------------------------------
# the jail


class TemplateRefused(Exception):
    """The loader refused a template or asset name (outside the folder, not a file, too big)."""


_DRIVE = re.compile(r"^[A-Za-z]:")


class JailLoader:
    """Load templates and assets from ``roots`` (first match wins), never from outside them.

    A name is looked up in each folder in turn; the first folder where it
    exists must hold it: its real path (symlinks followed) must be inside that
    folder's real path and be a regular file.  Otherwise the name is refused,
    it does not fall through to the next folder.
    """

    has_source_access = True

    def __init__(self, roots: Iterable[Path]):
        self.roots = tuple(Path(os.path.realpath(r)) for r in roots)

    # Jinja's BaseLoader interface
    def get_source(self, environment: Any, name: str) -> tuple[str, str, Callable[[], bool]]:
        path, signature = self.resolve(name)
        source = _read_template(path, name, signature[1:3])
        return source, str(path), lambda: self._signature_or_none(name) == signature

    def load(self, environment: Any, name: str, globals: dict[str, Any] | None = None) -> Any:
        from jinja2.loaders import BaseLoader

        return BaseLoader.load(self, environment, name, globals)  # type: ignore[arg-type]

    def list_templates(self) -> list[str]:
        return []

    # the jail
    def resolve(self, name: str) -> tuple[Path, tuple[Any, ...]]:
        """The real path of ``name`` and a signature (path, inode, mtime, size) for cache checks."""
        from jinja2 import TemplateNotFound

        parts = _split_name(name)
        for root in self.roots:
            candidate = root.joinpath(*parts)
            if not os.path.lexists(candidate):
                continue
            real = Path(os.path.realpath(candidate))
            if root not in real.parents:
                raise TemplateRefused(
                    f"template {name!r} refused: it resolves to {real}, outside the template folder {root}"
                )
            try:
                st = os.stat(real)
            except OSError as exc:
                raise TemplateRefused(f"template {name!r} cannot be read: {exc.strerror}") from None
            if not stat.S_ISREG(st.st_mode):
                raise TemplateRefused(f"template {name!r} refused: {real} is not a regular file")
            if st.st_size > MAX_TEMPLATE_BYTES:
                raise TemplateRefused(
                    f"template {name!r} refused: {real} is larger than {size_text(MAX_TEMPLATE_BYTES)}"
                )
            return real, (str(real), st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        raise TemplateNotFound(name)

    def _signature_or_none(self, name: str) -> tuple[Any, ...] | None:
        try:
            return self.resolve(name)[1]
        except Exception:
            return None


def _split_name(name: Any) -> list[str]:
    if not isinstance(name, str) or not name:
        raise TemplateRefused(f"template name {name!r} refused: not a file name")
    if "\x00" in name or any(ord(c) < 32 for c in name):
        raise TemplateRefused(f"template name {name!r} refused: it contains control characters")
    if name.startswith(("/", "\\")) or _DRIVE.match(name) or os.path.isabs(name):
        raise TemplateRefused(
            f"template {name!r} refused: absolute paths are not allowed (name a file inside the template folder)"
        )
    parts = [p for p in re.split(r"[/\\]", name) if p not in ("", ".")]
    if ".." in parts:
        raise TemplateRefused(
            f"template {name!r} refused: '..' is not allowed "
            "(templates and assets must stay inside the template folder)"
        )
    if not parts:
        raise TemplateRefused(f"template name {name!r} refused: not a file name")
    return parts


def _read_template(path: Path, name: str, identity: tuple[Any, ...]) -> str:
    """The text of a resolved template; ``identity`` (device, inode) must still match when it is open."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise TemplateRefused(f"template {name!r} cannot be read: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != identity:  # swapped since resolve()
            raise TemplateRefused(f"template {name!r} refused: {path} changed while it was being read")
        with os.fdopen(fd, "rb", closefd=False) as f:
            raw = f.read(MAX_TEMPLATE_BYTES + 1)
    finally:
        os.close(fd)
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise TemplateRefused(f"template {name!r} refused: {path} is larger than {size_text(MAX_TEMPLATE_BYTES)}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateRefused(f"template {name!r} is not UTF-8 text (byte {exc.start + 1})") from None


# --------------------------------------------------------------------------
# the environment


_MAPPING_METHODS = frozenset({"items", "keys", "values", "get"})
#: methods of leaf values a template may not call (class-level constructors, translate tables, clocks)
_DENIED_METHODS = frozenset(
    {
        "translate",
        "maketrans",
        "mro",
        "fromkeys",
        "fromtimestamp",
        "fromordinal",
        "fromisoformat",
        "fromisocalendar",
        "today",
        "now",
        "utcnow",
        "combine",
        "strptime",
        "utcfromtimestamp",
        "from_bytes",
        "fromhex",
        "encode",
        "to_bytes",
    }
)  # templates have no use for bytes
_CALLABLE_SELF_TYPES = (str, int, float, bool, tuple, _dt.date, _dt.datetime, _dt.time, types.MappingProxyType)
_FORMAT_NUMBER = re.compile(r"\d+")
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def _too_big(what: str, size: int, cap: int) -> LimitExceeded:
    return LimitExceeded(
        f"{what} would be too large ({size:,} > {cap:,}); templates may not build values larger "
        "than the output limit (`max_output`)"
    )


def _check_length(what: str, size: int, cap: int | None = None) -> None:
    cap = _string_cap() if cap is None else cap
    if size > cap:
        raise _too_big(what, size, cap)


def _check_result(result: Any) -> Any:
    kind = type(result)
    if issubclass(kind, (str, bytes)):
        _check_length("the string", len(result))
    elif kind is list or kind is tuple:
        _check_length("the list", len(result), MAX_ITEMS)
    elif kind is int and result.bit_length() > MAX_INT_BITS:
        raise LimitExceeded(f"the integer would have {result.bit_length():,} bits (at most {MAX_INT_BITS:,})")
    return result


def _int_arg(value: Any) -> int | None:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return None


def _check_percent_format(fmt: str, args: Any) -> None:
    """``'%09999999999d' % 1`` and ``'%*d' % (10**9, 1)`` build huge strings: refuse large widths."""
    cap = _string_cap()
    star = False
    for width, precision in _PERCENT_SPEC.findall(fmt):
        for n in (width, precision):
            if n == "*":
                star = True
            elif n and int(n) > cap:
                raise _too_big("a format width", int(n), cap)
    if star:
        values = args if isinstance(args, tuple) else (args,)
        for v in values:
            n = _int_arg(v)
            if n is not None and abs(n) > cap:
                raise _too_big("a format width", abs(n), cap)


def _check_brace_format(fmt: str, args: Args, kwargs: Mapping[str, Any]) -> None:
    """``'{:>9999999999}'.format(1)`` builds a huge string: refuse large widths, literal or nested."""
    cap = _string_cap()
    for number in _FORMAT_NUMBER.findall(fmt):
        if len(number) > 12 or int(number) > cap:
            raise _too_big("a format width", int(number[:13]), cap)
    if re.search(r"\{[^{}]*:[^{}]*\{", fmt):  # nested replacement field inside a format spec
        for v in (*args, *kwargs.values()):
            n = _int_arg(v)
            if n is not None and abs(n) > cap:
                raise _too_big("a format width", abs(n), cap)


def _check_method_call(obj: Any, args: Args, kwargs: Kwargs) -> Args:
    """Size checks for methods of leaf values that can build large values in one step."""
    name = obj.__name__
    owner = obj.__self__
    cap = _string_cap()
    if name in ("center", "ljust", "rjust", "zfill", "to_bytes") and args:
        n = _int_arg(args[0])
        if n is not None:
            _check_length(f"{name}() result", n, cap)
    elif name == "expandtabs" and isinstance(owner, str):
        size = kwargs.get("tabsize", args[0] if args else 8)
        n = _int_arg(size)
        if n is not None:
            _check_length("expandtabs() result", len(owner) + owner.count("\t") * max(n, 0), cap)
    elif (
        name == "replace"
        and isinstance(owner, str)
        and len(args) >= 2
        and isinstance(args[0], str)
        and isinstance(args[1], str)
    ):
        old, new = args[0], args[1]
        hits = owner.count(old) if old else len(owner) + 1
        if len(args) > 2 and _int_arg(args[2]) is not None and args[2] >= 0:
            hits = min(hits, args[2])
        _check_length("replace() result", len(owner) + hits * max(len(new) - len(old), 0), cap)
    elif name == "join" and isinstance(owner, str) and len(args) == 1:
        items = _bounded_list(args[0])
        total = len(owner) * max(len(items) - 1, 0)
        for item in items:
            total += len(item) if isinstance(item, str) else 0
            if total > cap:
                raise _too_big("join() result", total, cap)
        args = (items,)
    elif name in ("split", "rsplit") and isinstance(owner, str):
        sep = kwargs.get("sep", args[0] if args else None)
        limit = _int_arg(kwargs.get("maxsplit", args[1] if len(args) > 1 else -1))
        unbounded = limit is None or limit < 0 or limit > MAX_ITEMS
        if unbounded and len(owner.split(sep, MAX_ITEMS)) > MAX_ITEMS:
            raise _too_big(f"{name}() result", len(owner), MAX_ITEMS)
    elif name == "splitlines" and isinstance(owner, str) and len(owner) > MAX_ITEMS:
        breaks = sum(owner.count(c) for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        if breaks >= MAX_ITEMS:
            raise _too_big("splitlines() result", len(owner), MAX_ITEMS)
    return args


def _bounded_list(iterable: Any) -> list[Any]:
    items = []
    for item in iterable:
        items.append(item)
        if len(items) > MAX_ITEMS:
            raise _too_big("the list", len(items), MAX_ITEMS)
    return items


def bounded_range(*args: Any) -> range:
    """``range`` for templates: at most :data:`MAX_RANGE` items, deadline checked."""
    _tick()
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise LimitExceeded(f"range too big: {len(rng):,} items (at most {MAX_RANGE:,})")
    return rng


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """A built-in Jinja filter with the deadline and size checks."""
    import functools

    offset = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    check = _FILTER_CHECKS.get(name)

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        if check is not None:
            args, kwargs = check(offset, args, kwargs)
        return _check_result(func(*args, **kwargs))

    return guarded


def _arg(args: Args, kwargs: Kwargs, index: int, name: str, default: Any = None) -> Any:
    if name in kwargs:
        return kwargs[name]
    return args[index] if len(args) > index else default


def _filter_width(offset: int, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:  # center(value, width)
    n = _int_arg(_arg(args, kwargs, offset + 1, "width", 80))
    if n is not None:
        _check_length("center() result", n)
    return args, kwargs


def _filter_indent(offset: int, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    value = _arg(args, kwargs, offset, "s", "")
    width = _arg(args, kwargs, offset + 1, "width", 4)
    unit = len(width) if isinstance(width, str) else (_int_arg(width) or 0)
    text = str(value)
    _check_length("indent() result", len(text) + (text.count("\n") + 1) * max(unit, 0))
    return args, kwargs


def _filter_count(param: str, index: int) -> FilterCheck:
    def check(offset: int, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
        n = _int_arg(_arg(args, kwargs, offset + index, param, 0))
        if n is not None and n > MAX_RANGE:
            raise LimitExceeded(f"{param} too big: {n:,} (at most {MAX_RANGE:,})")
        return args, kwargs

    return check


def _filter_format(offset: int, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    value = args[offset] if len(args) > offset else ""
    _check_percent_format(str(value), tuple(args[offset + 1 :]) or tuple(kwargs.values()))
    return args, kwargs


def _filter_join(offset: int, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    # join(value, d="", attribute=None): convert the items to strings first, counting as they come
    from markupsafe import soft_str

    value = args[offset] if len(args) > offset else ()
    sep = _arg(args, kwargs, offset + 1, "d", "")
    attribute = _arg(args, kwargs, offset + 2, "attribute", None)
    items = _bounded_list(value)
    if attribute is not None:
        from jinja2.filters import make_attrgetter

        env = args[0].environment if offset else None
        if env is None:
            raise LimitExceeded("join(attribute=...) needs the environment")
        getter = make_attrgetter(env, attribute)
        items = [getter(x) for x in items]
    cap = _string_cap()
    total = len(str(sep)) * max(len(items) - 1, 0)
    texts = []
    for item in items:
        text = item if isinstance(item, str) else soft_str(item)
        total += len(text)
        if total > cap:
            raise _too_big("join() result", total, cap)
        texts.append(text)
    return (*args[:offset], texts, sep), {}


def _filter_replace(offset: int, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    value = args[offset] if len(args) > offset else ""
    old = _arg(args, kwargs, offset + 1, "old", "")
    new = _arg(args, kwargs, offset + 2, "new", "")
    count = _int_arg(_arg(args, kwargs, offset + 3, "count", None))
    text, old, new = str(value), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        hits = min(hits, count)
    _check_length("replace() result", len(text) + hits * max(len(new) - len(old), 0))
    return args, kwargs


def _filter_sized(offset: int, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    """Filters that build a list of their input in one step (list, sort, ...): at most MAX_ITEMS items."""
    value = args[offset] if len(args) > offset else ()
    try:
        n = len(value)
    except TypeError:
        return args, kwargs
    _check_length("the list", n, MAX_ITEMS)
    return args, kwargs


def _filter_sum(offset: int, args: Args, kwargs: Kwargs) -> tuple[Args, Kwargs]:
    """``sum(start=[])`` concatenates in one C call: count the items first."""
    start = _arg(args, kwargs, offset + 2, "start", 0)
    if not isinstance(start, (list, tuple, str)):
        return args, kwargs
    items = _bounded_list(args[offset] if len(args) > offset else ())
    attribute = _arg(args, kwargs, offset + 1, "attribute", None)
    if attribute is not None:
        from jinja2.filters import make_attrgetter

        getter = make_attrgetter(args[0], attribute)
        items = [getter(x) for x in items]
    total = len(start)
    for item in items:
        total += len(item) if isinstance(item, (list, tuple, str)) else 0
        _check_length("sum() result", total, MAX_ITEMS)
    return (*args[:offset], items), {"start": start}


_WORD = re.compile(r"\w+")


def _wordcount(s: Any) -> int:
    """Jinja's ``wordcount``, counting matches as they come instead of building a list of every word."""
    from markupsafe import soft_str

    return sum(1 for _ in _WORD.finditer(soft_str(s)))


_FILTER_CHECKS: dict[str, FilterCheck] = {
    "center": _filter_width,
    "indent": _filter_indent,
    "batch": _filter_count("linecount", 1),
    "slice": _filter_count("slices", 1),
    "format": _filter_format,
    "join": _filter_join,
    "replace": _filter_replace,
    "list": _filter_sized,
    "sort": _filter_sized,
    "groupby": _filter_sized,
    "unique": _filter_sized,
    "reverse": _filter_sized,
    "dictsort": _filter_sized,
    "sum": _filter_sum,
}

#: Jinja's built-in filters that templates keep (all pure; size-sensitive ones are checked above).
#: Left out: ``random`` (rendering is deterministic: the same card gives the same bytes).
BUILTIN_FILTERS = (
    "abs",
    "attr",
    "batch",
    "capitalize",
    "center",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "filesizeformat",
    "first",
    "float",
    "forceescape",
    "format",
    "groupby",
    "indent",
    "int",
    "items",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "pprint",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "safe",
    "select",
    "selectattr",
    "slice",
    "sort",
    "string",
    "striptags",
    "sum",
    "title",
    "tojson",
    "trim",
    "truncate",
    "unique",
    "upper",
    "urlencode",
    "urlize",
    "wordcount",
    "wordwrap",
    "xmlattr",
)


def _json_default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _make_environment_class() -> type[Any]:
    from jinja2 import StrictUndefined
    from jinja2.runtime import BlockReference, LoopContext, Macro, Undefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment
    from jinja2.utils import missing

    class CardUndefined(StrictUndefined):
        """StrictUndefined that names a record's fields: ``no field 'nmae' here (fields: name, version, ...)``."""

        __slots__ = ()

        @property
        def _undefined_message(self) -> str:
            obj = self._undefined_obj
            if not self._undefined_hint and obj is not missing and type(obj) is Record:
                fields = list(obj._fields)
                shown = ", ".join(fields[:15]) + (", ..." if len(fields) > 15 else "")
                return f"no field {self._undefined_name!r} here (fields: {shown})"
            if not self._undefined_hint and obj is not missing and type(obj) is types.MappingProxyType:
                return f"no key {self._undefined_name!r} here"
            return super()._undefined_message

    class CardSandbox(ImmutableSandboxedEnvironment):
        """Jinja's immutable sandbox, narrowed to plain card data, allow-listed callables and bounded work."""

        intercepted_binops = frozenset({"*", "**", "+", "%"})
        undefined_class = CardUndefined
        #: macro and block results are Markup (set for environments whose ``finalize`` escapes output)
        markup_macros = False

        # ---- reading: records by field, data mappings by key (plus items/keys/values/get)
        def getattr(self, obj: Any, attribute: str) -> Any:
            kind = type(obj)
            if kind is Record:
                try:
                    return obj._fields[attribute]
                except (KeyError, TypeError):
                    return self._missing(obj, attribute)
            if kind is types.MappingProxyType:
                if attribute in _MAPPING_METHODS:
                    return getattr(obj, attribute)
                try:
                    return obj[attribute]
                except (KeyError, TypeError):
                    return self._missing(obj, attribute)
            return super().getattr(obj, attribute)

        def getitem(self, obj: Any, argument: Any) -> Any:
            kind = type(obj)
            if kind is Record or kind is types.MappingProxyType:
                try:
                    return obj[argument]
                except (KeyError, TypeError):
                    pass
                if kind is types.MappingProxyType and argument in _MAPPING_METHODS:
                    return getattr(obj, argument)
                return self._missing(obj, argument)
            return super().getitem(obj, argument)

        def _missing(self, obj: Any, name: Any) -> Any:
            if isinstance(name, str) and name.startswith("_"):  # __class__, _fields...: say it is refused
                return self.unsafe_undefined(obj, name)
            return self.undefined(obj=obj, name=name)

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            kind = type(obj)
            if kind is Record:  # the attr filter reaches here: fields only, never the mapping methods
                return isinstance(attr, str) and attr in obj._fields and obj._fields[attr] is value
            if kind is types.MappingProxyType:
                return attr in _MAPPING_METHODS
            return super().is_safe_attribute(obj, attr, value)

        # ---- calling: an allow-list
        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            _tick()
            if type(__obj) is Macro:  # the common case, template code: no context to pass, nothing to check
                kwargs.pop("_loop_vars", None)  # as Context.call does for callables that take no context
                kwargs.pop("_block_vars", None)
                result = _check_result(__obj(*args, **kwargs))
                return Markup(result) if __self.markup_macros and type(result) is str else result
            if isinstance(__obj, Undefined):  # let it raise its own "undefined" error
                return __context.call(__obj, *args, **kwargs)
            if not __self._callable(__obj):
                from jinja2.exceptions import SecurityError

                raise SecurityError(f"calling {_describe(__obj)} is not allowed in templates")
            if isinstance(__obj, (types.BuiltinMethodType, types.MethodType)) and isinstance(
                __obj.__self__, _CALLABLE_SELF_TYPES
            ):
                args = _check_method_call(__obj, args, kwargs)
            else:
                cap = _string_cap()
                for value in (*args, *kwargs.values()):
                    if isinstance(value, str) and len(value) > cap:
                        raise _too_big("an argument", len(value), cap)
            result = _check_result(__context.call(__obj, *args, **kwargs))
            if __self.markup_macros and isinstance(__obj, (Macro, BlockReference)) and type(result) is str:
                # a macro's or block's text is template text, its values already escaped when it printed
                # them: mark it so the Markdown finalize hook does not escape it a second time
                result = Markup(result)
            return result

        def _callable(self, obj: Any) -> bool:
            if isinstance(obj, (Macro, BlockReference, LoopContext)):
                return True
            if isinstance(obj, types.FunctionType):  # only the globals and str.format wrappers we marked
                return getattr(obj, "_modelcard_template_safe", False) is True
            if isinstance(obj, (types.BuiltinMethodType, types.MethodType)):
                owner = getattr(obj, "__self__", None)
                name = getattr(obj, "__name__", "")
                if name.startswith("_") or name in _DENIED_METHODS:
                    return False
                if type(owner) is types.MappingProxyType:
                    return name in _MAPPING_METHODS
                if isinstance(owner, LoopContext):
                    return name in ("cycle", "changed")
                if isinstance(owner, _CALLABLE_SELF_TYPES):  # includes Markup (a str)
                    return isinstance(obj, types.BuiltinMethodType) or isinstance(owner, Markup)
            return False

        def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
            wrapper = super().wrap_str_format(value)
            if wrapper is None:
                return None
            fmt = str(value.__self__)

            def checked(*args: Any, **kwargs: Any) -> str:
                _check_brace_format(
                    fmt,
                    args,
                    kwargs
                    if value.__name__ == "format"
                    else (args[0] if args and isinstance(args[0], Mapping) else {}),
                )
                return str(_check_result(wrapper(*args, **kwargs)))

            checked._modelcard_template_safe = True  # type: ignore[attr-defined]
            return checked

        # ---- operators
        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            _tick()
            if operator == "*":
                _check_multiply(left, right)
            elif operator == "**":
                _check_power(left, right)
            elif operator == "+":
                if isinstance(left, str) and isinstance(right, str):
                    _check_length("the string", len(left) + len(right))
                elif isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
                    _check_length("the list", len(left) + len(right), MAX_ITEMS)
            elif operator == "%" and isinstance(left, str):
                _check_percent_format(left, right)
            return _check_result(self.binop_table[operator](left, right))

    return CardSandbox


def _check_multiply(left: Any, right: Any) -> None:
    for seq, n in ((left, right), (right, left)):
        count = _int_arg(n)
        if count is None:
            continue
        if isinstance(seq, (str, bytes)):
            _check_length("the string", len(seq) * max(count, 0))
            return
        if isinstance(seq, (list, tuple)):
            _check_length("the list", len(seq) * max(count, 0), MAX_ITEMS)
            return
    a, b = _int_arg(left), _int_arg(right)
    if a is not None and b is not None and a.bit_length() + b.bit_length() > MAX_INT_BITS + 1:
        raise LimitExceeded(
            f"the integer would have about {a.bit_length() + b.bit_length():,} bits (at most {MAX_INT_BITS:,})"
        )


def _check_power(base: Any, exponent: Any) -> None:
    a, b = _int_arg(base), _int_arg(exponent)
    if a is None or b is None or b <= 0 or abs(a) <= 1:
        return
    bits = (abs(a).bit_length() - 1) * b
    if bits > MAX_INT_BITS or b > MAX_INT_BITS:
        raise LimitExceeded(f"the integer would have more than {min(bits, 10**18):,} bits (at most {MAX_INT_BITS:,})")


def _describe(obj: Any) -> str:
    name = getattr(obj, "__name__", None)
    owner = getattr(obj, "__self__", None)
    if name and owner is not None and not isinstance(owner, types.ModuleType):
        return f"{type(owner).__name__}.{name}()"
    if name:
        return f"{name}()"
    return f"a {type(obj).__name__} object"


_ENV_CLASS: type[Any] | None = None


def safe_function(func: F) -> F:
    """Mark a Python function as callable from templates (globals such as ``include_raw``)."""
    func._modelcard_template_safe = True  # type: ignore[attr-defined]
    return func


def new_environment(
    roots: Iterable[Path],
    *,
    autoescape: bool,
    filters: Mapping[str, Callable[..., Any]],
    globals: Mapping[str, Any],
    finalize: Callable[[Any], Any] | None = None,
) -> Any:
    """A sandboxed environment loading from ``roots`` with exactly these filters and globals (plus ``range``).

    ``finalize`` (for formats without autoescape, i.e. Markdown) is applied to
    every value a template prints; values that are :class:`~markupsafe.Markup`
    (the output of our filters, macros and blocks) are expected to pass through it.

    Jinja's default globals are removed: ``cycler``, ``joiner`` and
    ``namespace`` are stateful helper objects (``namespace`` is the one way to
    mutate state across loop iterations), ``lipsum`` builds text of any length
    from a random generator, and ``dict`` is not needed (``{...}`` literals
    work).  ``range`` stays, bounded to :data:`MAX_RANGE` items.
    """
    global _ENV_CLASS
    from jinja2.filters import FILTERS

    if _ENV_CLASS is None:
        _ENV_CLASS = _make_environment_class()
    env = _ENV_CLASS(
        loader=JailLoader(roots),
        autoescape=autoescape,
        undefined=_ENV_CLASS.undefined_class,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    env.markup_macros = finalize is not None
    env.filters.clear()
    for name in BUILTIN_FILTERS:
        env.filters[name] = _guard_filter(name, _wordcount if name == "wordcount" else FILTERS[name])
    env.filters.update(filters)  # ours: plain functions of card data, bounded by their input
    env.globals.clear()
    env.globals["range"] = safe_function(bounded_range)
    for name, value in globals.items():
        env.globals[name] = freeze(value) if not callable(value) else safe_function(value)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "default": _json_default}
    return env
