"""Many recordings: analyse a cohort into a folder, resumably, on one machine or on Dask.

Each session ``<stem>`` writes, into the output folder:

- ``<stem>.gait-steps.csv``: one row per step (the columns of ``gait.analyse(...).steps``);
- ``<stem>.gait-report.html``: the session report, when reports are asked for;
- ``<stem>.gait-summary.json``: the summary, written last.

Every file is written to a temporary name and renamed, so a file that exists is complete, and a
session is complete when all its files exist: a rerun skips it (:func:`is_complete`). The run
ends with one table per cohort, one row per session (:data:`SUMMARY_COLUMNS`), as
``cohort-summary.csv`` and ``cohort-summary.parquet`` (and ``cohort-report.html`` with reports).

Without ``workers`` or ``scheduler`` sessions run one after the other in this process and Dask is
not imported. With ``workers=N`` they run on a ``dask.distributed.LocalCluster`` of N worker
processes; with ``scheduler="tcp://host:8786"`` on an existing Dask cluster (whose workers must
see the same file paths).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gait.consts import STEP_FIELDS
from gait.errors import GaitError
from gait.summary import SessionSummary

if TYPE_CHECKING:
    import pandas as pd

    from gait.api import Analysis

STEPS_SUFFIX = ".gait-steps.csv"
SUMMARY_SUFFIX = ".gait-summary.json"
REPORT_SUFFIX = ".gait-report.html"
COHORT_SUMMARY_CSV = "cohort-summary.csv"
COHORT_SUMMARY_PARQUET = "cohort-summary.parquet"
COHORT_REPORT = "cohort-report.html"
#: Memory limit of each LocalCluster worker process (sessions of hours at 100 Hz need < 0.5 GB).
WORKER_MEMORY = "1.5GiB"
#: Seconds to wait for an existing scheduler to answer.
SCHEDULER_TIMEOUT_S = 10.0

#: Endings of session files (longest first) removed to get a session's stem.
_SESSION_SUFFIXES = (
    ".csv.gz", ".csv.bz2", ".csv.xz", ".tsv.gz", ".tsv.bz2", ".tsv.xz",
    ".parquet", ".csv", ".tsv", ".txt", ".pq",
)  # fmt: skip

#: SessionSummary fields, in order (an error row has the same columns, empty).
SUMMARY_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(SessionSummary))
#: The summary fields that hold text (the others are numbers).
_NUMBER_TYPES = ("int", "float", "float | None", "int | None", "bool")
_TEXT_FIELDS = tuple(
    f.name for f in dataclasses.fields(SessionSummary) if str(f.type) in ("str", "str | None")
)
#: Summary fields that are neither numbers nor text (dicts, lists): kept as JSON text.
_JSON_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(SessionSummary)
    if str(f.type) not in _NUMBER_TYPES and f.name not in _TEXT_FIELDS
)


def _flat_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """Summary fields as table cells: nested values (dicts, lists) as compact JSON text."""
    out = dict(summary)
    for name in _JSON_FIELDS:
        if out.get(name) is not None and not isinstance(out[name], str):
            out[name] = json.dumps(out[name], separators=(",", ":"), default=str)
    return out


#: Columns of ``<stem>.gait-steps.csv``: the JSON step record's fields, in order (as
#: ``gait analyse --out`` writes them).
STEP_OUT_COLUMNS: tuple[str, ...] = (*STEP_FIELDS, "instrumented")
#: Columns of the cohort summary table, in order.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "file", "stem", "status", "error", "subject_id", "start_time_utc", *SUMMARY_FIELDS,
    "steps_csv", "summary_json", "report",
)  # fmt: skip


def session_stem(path: str | os.PathLike[str]) -> str:
    """``walk`` for ``walk.csv``, ``walk.csv.gz``, ``walk.parquet``..."""
    name = Path(path).name
    for suffix in _SESSION_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return Path(name).stem


@dataclass(frozen=True)
class SessionJob:
    """One session to analyse into ``out_dir``; ``options`` go to :func:`gait.analyse`."""

    path: str
    out_dir: str
    report: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        return session_stem(self.path)

    def outputs(self) -> dict[str, Path]:
        """The files this session writes, by role (``summary_json`` last)."""
        base = Path(self.out_dir) / self.stem
        out = {"steps_csv": base.with_name(self.stem + STEPS_SUFFIX)}
        if self.report:
            out["report"] = base.with_name(self.stem + REPORT_SUFFIX)
        out["summary_json"] = base.with_name(self.stem + SUMMARY_SUFFIX)
        return out


def make_jobs(
    paths: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    report: bool = False,
    options: dict[str, Any] | None = None,
) -> list[SessionJob]:
    """One job per session; two sessions with the same stem raise a :class:`GaitError` (they
    would write the same files)."""
    jobs: list[SessionJob] = []
    seen: dict[str, str] = {}
    for p in paths:
        job = SessionJob(str(p), str(out_dir), report, dict(options or {}))
        if job.stem in seen:
            raise GaitError(
                f"{p} and {seen[job.stem]} would both write {job.stem}{SUMMARY_SUFFIX}; "
                "analyse them into separate output folders"
            )
        seen[job.stem] = job.path
        jobs.append(job)
    return jobs


def is_complete(job: SessionJob) -> bool:
    """Whether every output of ``job`` exists (each is written whole or not at all)."""
    return all(p.is_file() for p in job.outputs().values())


def summary_row(job: SessionJob, analysis: Analysis) -> dict[str, Any]:
    """The cohort-table row of an analysed session."""
    meta = analysis.session.meta
    row: dict[str, Any] = {
        "file": job.path,
        "stem": job.stem,
        "status": "ok",
        "error": None,
        "subject_id": meta.subject.id,
        "start_time_utc": meta.start_time_utc,
        **_flat_summary(analysis.summary.to_dict()),
    }
    row.update({k: p.name for k, p in job.outputs().items()})
    return row


def error_row(job: SessionJob, message: str) -> dict[str, Any]:
    """The cohort-table row of a session that could not be analysed."""
    row = dict.fromkeys(SUMMARY_COLUMNS)
    row.update(file=job.path, stem=job.stem, status="error", error=message)
    return row


def _json(document: Any) -> str:
    import math

    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        if hasattr(v, "item") and callable(v.item):
            return clean(v.item())
        return v

    return json.dumps(clean(document), indent=2, allow_nan=False) + "\n"


def steps_csv_text(records: Sequence[dict[str, Any]]) -> str:
    """The steps CSV: :data:`STEP_OUT_COLUMNS`, one row per step record, empty = unknown."""
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(STEP_OUT_COLUMNS)
    for rec in records:
        writer.writerow(["" if rec.get(c) is None else rec.get(c) for c in STEP_OUT_COLUMNS])
    return text.getvalue()


def write_session_outputs(job: SessionJob, analysis: Analysis) -> dict[str, Any]:
    """Write the outputs of ``job`` (steps, report, then summary: each atomically) and return
    the session's cohort-table row."""
    from gait.report import write_atomic

    outs = job.outputs()
    write_atomic(outs["steps_csv"], steps_csv_text(analysis.records))
    if job.report:
        from gait.report import session_report

        write_atomic(outs["report"], session_report(analysis, title=job.path))
    row = summary_row(job, analysis)
    document = {"file": job.path, **analysis.summary.to_dict()}
    document["subject_id"] = row["subject_id"]
    document["start_time_utc"] = row["start_time_utc"]
    write_atomic(outs["summary_json"], _json(document))
    return row


