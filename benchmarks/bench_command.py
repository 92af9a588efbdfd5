"""End-to-end speed of ``gait analyse`` on a 2-hour 100 Hz CSV, as a ratio to pandas reading it.

    python -m benchmarks.bench_command [--repeats 3] [--hours 2] [--keep DIR] [--baseline TREE]

The session is the bundled demo walk (datasets/sample/demo.csv, simulator output) repeated to
the length asked, with continuous time, written as a canonical CSV plus the demo's sidecar.
In the same run, alternating, each of these is timed ``--repeats`` times (the minimum is kept,
the least disturbed by other load on the machine):

- ``gait analyse FILE --format json --quiet > /dev/null``: the installed command, wall time of
  the whole process (interpreter start, imports, reading, analysis, JSON, exit);
- ``pandas.read_csv(FILE)``: the read alone, timed inside a Python process (the baseline of
  issue 22), and the same read as a whole process (``python -c "import pandas; ..."``).

A first ``gait analyse`` run is not counted: it compiles the numba kernels when their cache is
missing. The ratio printed is command / read (target of issue 22: at most 1.5). ``--breakdown``
also times the stages in one process (imports, read, analysis, JSON; then, warm, detection,
the classifier and the energy stage).

``--baseline TREE`` also times, alternating in the same run, the command of another checkout of
gait (e.g. ``git worktree add /tmp/before <commit>``, or ``git archive <commit>``), run as
``python -c "from gait.cli import main; main()"`` with ``PYTHONPATH=TREE``: a before/after
comparison under the same load.

``--floor`` also times, in the same loop, what no ``gait analyse`` of this design can go below:
a process that imports pandas, numba, typer (with the pydantic adapters it builds parameters
with) and rich, loads one cached gait kernel (numba's first load builds its target registry and
imports ``scipy.linalg`` for BLAS) and reads the CSV with pandas; and the numba part alone
(``import numba`` plus that kernel load).

Besides wall time, the CPU time (user + system) of each process is given: on a machine shared
with other work it varies much less than the wall time. The processes run with Python's
bytecode cache enabled (``PYTHONDONTWRITEBYTECODE`` removed from their environment), as an
installed package runs (pip byte-compiles it): otherwise every run recompiles gait's modules.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "datasets" / "sample" / "demo.csv"

_READ = (
    "import time, pandas; t = time.perf_counter(); pandas.read_csv({path!r}); "
    "print(time.perf_counter() - t)"
)


def make_session(folder: Path, hours: float) -> Path:
    """The demo walk repeated to ``hours``, as ``walk.csv`` + ``walk.json`` in ``folder``."""
    from gait.io import read_session

    demo = read_session(DEMO)
    s = demo.samples
    rate = s.sampling_rate_hz
    n = round(hours * 3600 * rate)
    reps = -(-n // s.n_samples)
    values = np.hstack([s.acc_ms2, s.gyr_dps])
    data = np.tile(values, (reps, 1))[:n]
    t = np.arange(n) / rate
    path = folder / "walk.csv"
    with open(path, "w") as f:
        f.write("t_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n")
        np.savetxt(f, np.column_stack([t, data]), fmt=["%.6f"] + ["%.7g"] * 6, delimiter=",")
    shutil.copy(DEMO.with_suffix(".json"), folder / "walk.json")
    return path


def _gait() -> list[str]:
    script = Path(sys.executable).with_name("gait")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gait.cli"]


#: Environment of the timed processes: bytecode cache on, as in an installed package.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


#: A cached kernel of gait (the smallest): loading it is numba's first-call cost.
_KERNEL = "from gait._kernels._swing import _level_quat; _level_quat(0.0, 0.0, 1.0)"
#: The floor processes of ``--floor`` (``{path}``: the CSV).
FLOOR = {
    "numba + one cached kernel": f"import numba; {_KERNEL}",
    "imports + kernel + pandas read": (
        "import pandas, numba, rich.console, typer, typer._adapters; "
        f"{_KERNEL}; pandas.read_csv({{path!r}})"
    ),
}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def time_command(args: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of the process ``args``."""
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=ENV)
    return time.perf_counter() - start, _children_cpu() - cpu


def time_read(path: Path) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _READ.format(path=str(path))],
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
    )
    return float(out.stdout.strip())


