"""``gait analyse PATH...``: analyse recorded sessions (files or folders)."""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import sys
from collections.abc import Callable
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gait.cli._common import (
    EXIT_USER_ERROR,
    describe_error,
    error_line,
    existing_paths,
    fail,
    first_run_note,
    handle_errors,
    info,
    make_out_folder,
    progress_bar,
    sessions_json,
    stdout_writes,
    to_json,
    warn,
    write_file_atomic,
)
from gait.consts import PLACEMENTS, STEP_FIELDS
from gait.errors import GaitError
from gait.io import parse_unit, unit_choices
from gait.summary import SUMMARY_ROWS, tidy_float

if TYPE_CHECKING:
    from gait.api import Analysis

#: File name endings that are read as sessions when a folder is given.
SESSION_SUFFIXES = (
    ".csv",
    ".tsv",
    ".csv.gz",
    ".csv.bz2",
    ".csv.xz",
    ".tsv.gz",
    ".tsv.bz2",
    ".tsv.xz",
    ".parquet",
    ".pq",
)
#: What ``--out`` writes per session: names of their own, never an input's (``<stem>.steps.csv``
#: is a labelled session's ground truth, DESIGN.md).
STEPS_OUT_SUFFIX = ".gait-steps.csv"
SUMMARY_OUT_SUFFIX = ".gait-summary.json"
#: The stride table (gait.energy.STRIDE_COLUMNS) that ``--out`` writes, and with ``--parquet``.
STRIDES_OUT_SUFFIX = ".gait-strides.csv"
STRIDES_PARQUET_SUFFIX = ".gait-strides.parquet"
#: Companion files of a session that are never sessions themselves (labels, truth, results).
COMPANION_SUFFIXES = (
    ".labels.csv",
    ".steps.csv",
    STEPS_OUT_SUFFIX,
    STRIDES_OUT_SUFFIX,
    STRIDES_PARQUET_SUFFIX,
)
#: Steps shown at each end of the per-session listing of ``--format table``.
TABLE_STEPS_EACH_END = 5


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


Placement = Enum("Placement", {p: p for p in PLACEMENTS}, type=str)  # type: ignore[misc]


def find_sessions(paths: list[Path]) -> list[Path]:
    """Session files named by ``paths``: files as given, folders searched recursively for
    :data:`SESSION_SUFFIXES` files (skipping ``*.labels.csv`` and ``*.steps.csv``), in sorted
    order, each file once."""
    found: list[Path] = []
    for p in existing_paths(paths):
        if p.is_dir():
            inside = sorted(
                f
                for f in _walk_files(p)
                if f.name.lower().endswith(SESSION_SUFFIXES)
                and not f.name.lower().endswith(COMPANION_SUFFIXES)
            )
            if not inside:
                fail(f"{p}: no session files (*.csv, *.tsv, *.parquet) in this folder")
            found += inside
        else:
            found.append(p)
    unique = list(dict.fromkeys(found))
    return unique


def _walk_files(folder: Path) -> list[Path]:
    """Every file under ``folder``; a subfolder that cannot be listed is an error, not a skip."""

    def unreadable(e: OSError) -> None:
        fail(
            f"{e.filename}: cannot list this folder ({e.strerror}); its sessions would be "
            "left out. Fix its permissions, or name the files to analyse"
        )

    files: list[Path] = []
    seen = {os.path.realpath(folder)}
    for root, dirs, names in os.walk(folder, onerror=unreadable, followlinks=True):
        # each real folder is read once: a link back up the tree would loop for ever, and a
        # link to a folder inside the tree would analyse its sessions twice
        kept = []
        for d in sorted(dirs, key=lambda d: (os.path.islink(os.path.join(root, d)), d)):
            real = os.path.realpath(os.path.join(root, d))
            if real not in seen:
                seen.add(real)
                kept.append(d)
        dirs[:] = kept
        files += [Path(root) / n for n in names if (Path(root) / n).is_file()]
    return files


def _unit_option(quantity: str, option: str) -> Callable[[str | None], str | None]:
    """A typer callback: any spelling the reader accepts (docs/session-files.md), or an error."""

    def check(value: str | None) -> str | None:
        if value is None:
            return None
        unit = parse_unit(quantity, value)
        if unit is None:
            raise typer.BadParameter(
                f"{value!r} is not a known unit; expected one of {unit_choices(quantity)}",
                param_hint=option,
            )
        return unit

    return check


def out_paths(out_dir: Path, path: Path) -> tuple[Path, Path]:
    """The steps CSV and summary JSON that ``--out out_dir`` writes for the session ``path``."""
    stem = _stem(path)
    return out_dir / f"{stem}{STEPS_OUT_SUFFIX}", out_dir / f"{stem}{SUMMARY_OUT_SUFFIX}"