def row_from_outputs(job: SessionJob) -> dict[str, Any]:
    """The cohort-table row of a complete session, read back from its summary file."""
    path = job.outputs()["summary_json"]
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise GaitError(f"{path}: cannot read this summary ({e}); delete it to redo") from None
    row = dict.fromkeys(SUMMARY_COLUMNS)
    row.update({k: document.get(k) for k in (*SUMMARY_FIELDS, "subject_id", "start_time_utc")})
    row.update(_flat_summary({k: row[k] for k in SUMMARY_FIELDS}))
    row.update(file=job.path, stem=job.stem, status="ok", error=None)
    row.update({k: p.name for k, p in job.outputs().items()})
    return row


def analyse_file(
    path: str, *, mass_kg: float | None = None, height_m: float | None = None, **read: Any
) -> Analysis:
    """Read and analyse one session file as ``gait analyse`` does: a session outside the
    detector's rates is resampled first (:mod:`gait.resample`, noted in its assumptions)."""
    from gait.api import analyse, read_session
    from gait.resample import to_detector_rate

    session, _ = to_detector_rate(read_session(path, **read))
    if height_m is not None:
        return analyse(session, mass_kg=mass_kg, height_m=height_m)
    return analyse(session, mass_kg=mass_kg)


def run_job(job: SessionJob) -> dict[str, Any]:
    """Analyse one session and write its outputs; a failure becomes an error row (so that one
    bad file does not stop a cohort). Runs in a Dask worker or in this process."""
    try:
        analysis = analyse_file(job.path, **job.options)
        return write_session_outputs(job, analysis)
    except GaitError as e:
        return error_row(job, str(e))
    except OSError as e:
        where = e.filename or job.out_dir
        return error_row(job, f"{where}: {e.strerror or e}")
    except Exception as e:  # a bug: keep the batch going, say what it was
        return error_row(job, f"{job.path}: internal error {type(e).__name__}: {e}")


@dataclass
class CohortRun:
    """What :func:`run_cohort` did: the table rows (input order), and the skipped jobs."""

    rows: list[dict[str, Any]]
    n_skipped: int
    n_failed: int

    def table(self) -> pd.DataFrame:
        return cohort_table(self.rows)


