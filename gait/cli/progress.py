"""``gait progress PATH...``: backward share and weekly volume across sessions, the 10 % rule,
and the next step of a retro-walking progression (plain words and a PNG of the weeks)."""

from __future__ import annotations

import importlib.util
import io
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from gait.cli._common import (
    EXIT_USER_ERROR,
    describe_error,
    error_line,
    fail,
    handle_errors,
    info,
    print_json,
    progress_bar,
    write_file_atomic,
)
from gait.errors import GaitError


class ProgressFormat(StrEnum):
    table = "table"
    json = "json"


def _fmt_min(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def _print(weeks: list[Any], lines: list[str], sources: dict[str, int]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    table = Table(title="walking per ISO week", title_justify="left")
    for col in (
        "week",
        "sessions",
        "walking min",
        "backward min",
        "backward %",
        "longest bout min",
        "change",
        "≤ +10 %",
    ):
        table.add_column(col, justify="left" if col == "week" else "right", no_wrap=col == "week")
    for w in weeks:
        table.add_row(
            w.week,
            str(w.n_sessions),
            _fmt_min(w.walking_min),
            _fmt_min(w.backward_min),
            "–" if w.backward_share is None else f"{100 * w.backward_share:.0f} %",
            _fmt_min(w.longest_backward_bout_min),
            "–" if w.change is None else f"{100 * w.change:+.0f} %",
            {None: "–", True: "yes", False: "no"}[w.within_10_percent],
        )
    console.print(table)
    console.print("longest bout: the longest backward bout of the week")
    for line in lines:
        console.print(line)


@handle_errors
def progress(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Session files or folders of them (as for gait analyse), several weeks' worth.",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        ProgressFormat,
        typer.Option("--format", "-f", help="table: for people; json: one JSON document."),
    ] = ProgressFormat.table,
    plot: Annotated[
        Path | None,
        typer.Option(help="Write a PNG of the weeks to FILE.", metavar="FILE", dir_okay=False),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing --plot file.")
    ] = False,
) -> None:
    """Training progress across sessions: backward share and weekly volume per ISO week,
    whether the week-on-week rise stayed within 10 %, and the next step of the progression.

    Each session's date is its sidecar's start_time_utc, else the file's modification time
    (said on stderr). Not medical advice.
    """
    from gait.cli.analyse import analyse_file, find_sessions
    from gait.energy._progress import next_step, plot_weeks, session_volume, weekly_progress

    if plot is not None and importlib.util.find_spec("matplotlib") is None:
        fail("--plot draws with matplotlib, an optional part of gait: pip install 'gait[report]'")
    files = find_sessions(paths)
    if plot is not None:
        inputs = {os.path.realpath(f) for f in files}
        if os.path.realpath(plot) in inputs:
            fail(f"--plot {plot}: this is an input; results never replace an input")
        if plot.exists() and not overwrite:
            fail(f"--plot {plot}: exists; pass --overwrite to replace it")
        if not plot.parent.is_dir():
            fail(f"--plot {plot}: the folder {plot.parent} does not exist")
    volumes = []
    failed = 0
    with progress_bar(len(files), "analysing") as advance:
        for path in files:
            try:
                volumes.append(session_volume(analyse_file(path)))
            except (GaitError, OSError) as e:
                error_line(describe_error(e))
                failed += 1
            advance()
    if not volumes:
        fail("no session could be analysed")
    sources: dict[str, int] = {}
    for v in volumes:
        sources[v.time_source] = sources.get(v.time_source, 0) + 1
    file_times = [v.file for v in volumes if v.time_source == "file time"]
    if file_times:
        info(
            f"note: {len(file_times)} of {len(volumes)} session(s) have no start_time_utc in a "
            f"sidecar; their file modification time is used (e.g. {file_times[0]})"
        )
    weeks = weekly_progress(volumes)
    lines = next_step(weeks)
    if output_format is ProgressFormat.json:
        print_json(
            {
                "sessions": [
                    {
                        "file": v.file,
                        "start_utc": v.start_utc.isoformat().replace("+00:00", "Z"),
                        "time_source": v.time_source,
                        "week": v.week,
                        "forward_s": v.forward_s,
                        "backward_s": v.backward_s,
                    }
                    for v in volumes
                ],
                "weeks": [w.to_dict() for w in weeks],
                "next_step": lines,
            },
            indent=2,
        )
    else:
        _print(weeks, lines, sources)
    if plot is not None:
        buffer = io.BytesIO()
        plot_weeks(weeks, buffer)
        write_file_atomic(plot, buffer.getvalue(), option="--plot")
        info(f"wrote {plot}")
    if failed:
        raise typer.Exit(EXIT_USER_ERROR)


def register(app: typer.Typer) -> None:
    """Add ``gait progress`` to ``app``."""
    app.command("progress", no_args_is_help=True)(progress)


__all__ = ["progress", "register"]