def _check_out_names(files: list[Path], out_dir: Path, *, overwrite: bool = True) -> None:
    """Two sessions never write the same result, a result never replaces an input, and an
    existing result is replaced only with ``overwrite``."""
    seen: dict[str, Path] = {}
    inputs = {os.path.realpath(f) for f in files}
    existing: list[Path] = []
    for f in files:
        stem = _stem(f)
        if stem in seen:
            fail(
                f"{f} and {seen[stem]} would both write {stem}{STEPS_OUT_SUFFIX} with --out; "
                "analyse them into separate --out folders"
            )
        seen[stem] = f
        for result in out_paths(out_dir, f):
            if os.path.realpath(result) in inputs:
                fail(f"--out {out_dir}: {result} is an input; results never replace an input")
            if result.exists() or result.is_symlink():
                existing.append(result)
    if existing and not overwrite:
        more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
        fail(
            f"--out {out_dir}: {existing[0]}{more} already exist(s); choose another folder or "
            "pass --overwrite to replace the results"
        )


def _stem(path: Path) -> str:
    name = path.name
    for suffix in SESSION_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _report_notes(file: str, analysis: Analysis, *, quiet: bool = False) -> None:
    """Reader assumptions as notes, reader warnings, gaps and a missing placement as warnings
    (all on stderr); ``quiet`` hides the notes only."""
    notes = analysis.session.meta.assumptions
    for note in notes:
        if note.startswith("warning: "):
            warn(f"{file}: {note.removeprefix('warning: ')}")
        elif not quiet:
            info(f"note: {file}: {note}")
    s = analysis.summary
    if s.n_gaps and not any("gap" in n for n in notes):
        warn(f"{file}: {s.n_gaps} gap(s) in the recording, {s.samples_lost} samples missing")
    from gait.quality import range_use

    for use in range_use(analysis.session.samples, analysis.session.meta.device):
        if use.harmful:
            warn(f"{file}: {use.message()}")
    if s.placement is None:
        from gait.io import sidecar_path

        side = sidecar_path(file)
        why = f"{side.name} has no 'placement'" if side.is_file() else "no sidecar"
        warn(f"{file}: placement unknown ({why}); 'foot' is left empty, see --placement")


# --- output writers ---------------------------------------------------------------------------

#: Columns of a step in ``--out`` files, in the order of the JSON step record; ``--format csv``
#: adds ``file`` in front.
STEP_OUT_COLUMNS = (*STEP_FIELDS, "instrumented")
CSV_COLUMNS = ("file", *STEP_OUT_COLUMNS)


def _csv_cell(value: Any) -> Any:
    if type(value) is float:
        return tidy_float(value)  # 12 significant digits, as in the JSON
    return "" if value is None else value


def _write_csv_rows(writer: Any, file: str, analysis: Analysis) -> None:
    for rec in analysis.records:
        row = {"file": file, **rec}
        writer.writerow([_csv_cell(row.get(c)) for c in CSV_COLUMNS])


def steps_csv(analysis: Analysis) -> str:
    """The ``--out`` steps CSV text: :data:`STEP_OUT_COLUMNS`, one row per step."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(STEP_OUT_COLUMNS)
    for rec in analysis.records:
        writer.writerow([_csv_cell(rec.get(c)) for c in STEP_OUT_COLUMNS])
    return text.getvalue()


def _write_out(
    out_dir: Path, path: Path, file: str, analysis: Analysis, *, parquet: bool = False
) -> None:
    """The session's results, each file written whole or not at all."""
    steps_file, summary_file = out_paths(out_dir, path)
    write_file_atomic(steps_file, steps_csv(analysis))
    summary = {"file": file, **analysis.summary.to_dict()}
    write_file_atomic(summary_file, to_json(summary, indent=2) + "\n")
    if analysis.strides is not None:
        stem = _stem(path)
        write_file_atomic(
            out_dir / f"{stem}{STRIDES_OUT_SUFFIX}", analysis.strides.to_csv(index=False)
        )
        if parquet:
            buffer = io.BytesIO()
            analysis.strides.to_parquet(buffer, index=False)
            write_file_atomic(out_dir / f"{stem}{STRIDES_PARQUET_SUFFIX}", buffer.getvalue())


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, dict):  # shares such as the strike mix: "heel 0.97, midfoot 0.03"
        return ", ".join(f"{k} {_fmt(v, digits)}" for k, v in value.items()) or "–"
    return str(value)


