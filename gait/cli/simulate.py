"""``gait simulate --out DIR``: write labelled synthetic sessions (docs/simulator.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gait.cli._common import fail, handle_errors, info, make_out_folder

#: Longest session ``gait simulate`` writes (one day); longer ones are not what it is for.
MAX_DURATION_S = 86_400.0


def simulate_command(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the sessions to.")],
    preset: Annotated[
        str,
        typer.Option(
            help="demo | mixed | walk | run | backward-walk | backward-run (mixed: random bouts "
            "of every condition with standing, turns and a random sensor set-up)."
        ),
    ] = "mixed",
    seed: Annotated[
        int, typer.Option(min=0, help="Seed (0 or more); the same seed gives the same files.")
    ] = 0,
    n_subjects: Annotated[int, typer.Option("--n-subjects", min=1)] = 1,
    sessions_per_subject: Annotated[int, typer.Option("--sessions-per-subject", min=1)] = 1,
    duration_s: Annotated[
        float,
        typer.Option(
            "--duration-s",
            min=10.0,
            max=MAX_DURATION_S,
            help="Length of each session, 10 s to 24 h.",
        ),
    ] = 120.0,
    sampling_rate_hz: Annotated[
        float | None,
        typer.Option("--sampling-rate-hz", help="50-1000 Hz; default: preset's choice."),
    ] = None,
    placement: Annotated[
        str | None, typer.Option(help="left_ankle | right_ankle | left_foot | right_foot")
    ] = None,
    test_subjects: Annotated[
        int, typer.Option("--test-subjects", min=0, help="Put the last N subjects in test/.")
    ] = 0,
    gzip_csv: Annotated[
        bool, typer.Option("--gzip", help="Write the samples as <stem>.csv.gz.")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace sessions of the same name in --out.")
    ] = False,
) -> None:
    """Write labelled synthetic sessions: <stem>.csv, .json, .labels.csv and .steps.csv."""
    from gait.consts import MAX_SAMPLING_RATE_HZ, MIN_SAMPLING_RATE_HZ, PLACEMENTS
    from gait.simulate._dataset import PRESET_NAMES, generate_sessions

    if preset not in PRESET_NAMES:
        fail(f"--preset {preset!r}: expected one of {', '.join(PRESET_NAMES)}")
    if sampling_rate_hz is not None and not (
        MIN_SAMPLING_RATE_HZ <= sampling_rate_hz <= MAX_SAMPLING_RATE_HZ
    ):
        fail(
            f"--sampling-rate-hz {sampling_rate_hz:g}: expected "
            f"{MIN_SAMPLING_RATE_HZ:g}-{MAX_SAMPLING_RATE_HZ:g}"
        )
    if placement is not None and placement not in PLACEMENTS:
        fail(f"--placement {placement!r}: expected one of {', '.join(PLACEMENTS)}")
    if test_subjects and test_subjects >= n_subjects:
        fail("--test-subjects must be smaller than --n-subjects")
    if not overwrite:
        existing = [
            f
            for f in planned_files(
                out, preset, seed, n_subjects, sessions_per_subject, test_subjects
            )
            if f.exists()
        ]
        if existing:
            more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
            fail(
                f"--out {out}: {existing[0]}{more} already exist(s); choose another folder or "
                "seed, or pass --overwrite to replace them"
            )
    make_out_folder(out)
    try:
        paths = generate_sessions(
            out,
            preset=preset,
            seed=seed,
            n_subjects=n_subjects,
            sessions_per_subject=sessions_per_subject,
            duration_s=duration_s,
            sampling_rate_hz=sampling_rate_hz,
            placement=placement,
            n_test_subjects=test_subjects,
            gzip_csv=gzip_csv,
        )
    except MemoryError:
        fail(
            f"not enough memory for {duration_s:g} s sessions; "
            "ask for a shorter --duration-s or a lower --sampling-rate-hz"
        )
    except OSError as e:
        fail(f"--out {out}: cannot write {e.filename or out} ({e.strerror or e})")
    info(f"wrote {len(paths)} labelled session(s) to {out}")


#: What one simulated session writes, besides nothing else (gait.simulate.write_labelled_session).
SESSION_FILE_SUFFIXES = (".csv", ".csv.gz", ".json", ".labels.csv", ".steps.csv")


def planned_files(
    out: Path, preset: str, seed: int, n_subjects: int, sessions_per_subject: int, n_test: int
) -> list[Path]:
    """Every file name a run could write (the names gait.simulate.generate_sessions gives)."""
    files = []
    for i in range(n_subjects):
        sid = f"sim-{seed:04d}-{i + 1:03d}" if preset != "demo" else "demo-01"
        folder = out
        if n_test:
            folder = out / ("test" if i >= n_subjects - n_test else "train")
        for j in range(sessions_per_subject):
            stem = f"{sid}_{preset}_{j + 1:02d}" if preset != "demo" else "demo"
            files += [folder / f"{stem}{suffix}" for suffix in SESSION_FILE_SUFFIXES]
    return files


def register(app: typer.Typer) -> None:
    """Add ``gait simulate`` to the command line."""
    app.command("simulate")(handle_errors(simulate_command))
