"""The ``gait`` command line: a thin registration of the command modules.

Each command lives in ``gait/cli/<command>.py`` and exposes ``register(app)``; shared helpers
(clean errors, stdout/stderr discipline, progress) are in :mod:`gait.cli._common`.
"""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    name="gait",
    help="Ankle-IMU gait analysis: steps, direction, foot strike and energy, live or from files.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"gait {version('gait')}")
        except PackageNotFoundError:
            typer.echo("gait (not installed)")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Ankle-IMU gait analysis: steps, direction, foot strike and energy, live or from files."""


# Command modules: one line each (the owner of a command adds it when the module lands).
from gait.cli import analyse  # noqa: E402

analyse.register(app)
from gait.cli import simulate  # noqa: E402

simulate.register(app)
from gait.cli import emulate, stream  # noqa: E402

emulate.register(app)
stream.register(app)
from gait.cli import progress  # noqa: E402

progress.register(app)
from gait.cli import evaluate  # noqa: E402

evaluate.register(app)
from gait.cli import train  # noqa: E402

train.register(app)


def main() -> None:
    """Entry point of the ``gait`` console script."""
    import gc

    # The garbage collector's defaults (a young collection every 700 new objects, a full one
    # every 100 of those) cost a 2-hour session about 0.3-0.5 s: 4 full collections of the
    # 100 000 objects that numba, pandas and the analysis keep. The modules imported so far live
    # as long as the process (frozen: never scanned again), and collections come less often
    # (one full collection instead of four; cyclic garbage is still collected).
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        app()
    except SystemExit as done:
        _exit_now(done.code)
        raise


def _exit_now(code: object) -> None:
    """End the process without the interpreter's teardown (about 0.4 s of freeing numba, pandas
    and numpy objects for nothing) once the command is over and its output flushed.

    Only when nothing else is running: no other thread and no dask.distributed (its clusters
    clean up their worker processes at exit; plain dask, which scikit-learn may import, has
    nothing to clean up). Returns (for the normal exit) if it is not safe or if flushing
    fails (the normal path reports that)."""
    import os
    import sys
    import threading

    if not isinstance(code, int | None) or os.environ.get("GAIT_SLOW_EXIT"):
        return
    if threading.active_count() > 1 or "distributed" in sys.modules:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code or 0)


__all__ = ["app", "main"]
