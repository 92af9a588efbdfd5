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
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from gait.errors import GaitError


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

#: The console for everything that is not the result: progress, warnings, errors.
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


class CliInputError(GaitError):
    """A command-line input that cannot be used (missing path, empty folder, bad value)."""


def error_line(message: str) -> None:
    """Print ``error: message`` on stderr (plain text, no markup interpretation)."""
    err_console.print(f"[bold red]error:[/] {escape(message)}")


def warn(message: str) -> None:
    """Print ``warning: message`` on stderr."""
    err_console.print(f"[yellow]warning:[/] {escape(message)}")


def info(message: str) -> None:
    """Print a progress/status note on stderr."""
    err_console.print(escape(message), style="dim")


def fail(message: str) -> NoReturn:
    """Stop the command with a user error."""
    raise CliInputError(message)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn user errors raised inside the block into ``error: ...`` + exit code 2."""
    try:
        yield
    except GaitError as exc:
        error_line(str(exc))
        raise typer.Exit(EXIT_USER_ERROR) from None
    except FileNotFoundError as exc:
        name = exc.filename if exc.filename is not None else str(exc)
        error_line(f"{name}: no such file or directory")
        raise typer.Exit(EXIT_USER_ERROR) from None
    except IsADirectoryError as exc:
        error_line(f"{exc.filename}: is a folder, expected a file")
        raise typer.Exit(EXIT_USER_ERROR) from None
    except PermissionError as exc:
        error_line(f"{exc.filename}: permission denied")
        raise typer.Exit(EXIT_USER_ERROR) from None
    except KeyboardInterrupt:
        error_line("interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        # stdout was closed early (e.g. `gait analyse ... | head`): stop quietly.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(0) from None


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator for a command function: see :func:`user_errors`."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with user_errors():
            return func(*args, **kwargs)

    return wrapper


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _json_safe(value.item())
    return value


def to_json(document: Any, *, indent: int | None = None) -> str:
    """Strict JSON text (NaN and infinities become ``null``, numpy scalars plain numbers)."""
    return json.dumps(_json_safe(document), indent=indent, allow_nan=False)


def print_json(document: Any, *, indent: int | None = None) -> None:
    """Write one JSON document and a newline to stdout, nothing else."""
    sys.stdout.write(to_json(document, indent=indent) + "\n")
    sys.stdout.flush()


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
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda: bar.advance(task)
