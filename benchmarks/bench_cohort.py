"""A cohort on Dask: ``gait analyse --workers 2 --report`` over every IPOL foot recording, its
resume, against a serial ``gait analyse`` of the same sessions in the same run (issue 22).

    python -m benchmarks.bench_cohort [--workers 2] [--limit N] [--work DIR]

The IPOL healthy set (../shared, AGPL: evaluation only) is written once as session CSVs + sidecars
into a scratch folder outside the repository (one session per trial and foot, 220 in all), then
timed, each as the installed ``gait`` command in a fresh process:

1. baseline: ``gait analyse DIR --format json`` (one process, no files, no reports);
2. ``gait analyse DIR --out OUT --workers N --report`` (Dask LocalCluster, all outputs, reports);
3. the same command again: a resume that finds every session complete;
4. ``gait analyse DIR --out OUT2 --workers N`` without reports (what the reports cost).

Printed: wall times, the ratios to the baseline, and checks that the cohort table has one row
per session and that the resume analysed nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


def write_ipol_sessions(folder: Path, limit: int | None = None) -> list[Path]:
    """Every IPOL trial and foot as ``ipol-<code>-<foot>.csv`` (+ sidecar) in ``folder``."""
    from gait.datasets.ipol import find_ipol_dir, list_ipol_trials, load_ipol_foot
    from gait.io import write_session

    root = find_ipol_dir()
    if root is None:
        sys.exit("the IPOL data set (../shared/datasets/ipol_healthy) is not here")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for code in list_ipol_trials(root):
        for foot in ("left", "right"):
            path = folder / f"ipol-{code}-{foot}.csv"
            if not path.exists():
                s = load_ipol_foot(root, code, foot).session
                # some IPOL subjects have no mass/height (NaN): leave them out of the sidecar
                subject = s.meta.subject
                known = {
                    k: v
                    for k, v in dataclasses.asdict(subject).items()
                    if not (isinstance(v, float) and math.isnan(v))
                }
                meta = dataclasses.replace(s.meta, subject=type(subject)(**known))
                write_session(path, s.samples, meta)
            written.append(path)
            if limit is not None and len(written) >= limit:
                return written
    return written


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - t0, done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="only the first N sessions")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temp)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="gait-bench-cohort-"))
    sessions_dir = work / "sessions"
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    sessions = write_ipol_sessions(sessions_dir, args.limit)
    if args.limit is not None:  # a folder holding only the first N
        sessions_dir = work / f"sessions-{args.limit}"
        sessions_dir.mkdir(exist_ok=True)
        for p in sessions:
            for f in (p, p.with_suffix(".json")):
                if not (sessions_dir / f.name).exists():
                    (sessions_dir / f.name).symlink_to(f)
    gait = str(Path(sys.executable).with_name("gait"))
    n = len(sessions)
    print(f"{n} sessions in {sessions_dir}")

    t_base, base = timed([gait, "analyse", str(sessions_dir), "--format", "json", "-q"])
    if base.returncode != 0:
        sys.exit(f"baseline failed: {base.stderr[-2000:]}")
    cohort_cmd = [gait, "analyse", str(sessions_dir), "--out", str(out), "--report",
                  "--workers", str(args.workers), "--format", "csv", "-q"]  # fmt: skip
    t_run, run = timed(cohort_cmd)
    if run.returncode != 0:
        sys.exit(f"cohort run failed: {run.stderr[-2000:]}")
    t_resume, resume = timed(cohort_cmd)
    plain_out = work / "out-no-report"
    shutil.rmtree(plain_out, ignore_errors=True)
    plain_cmd = [gait, "analyse", str(sessions_dir), "--out", str(plain_out),
                 "--workers", str(args.workers), "--format", "csv", "-q"]  # fmt: skip
    t_plain, plain = timed(plain_cmd)
    if plain.returncode != 0:
        sys.exit(f"cohort run without reports failed: {plain.stderr[-2000:]}")
    table = pd.read_parquet(out / "cohort-summary.parquet")
    reports = len(list(out.glob("*.gait-report.html")))
    print(f"baseline  gait analyse DIR --format json          : {t_base:7.1f} s")
    print(
        f"cohort    --out --report --workers {args.workers}            : {t_run:7.1f} s"
        f"  ({t_run / t_base:.2f}x the baseline)"
    )
    print(
        f"resume    (same command, all complete)           : {t_resume:7.1f} s"
        f"  ({t_resume / t_base:.2f}x the baseline)"
    )
    print(
        f"cohort    --out --workers {args.workers} (no reports)         : {t_plain:7.1f} s"
        f"  ({t_plain / t_base:.2f}x the baseline)"
    )
    print(
        f"cohort table rows {len(table)} (sessions {n}), ok {int((table.status == 'ok').sum())},"
        f" session reports {reports}, cohort report "
        f"{(out / 'cohort-report.html').stat().st_size / 1e6:.1f} MB"
    )
    skipped = [line for line in resume.stderr.splitlines() if "already complete" in line]
    print("resume: " + (skipped[0].strip() if skipped else "no skip line"))
    print(
        f"per session: {t_run / n:.2f} s with reports on {args.workers} workers, "
        f"{t_base / n:.2f} s serial without"
    )


if __name__ == "__main__":
    main()