def breakdown(path: Path) -> dict[str, float]:
    """Stage times of one analysis in a fresh process (seconds; ``*_cpu``: CPU time of the
    process, all threads). After the first (cold) analysis, the stages are timed again warm:
    detection and summary alone, plus the classifier, plus the energy stage (the whole
    analysis), so that each stage's share can be told apart."""
    code = f"""
import json, time
def now():
    return time.perf_counter(), time.process_time()
t0 = now()
from gait.cli._common import sessions_json
from gait.cli.analyse import analyse_file
from gait.api import analyse, read_session
from gait.resample import to_detector_rate
import gait.steps, gait.pipeline
import gc
gc.freeze()  # the garbage collector as the command sets it (gait.cli.main)
gc.set_threshold(50_000, 20, 100)
t1 = now()
s = read_session({str(path)!r})
t2 = now()
s, _ = to_detector_rate(s)
a = analyse(s)
t3 = now()
text = sessions_json([a.to_dict()])
t4 = now()
from gait.classify.stage import default_labeller
from gait.pipeline import GaitPipeline
GaitPipeline().run(s)
t5 = now()
GaitPipeline(classifier=default_labeller()).run(s)
t6 = now()
analyse(s)
t7 = now()
marks = dict(imports=(t0, t1), read=(t1, t2), analysis=(t2, t3), json=(t3, t4),
             warm_detection_summary=(t4, t5), warm_with_classifier=(t5, t6),
             warm_with_classifier_energy=(t6, t7))
out = dict()
for k, (a_, b_) in marks.items():
    out[k] = b_[0] - a_[0]
    out[k + "_cpu"] = b_[1] - a_[1]
print(json.dumps(out))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=ENV
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--hours", type=float, default=2.0)
    ap.add_argument("--keep", type=Path, help="write the session here and keep it")
    ap.add_argument("--breakdown", action="store_true", help="also time the stages")
    ap.add_argument("--baseline", type=Path, help="another gait checkout to time alongside")
    ap.add_argument("--floor", action="store_true", help="also time the floor processes")
    args = ap.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="gait-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        path = folder / "walk.csv"
        if not path.exists():
            path = make_session(folder, args.hours)
        size_mb = path.stat().st_size / 1e6
        command = [*_gait(), "analyse", str(path), "--format", "json", "--quiet"]
        time_command(command)  # warm-up: compiles the kernels if their cache is missing
        base_command = [
            "env",
            f"PYTHONPATH={args.baseline}",
            sys.executable,
            "-P",  # not the current folder first on sys.path: TREE's gait, not this one
            "-c",
            "from gait.cli import main; main()",
            *command[-5:],
        ]
        if args.baseline is not None:
            time_command(base_command)  # its warm-up (kernels compiled in that tree)
        read_command = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(path)!r})"]
        time_command(read_command)  # warm-up of the baseline too (file cache, bytecode)
        floor_commands = {
            name: [sys.executable, "-c", code.format(path=str(path))]
            for name, code in (FLOOR.items() if args.floor else ())
        }
        for c in floor_commands.values():
            time_command(c)  # warm-up
        floor_s: dict[str, list[tuple[float, float]]] = {name: [] for name in floor_commands}
        gait_s, read_s, read_proc_s, gait_cpu, read_cpu = [], [], [], [], []
        base_s: list[tuple[float, float]] = []
        for _ in range(args.repeats):
            if args.baseline is not None:
                base_s.append(time_command(base_command))
            wall, cpu = time_command(command)
            gait_s.append(wall)
            gait_cpu.append(cpu)
            read_s.append(time_read(path))
            wall, cpu = time_command(read_command)
            read_proc_s.append(wall)
            read_cpu.append(cpu)
            for name, c in floor_commands.items():
                floor_s[name].append(time_command(c))
        g, r, rp = min(gait_s), min(read_s), min(read_proc_s)
        gc, rc = min(gait_cpu), min(read_cpu)
        print(f"session: {args.hours:g} h at 100 Hz, {size_mb:.0f} MB ({path})")
        print(
            f"gait analyse --format json (whole process): {g:.2f} s  (runs: "
            + ", ".join(f"{x:.2f}" for x in gait_s)
            + ")"
        )
        print(
            f"pandas.read_csv (the read alone):           {r:.2f} s  (runs: "
            + ", ".join(f"{x:.2f}" for x in read_s)
            + ")"
        )
        print(f"python -c 'pandas.read_csv' (whole process): {rp:.2f} s")
        print(
            f"ratio gait / read: {g / r:.2f}x (target <= 1.5x); gait / read process: {g / rp:.2f}x"
        )
        print(
            f"CPU (user + system): gait {gc:.2f} s, read process {rc:.2f} s, ratio {gc / rc:.2f}x"
        )
        if base_s:
            bw = min(w for w, _ in base_s)
            bc = min(c for _, c in base_s)
            print(
                f"baseline {args.baseline}: {bw:.2f} s wall (ratio to the read process "
                f"{bw / rp:.2f}x), {bc:.2f} s CPU (ratio {bc / rc:.2f}x); "
                f"this tree is {bw / g:.2f}x faster (wall), {bc / gc:.2f}x (CPU)"
            )
        for name, runs in floor_s.items():
            fw = min(w for w, _ in runs)
            fc = min(c for _, c in runs)
            print(
                f"floor, {name}: {fw:.2f} s wall (ratio to the read process {fw / rp:.2f}x), "
                f"{fc:.2f} s CPU (ratio {fc / rc:.2f}x)"
            )
        if args.breakdown:
            stages = breakdown(path)
            print(
                "stages in one process (wall / CPU): "
                + ", ".join(
                    f"{k} {v:.2f} / {stages[k + '_cpu']:.2f} s"
                    for k, v in stages.items()
                    if not k.endswith("_cpu")
                )
            )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