def _print_table(file: str, analysis: Analysis) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False)
    s = analysis.summary.to_dict()
    console.print(f"[bold]{escape(file)}[/]", soft_wrap=True)
    summary = Table(show_header=False, box=None, padding=(0, 1, 0, 2))
    summary.add_column("quantity", style="bold")
    summary.add_column("value", justify="right")
    for key, label, digits in SUMMARY_ROWS:
        if key in s:
            summary.add_row(label, _fmt(s[key], digits))
    if s["n_gaps"]:
        summary.add_row("gaps (samples lost)", f"{s['n_gaps']} ({s['samples_lost']})")
    console.print(summary)

    recs = analysis.records
    steps = Table(title=f"steps ({len(recs)})", title_justify="left")
    for col, justify in (
        ("#", "right"),
        ("t_s", "right"),
        ("foot", "left"),
        ("instrumented", "left"),
        ("direction", "left"),
        ("strike", "left"),
        ("speed_m_s", "right"),
        ("kcal", "right"),
    ):
        steps.add_column(col, justify=justify)  # type: ignore[arg-type]
    n = TABLE_STEPS_EACH_END
    shown = list(enumerate(recs))
    if len(recs) > 2 * n + 1:
        shown = [*shown[:n], (-1, None), *shown[-n:]]
    for i, rec in shown:
        if rec is None:
            steps.add_row("…", f"{len(recs) - 2 * n} more", *[""] * 6)
            continue
        steps.add_row(
            str(i + 1),
            f"{rec['t_s']:.2f}",
            _fmt(rec["foot"]),
            _fmt(rec["instrumented"]),
            _fmt(rec["direction"]),
            _fmt(rec["strike"]),
            _fmt(rec["speed_m_s"], 2),
            _fmt(rec["kcal"], 2),
        )
    if recs:
        console.print(steps)
    else:
        console.print("no steps found", style="yellow")
    console.print()


# --- the command ------------------------------------------------------------------------------


