"""Shared helpers of the ``gait`` commands: clean errors, stdout/stderr discipline, progress.

Rules every command follows:

- stdout carries only the command's result (a table, JSON, CSV, a device path); progress,
  warnings and errors go to stderr (:data:`err_console`, :func:`warn`).
- A user error (:class:`~gait.errors.GaitError`, a missing file, Ctrl-C) becomes one line
  ``error: ...`` on stderr and exit code :data:`EXIT_USER_ERROR`, without a traceback: wrap the
  command in :func:`handle_errors` (decorator) or :func:`user_errors` (context manager).
- Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import typer

from gait.errors import GaitError
from gait.summary import tidy_float, tidy_floats


class Protocol(StrEnum):
    """Wire protocols a sensor can speak (firmware_bridge.codecs.PROTOCOLS)."""

    gait = "gait"
    csv = "csv"
    witmotion = "witmotion"


#: Exit code of a user error (bad file, bad option value, missing file); the same code click
#: uses for usage errors.
EXIT_USER_ERROR = 2
#: Exit code after Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130

if TYPE_CHECKING:
    from rich.console import Console

    #: The console for everything that is not the result: progress, warnings, errors.
    err_console: Console

_err_console: Console | None = None


def _console() -> Console:
    """:data:`err_console`, made on first use (rich is not imported by a command that prints
    nothing on stderr: about 0.05 s)."""
    global _err_console
    if _err_console is None:
        from rich.console import Console

        _err_console = Console(stderr=True, highlight=False, soft_wrap=True)
    return _err_console


def __getattr__(name: str) -> Any:
    if name == "err_console":
        return _console()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def escape(text: str) -> str:
    """rich's markup escape (imported when a message is printed)."""
    from rich.markup import escape as _escape

    return _escape(text)


P = ParamSpec("P")
R = TypeVar("R")


class CliInputError(GaitError):
    """A command-line input that cannot be used (missing path, empty folder, bad value)."""


def error_line(message: str) -> None:
    """Print ``error: message`` on stderr (plain text, no markup interpretation)."""
    _console().print(f"[bold red]error:[/] {escape(message)}")


def warn(message: str) -> None:
    """Print ``warning: message`` on stderr."""
    _console().print(f"[yellow]warning:[/] {escape(message)}")


def info(message: str) -> None:
    """Print a progress/status note on stderr."""
    _console().print(escape(message), style="dim")


def fail(message: str) -> NoReturn:
    """Stop the command with a user error."""
    raise CliInputError(message)


