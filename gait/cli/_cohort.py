"""The cohort path of ``gait analyse``: ``--report``, ``--workers N``, ``--scheduler ADDRESS``.

Sessions are analysed into ``--out`` by :mod:`gait.cohort` (resumably; on Dask with
``--workers``/``--scheduler``), with a progress bar on stderr; stdout gets the cohort table
(``--format table``), the cohort rows as JSON (``--format json``) or as CSV (``--format csv``).
A session that fails is named on stderr and the command exits non-zero at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from gait.cli._common import (
    EXIT_USER_ERROR,
    _console,
    fail,
    info,
    make_out_folder,
    print_json,
    progress_bar,
)

#: Columns of the table printed on stdout (cohort table column, header, digits).
_PRINTED = (
    ("n_steps", "steps", 0),
    ("n_bouts", "bouts", 0),
    ("walking_time_s", "walking (s)", 1),
    ("cadence_spm", "cadence", 1),
    ("mean_stride_time_s", "stride (s)", 3),
    ("mean_speed_m_s", "speed (m/s)", 2),
)


def check_cohort_options(
    *, out: Path | None, report: bool, workers: int | None, scheduler: str | None
) -> bool:
    """Whether the cohort path is asked for; a user error for options that do not fit."""
    if workers is not None and scheduler is not None:
        fail("--workers starts a cluster and --scheduler uses an existing one: give only one")
    if workers is not None and workers < 1:
        fail(f"--workers {workers}: expected 1 or more worker processes")
    import importlib.util

    if report and importlib.util.find_spec("matplotlib") is None:
        fail("--report draws its figures with matplotlib: pip install matplotlib")
    if (workers is not None or scheduler is not None) and importlib.util.find_spec(
        "distributed"
    ) is None:
        fail("--workers/--scheduler run on Dask: pip install 'gait[dask]'")
    asked = report or workers is not None or scheduler is not None
    if asked and out is None:
        option = "--report" if report else "--workers" if workers is not None else "--scheduler"
        fail(f"{option} writes files per session and for the cohort: give --out DIR")
    return asked


def run_cohort_command(
    files: list[Path],
    out: Path,
    options: dict[str, Any],
    *,
    report: bool,
    workers: int | None,
    scheduler: str | None,
    output_format: str,
    overwrite: bool = False,
) -> None:
    """Analyse ``files`` into ``out`` through :func:`gait.cohort.run_cohort` and print the
    cohort table; exits with :data:`EXIT_USER_ERROR` at the end if a session failed."""
    from gait.cohort import make_jobs, run_cohort, write_cohort_outputs
    from gait.errors import GaitError

    make_out_folder(out)
    try:
        jobs = make_jobs(files, out, report=report, options=options)
    except GaitError as e:
        fail(str(e))
    where = (
        f"a Dask LocalCluster of {workers} worker(s)"
        if workers is not None
        else f"the Dask cluster at {scheduler}"
        if scheduler is not None
        else "this process"
    )
    info(f"analysing {len(jobs)} session(s) into {out} on {where}")
    failed: list[dict[str, Any]] = []
    with progress_bar(len(jobs), "analysing", min_items=1) as advance:

        def on_result(row: dict[str, Any]) -> None:
            if row["status"] != "ok":
                failed.append(row)
                _console().print(f"[bold red]failed:[/] {row['error']}", markup=True)
            advance()

        run = run_cohort(
            jobs, workers=workers, scheduler=scheduler, overwrite=overwrite, on_result=on_result
        )
    if run.n_skipped:
        info(
            f"{run.n_skipped} session(s) already complete in {out}: skipped "
            "(--overwrite analyses them again)"
        )
    table = run.table()
    try:
        written = write_cohort_outputs(table, out, report=report)
    except OSError as e:
        fail(f"--out {out}: cannot write {e.filename or out} ({e.strerror or e})")
    info("wrote " + ", ".join(str(p) for p in written))
    _print(table, output_format)
    if failed:
        names = ", ".join(r["file"] for r in failed)
        _console().print(
            f"[bold red]error:[/] {len(failed)} of {len(jobs)} session(s) failed: {names}",
            markup=True,
            highlight=False,
        )
        raise typer.Exit(EXIT_USER_ERROR)


def _print(table: Any, output_format: str) -> None:
    if output_format == "json":
        records = table.astype(object).where(table.notna(), None).to_dict("records")
        print_json({"sessions": records}, indent=2)
        return
    if output_format == "csv":
        sys.stdout.write(table.to_csv(index=False, lineterminator="\n"))
        sys.stdout.flush()
        return
    from rich.console import Console
    from rich.table import Table

    out = Table(title=f"cohort ({len(table)} sessions)", title_justify="left")
    out.add_column("session", overflow="fold")
    for _, header, _ in _PRINTED:
        out.add_column(header, justify="right")
    for _, r in table.iterrows():
        if r["status"] != "ok":
            out.add_row(str(r["stem"]), "failed", *[""] * (len(_PRINTED) - 1))
            continue
        cells = []
        for col, _, digits in _PRINTED:
            v = r[col]
            cells.append("–" if v is None or v != v else f"{float(v):.{digits}f}")
        out.add_row(str(r["stem"]), *cells)
    Console(highlight=False).print(out)


__all__ = ["check_cohort_options", "run_cohort_command"]