@handle_errors
def analyse(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Session files (.csv, .tsv, .parquet, compressed .csv.gz) or folders of them "
            "(searched recursively; "
            "*.labels.csv and *.steps.csv are skipped).",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="table: for people; json: one JSON document on stdout; csv: one row per step.",
        ),
    ] = OutputFormat.table,
    out: Annotated[
        Path | None,
        typer.Option(
            help=f"Also write <stem>{STEPS_OUT_SUFFIX} and <stem>{SUMMARY_OUT_SUFFIX} per "
            "session into DIR (existing ones only with --overwrite).",
            metavar="DIR",
            file_okay=False,
        ),
    ] = None,
    placement: Annotated[
        Placement | None,
        typer.Option(help="Where the sensor was worn (overrides the sidecar)."),
    ] = None,
    acc_unit: Annotated[
        str | None,
        typer.Option(
            help="Accelerometer unit, when the file does not say: m/s2, g or mg.",
            callback=_unit_option("acc", "--acc-unit"),
        ),
    ] = None,
    gyr_unit: Annotated[
        str | None,
        typer.Option(
            help="Gyroscope unit, when the file does not say: deg/s (dps) or rad/s.",
            callback=_unit_option("gyr", "--gyr-unit"),
        ),
    ] = None,
    time_unit: Annotated[
        str | None,
        typer.Option(
            help="Unit of the time column, when the file does not say: s, ms, us or ns.",
            callback=_unit_option("time", "--time-unit"),
        ),
    ] = None,
    mass_kg: Annotated[
        float | None,
        typer.Option(help="Body mass in kg for energy (default: the sidecar's subject.mass_kg)."),
    ] = None,
    height_m: Annotated[
        float | None,
        typer.Option(
            help="Body height in m for the leg length (default: the sidecar's subject.height_m, "
            "else 1.70 m)."
        ),
    ] = None,
    parquet: Annotated[
        bool,
        typer.Option("--parquet", help="With --out, also write <stem>.gait-strides.parquet."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Hide the reader's notes (warnings still show)."),
    ] = False,
    report: Annotated[
        bool,
        typer.Option(
            "--report",
            help="Also write an HTML report per session (<stem>.gait-report.html) and "
            "cohort-report.html into --out (docs/reports.md).",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Analyse on a Dask LocalCluster of N worker processes (needs --out; a rerun "
            "skips sessions already complete there).",
            metavar="N",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Analyse on an existing Dask cluster, e.g. tcp://host:8786 (needs --out).",
            metavar="ADDRESS",
        ),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option("--overwrite", help="Replace existing results in the --out folder."),
    ] = False,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="Model folder written by 'gait train' for direction and strike (default: the "
            "shipped models/; docs/classifiers.md).",
            metavar="MODEL_DIR",
        ),
    ] = None,
) -> None:
    """Analyse recorded sessions: steps, walking bouts, cadence and a summary per session.

    A session that cannot be analysed is named on stderr and the others are analysed; the exit
    code is then 2.
    """
    if mass_kg is not None and not 0 < mass_kg < 500:
        fail(f"--mass-kg {mass_kg:g}: expected a body mass in kg between 0 and 500")
    if height_m is not None and not 0.5 < height_m < 2.6:
        fail(f"--height-m {height_m:g}: expected a body height in m between 0.5 and 2.6")
    if parquet and out is None:
        fail("--parquet writes the stride table into --out DIR; give --out too")
    if parquet and importlib.util.find_spec("pyarrow") is None:
        fail("--parquet needs pyarrow, an optional part of gait: pip install 'gait[parquet]'")
    from gait.cli._cohort import check_cohort_options, run_cohort_command

    cohort = check_cohort_options(out=out, report=report, workers=workers, scheduler=scheduler)
    classifier = None
    if model is not None:
        if cohort:
            fail("--model: not yet with --report, --workers or --scheduler (they use models/)")
        from gait.classify.stage import StepLabeller

        classifier = StepLabeller.from_folder(model)  # refused cleanly if unsafe or incomplete
    files = find_sessions(paths)
    if out is not None:
        _check_out_names(files, out, overwrite=overwrite or cohort)
        make_out_folder(out)
    first_run_note()

    options = {
        "placement": placement.value if placement is not None else None,
        "acc_unit": acc_unit,
        "gyr_unit": gyr_unit,
        "time_unit": time_unit,
        "mass_kg": mass_kg,
    }
    if cohort:  # --report / --workers / --scheduler: gait.cohort (resumable, Dask)
        assert out is not None
        run_cohort_command(
            files,
            out,
            {**options, "height_m": height_m},
            report=report,
            workers=workers,
            scheduler=scheduler,
            output_format=output_format.value,
            overwrite=overwrite,
        )
        return
    sessions: list[dict[str, Any]] = []
    failed: list[Path] = []
    mass_said = False
    writer = None
    if output_format is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        with stdout_writes():
            writer.writerow(CSV_COLUMNS)
    with progress_bar(len(files), "analysing") as advance:
        for path in files:
            file = str(path)
            try:
                analysis = analyse_file(path, **options, height_m=height_m, classifier=classifier)
            except (GaitError, OSError) as e:
                # one bad session does not stop the batch: named now, counted at the end
                error_line(describe_error(e))
                failed.append(path)
                advance()
                continue
            _report_notes(file, analysis, quiet=quiet)
            if analysis.summary.mass_kg is None and not mass_said:
                mass_said = True  # said once per run
                warn(
                    f"{file}: no body mass (sidecar subject.mass_kg or --mass-kg); kcal are left "
                    "empty, not guessed"
                )
            if out is not None:
                _write_out(out, path, file, analysis, parquet=parquet)
            with stdout_writes():
                if output_format is OutputFormat.json:
                    sessions.append(analysis.to_dict() | {"file": file})
                elif output_format is OutputFormat.csv:
                    _write_csv_rows(writer, file, analysis)
                else:
                    _print_table(file, analysis)
            advance()
    if output_format is OutputFormat.json and len(failed) < len(files):
        with stdout_writes():
            sys.stdout.write(sessions_json(sessions) + "\n")
    if failed:
        if len(files) > 1:
            names = ", ".join(str(f) for f in failed[:3]) + (" ..." if len(failed) > 3 else "")
            done = "none was" if len(failed) == len(files) else "the others were"
            error_line(
                f"{len(failed)} of {len(files)} sessions could not be analysed ({names}); {done}"
            )
        raise typer.Exit(EXIT_USER_ERROR)


def analyse_file(
    path: Path,
    *,
    placement: str | None = None,
    acc_unit: str | None = None,
    gyr_unit: str | None = None,
    time_unit: str | None = None,
    mass_kg: float | None = None,
    height_m: float | None = None,
    classifier: Any = None,
) -> Analysis:
    """Read and analyse one session file as ``gait analyse`` does: a session outside the
    detector's 50-1000 Hz is resampled first (:mod:`gait.resample`, noted in the session's
    assumptions) and one below 15 Hz is refused with a :class:`~gait.errors.GaitError`."""
    from gait.api import analyse as analyse_one
    from gait.api import read_session
    from gait.resample import to_detector_rate

    session = read_session(
        path, acc_unit=acc_unit, gyr_unit=gyr_unit, time_unit=time_unit, placement=placement
    )
    session, _ = to_detector_rate(session)
    return analyse_one(session, mass_kg=mass_kg, height_m=height_m, classifier=classifier)


def register(app: typer.Typer) -> None:
    """Add ``gait analyse`` (and the US spelling ``analyze``, hidden) to ``app``."""
    app.command("analyse", no_args_is_help=True)(analyse)
    app.command("analyze", hidden=True, no_args_is_help=True)(analyse)


__all__ = ["analyse", "analyse_file", "find_sessions", "out_paths", "register", "steps_csv"]