def describe_error(exc: GaitError | OSError) -> str:
    """The one-line message of a user error (a GaitError, or an OSError naming its file)."""
    if isinstance(exc, GaitError):
        return str(exc)
    name = exc.filename if exc.filename is not None else str(exc)
    if isinstance(exc, FileNotFoundError):
        return f"{name}: no such file or directory"
    if isinstance(exc, IsADirectoryError):
        return f"{name}: is a folder, expected a file"
    if isinstance(exc, PermissionError):
        return f"{name}: permission denied"
    return f"{name}: {exc.strerror or exc}"


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush of what could not be
    written fails silently instead of printing 'Exception ignored ...'."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn user errors raised inside the block into ``error: ...`` + exit code 2."""
    try:
        yield
    except GaitError as exc:
        if isinstance(exc, StdoutError):
            _silence_stdout()
        error_line(str(exc))
        raise typer.Exit(EXIT_USER_ERROR) from None
    except KeyboardInterrupt:
        error_line("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        # stdout was closed early (e.g. `gait analyse ... | head`): stop quietly.
        _silence_stdout()
        raise typer.Exit(0) from None
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        error_line(describe_error(exc))
        raise typer.Exit(EXIT_USER_ERROR) from None


class StdoutError(GaitError):
    """The results could not be written to standard output (a full disk, /dev/full)."""


@contextlib.contextmanager
def stdout_writes() -> Iterator[None]:
    """Writing to stdout inside the block: an OSError (other than a closed pipe) becomes a
    :class:`StdoutError` naming it, handled by :func:`user_errors`."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise StdoutError(
            f"cannot write the results to standard output: {exc.strerror or exc}"
        ) from None


def write_file_atomic(path: Path, text: str | bytes, *, option: str = "--out") -> None:
    """Write ``path`` whole or not at all: a temporary file in the same folder, then renamed.

    A failure (full disk, removed folder) removes the temporary file and raises a user error
    naming ``path``; an existing ``path`` is left as it was.
    """
    import tempfile

    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = -1, ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            fd = -1
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = ""
    except OSError as e:
        fail(f"{option}: cannot write {path} ({e.strerror or e}); nothing was left there")
    finally:
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator for a command function: see :func:`user_errors`."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with user_errors():
            return func(*args, **kwargs)

    return wrapper


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else tidy_float(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _json_safe(value.item())
    return value


def to_json(document: Any, *, indent: int | None = None) -> str:
    """Strict JSON text (NaN and infinities become ``null``, numpy scalars plain numbers,
    floats with :data:`~gait.summary.FLOAT_DIGITS` significant digits)."""
    return json.dumps(_json_safe(document), indent=indent, allow_nan=False)


def _tidy_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flat step records with :func:`~gait.summary.tidy_float` floats (the fast path of
    :func:`_json_safe` for the bulk of a long session's document).

    Records with the same keys (the pipeline's) are tidied a column at a time
    (:func:`~gait.summary.tidy_floats`, the same floats); others one by one."""
    if not records:
        return []
    keys = list(records[0])
    if any(len(r) != len(keys) or list(r) != keys for r in records):
        return [
            {k: tidy_float(v) if type(v) is float else v for k, v in r.items()} for r in records
        ]
    columns = []
    for k in keys:
        column = [r[k] for r in records]
        where = [i for i, v in enumerate(column) if type(v) is float]
        if where:
            tidy = tidy_floats([column[i] for i in where])
            for i, v in zip(where, tidy, strict=True):
                column[i] = v
        columns.append(column)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def sessions_json(sessions: list[dict[str, Any]]) -> str:
    """``{"sessions": [...]}`` with one session per line: each line is written by the C JSON
    encoder (``indent`` would fall back to the pure-Python one, seconds for a long session).
    Step records are JSON-ready already (pipeline), so the walk of :func:`_json_safe` is only
    done for a session that holds something else (NaN, numpy scalars)."""
    lines = []
    for s in sessions:
        try:
            tidy = {k: _tidy_records(v) if k == "steps" else _json_safe(v) for k, v in s.items()}
            lines.append(json.dumps(tidy, allow_nan=False))
        except (TypeError, ValueError):
            lines.append(to_json(s))
    return '{"sessions": [\n' + ",\n".join(lines) + "\n]}" if lines else '{"sessions": []}'


def print_json(document: Any, *, indent: int | None = None) -> None:
    """Write one JSON document and a newline to stdout, nothing else."""
    with stdout_writes():
        sys.stdout.write(to_json(document, indent=indent) + "\n")


def existing_paths(paths: Sequence[Path]) -> list[Path]:
    """The paths, after checking that each exists (else a user error naming it)."""
    for p in paths:
        if not p.exists():
            fail(f"{p}: no such file or directory")
    return list(paths)


def make_out_folder(out: Path) -> None:
    """Create the ``--out`` folder (and its parents), or fail naming it."""
    if out.exists() and not out.is_dir():
        fail(f"--out {out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        fail(
            f"--out {out}: cannot create the folder ({e.strerror}), so cannot write the "
            "results there; expected a folder path"
        )


def check_folder_of(option: str, path: Path) -> None:
    """``path`` (given to ``option``) can be created: its folder exists and is writable."""
    folder = path.parent
    if not folder.exists():
        fail(f"{option} {path}: folder {folder} does not exist")
    if not folder.is_dir():
        fail(f"{option} {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        fail(f"{option} {path}: cannot write in {folder} (permission denied)")


#: The numba kernel modules a session's analysis loads (gait/_kernels/), the step detector's
#: first: each is compiled on its first use when its cache is missing or older than it.
KERNEL_MODULES: tuple[str, ...] = (
    "_steps",
    "_other_foot",
    "_features",
    "_swing",
    "_strides",
    "_offset",
)


def first_run_note() -> None:
    """Say on stderr that the analysis kernels (numba) are being compiled, when the cache of
    one of :data:`KERNEL_MODULES` is missing or older than its source (the first run after an
    install or an upgrade: about 25 s for all, silent otherwise). A guess from the cache files:
    it may miss a cache numba keeps elsewhere (NUMBA_CACHE_DIR, a read-only install), and then
    says so once too often."""
    kernels = Path(__file__).resolve().parents[1] / "_kernels"
    cache_dir = (
        Path(os.environ.get("NUMBA_CACHE_DIR", ""))
        if os.environ.get("NUMBA_CACHE_DIR")
        else kernels / "__pycache__"
    )
    try:
        indices = list(cache_dir.rglob("*.nbi"))
        stale = []
        for name in KERNEL_MODULES:
            source = kernels / f"{name}.py"
            if not source.exists():
                continue
            src_mtime = source.stat().st_mtime
            mine = [f for f in indices if f.name.startswith(f"{name}.")]
            if not any(f.stat().st_mtime >= src_mtime for f in mine):
                stale.append(name)
    except OSError:
        return
    if stale:
        what = "the step detector" if "_steps" in stale else "the analysis kernels"
        info(
            f"note: compiling {what} for this machine (first run only, about "
            f"{25 if '_steps' in stale else 5} s; later runs start at once)"
        )


@contextlib.contextmanager
def progress_bar(
    total: int, description: str, *, min_items: int = 3
) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr when ``total >= min_items``; yields ``advance()``.

    >>> with progress_bar(len(files), "analysing") as advance:  # doctest: +SKIP
    ...     for f in files:
    ...         work(f)
    ...         advance()

    :func:`warn` and :func:`info` print cleanly above the bar (they share its console), and an
    exception inside the block removes the bar before the error line is printed.
    """
    if total < min_items:
        yield lambda: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console(),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda: bar.advance(task)