def run_cohort(
    jobs: Sequence[SessionJob],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    worker_memory: str = WORKER_MEMORY,
) -> CohortRun:
    """Run ``jobs`` (skipping complete ones unless ``overwrite``) and return their rows.

    ``on_result(row)`` is called in this process as each session ends (a skipped one at once),
    e.g. to advance a progress bar.
    """
    done: dict[int, dict[str, Any]] = {}
    todo: list[int] = []
    for i, job in enumerate(jobs):
        if not overwrite and is_complete(job):
            try:
                done[i] = row_from_outputs(job)
            except GaitError:  # a damaged summary: the session is done again
                todo.append(i)
                continue
            if on_result is not None:
                on_result(done[i])
        else:
            todo.append(i)
    n_skipped = len(done)

    def finished(i: int, row: dict[str, Any]) -> None:
        done[i] = row
        if on_result is not None:
            on_result(row)

    if todo and workers is None and scheduler is None:
        for i in todo:
            finished(i, run_job(jobs[i]))
    elif todo:
        _run_on_dask(jobs, todo, workers, scheduler, worker_memory, finished)
    rows = [done[i] for i in range(len(jobs))]
    n_failed = sum(r["status"] != "ok" for r in rows)
    return CohortRun(rows, n_skipped, n_failed)


def _run_on_dask(
    jobs: Sequence[SessionJob],
    todo: list[int],
    workers: int | None,
    scheduler: str | None,
    worker_memory: str,
    finished: Callable[[int, dict[str, Any]], None],
) -> None:
    import logging

    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise GaitError("--workers/--scheduler need Dask: pip install 'gait[dask]'") from None

    cluster = None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as e:
            raise GaitError(
                f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({e}); "
                "expected an address such as tcp://host:8786"
            ) from None
    else:
        assert workers is not None
        try:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                memory_limit=worker_memory,
                dashboard_address=None,
                # Dask's own shutdown chatter (a worker's last heartbeat meeting a closed
                # scheduler is logged as an error with a traceback) is no user's business;
                # failures of the work itself come back through the futures
                silence_logs=logging.CRITICAL,
            )
        except (RuntimeError, OSError) as e:  # e.g. a worker process that cannot start
            raise GaitError(
                f"--workers {workers}: could not start a Dask LocalCluster ({e}); from a "
                "script, call run_cohort under `if __name__ == '__main__':`"
            ) from None
        client = Client(cluster)
    try:
        futures = {
            client.submit(run_job, jobs[i], key=f"gait-{i}-{jobs[i].stem}", pure=False): i
            for i in todo
        }
        for future in as_completed(futures):
            i = futures[future]
            try:
                row = future.result()
            except Exception as e:  # a worker died (e.g. out of memory)
                row = error_row(jobs[i], f"{jobs[i].path}: the Dask worker failed: {e}")
            finished(i, row)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def cohort_table(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """The cohort summary table: one row per session, :data:`SUMMARY_COLUMNS`."""
    import pandas as pd

    table = pd.DataFrame.from_records(list(rows), columns=list(SUMMARY_COLUMNS))
    text = ("file", "stem", "status", "error", "subject_id", "start_time_utc", *_TEXT_FIELDS,
            *_JSON_FIELDS, "steps_csv", "summary_json", "report")  # fmt: skip
    for col in text:
        table[col] = table[col].astype(object).where(table[col].notna(), None)
    for f in dataclasses.fields(SessionSummary):
        if f.name not in _TEXT_FIELDS and f.name not in _JSON_FIELDS:
            number = pd.to_numeric(table[f.name], errors="coerce").astype("float64")
            table[f.name] = number.astype("Int64") if str(f.type) == "int" else number
    return table


def write_cohort_outputs(
    table: pd.DataFrame, out_dir: str | os.PathLike[str], *, report: bool = False
) -> list[Path]:
    """Write the cohort summary (CSV and Parquet) and, with ``report``, the cohort report into
    ``out_dir``; returns the paths written."""
    import io

    from gait.report import write_atomic

    out = Path(out_dir)
    written = [
        write_atomic(out / COHORT_SUMMARY_CSV, table.to_csv(index=False, lineterminator="\n"))
    ]
    buf = io.BytesIO()
    table.to_parquet(buf, index=False)
    written.append(write_atomic(out / COHORT_SUMMARY_PARQUET, buf.getvalue()))
    if report:
        from gait.report import write_cohort_report

        written.append(write_cohort_report(table, out / COHORT_REPORT))
    return written


__all__ = [
    "COHORT_REPORT",
    "COHORT_SUMMARY_CSV",
    "COHORT_SUMMARY_PARQUET",
    "REPORT_SUFFIX",
    "STEPS_SUFFIX",
    "SUMMARY_COLUMNS",
    "SUMMARY_SUFFIX",
    "CohortRun",
    "SessionJob",
    "cohort_table",
    "is_complete",
    "make_jobs",
    "run_cohort",
    "run_job",
    "session_stem",
    "write_cohort_outputs",
    "write_session_outputs",
]
