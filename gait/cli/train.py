"""``gait train DATA... --out MODEL_DIR``: train the direction and strike classifiers."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from gait.cli._common import fail, handle_errors, info, make_out_folder, progress_bar


def _inside(a: Path, b: Path) -> bool:
    a, b = a.resolve(), b.resolve()
    return a == b or b in a.parents


@handle_errors
def train(
    data: Annotated[
        list[Path],
        typer.Argument(
            help="Labelled sessions (docs/labelled-sessions.md) or folders of them; also the "
            "mocap layout (<stem>_R.csv + <stem>_R_events.csv). Each argument gets the same "
            "total weight.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Model folder to write (models + model card).", show_default=False
        ),
    ],
    seed: Annotated[int, typer.Option(help="Seed of the training (deterministic).")] = 0,
    folds: Annotated[int, typer.Option(help="Folds of the subject-grouped cross-validation.")] = 5,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a model folder that exists.")
    ] = False,
    augment: Annotated[
        bool,
        typer.Option(
            "--augment/--no-augment",
            help="Also learn from each recording read through an on-board accelerometer "
            "filter (low-pass or moving average), so the models hold on sensors that smooth.",
        ),
    ] = True,
) -> None:
    """Train the direction and strike classifiers and write MODEL_DIR (docs/classifiers.md)."""
    from gait.classify.data import find_training_files
    from gait.classify.model_io import ALLOWED_FILES

    if seed < 0:
        fail(f"--seed {seed}: expected a seed >= 0")
    if folds < 2:
        fail(f"--folds {folds}: expected 2 or more")
    for d in data:
        if not d.exists():
            fail(f"{d}: no such file or folder")
        if _inside(out, d if d.is_dir() else d.parent) and d.is_dir():
            fail(f"--out {out}: inside the training data {d}; results never overwrite an input")
    if out.exists():
        if not out.is_dir():
            fail(f"--out {out}: exists and is not a folder")
        present = [f.name for f in out.iterdir()]
        foreign = sorted(n for n in present if n not in ALLOWED_FILES)
        if foreign:
            fail(
                f"--out {out}: holds files that are not a model's ({', '.join(foreign[:3])}); "
                "expected a new or empty folder, or a model folder with --overwrite"
            )
        if present and not overwrite:
            fail(f"--out {out}: a model is already there; add --overwrite to replace it")
    files = find_training_files(data)
    info(f"training on {len(files)} recordings")
    from gait.classify.model_io import save_models
    from gait.classify.train import train as run_training

    command = "gait train " + " ".join(shlex.quote(str(d)) for d in data) + f" --out {out}"
    if seed:
        command += f" --seed {seed}"
    if folds != 5:
        command += f" --folds {folds}"
    if not augment:
        command += " --no-augment"
    with progress_bar(len(files) + 2 * (folds + 1), "training", min_items=1) as advance:
        result = run_training(
            data,
            seed=seed,
            n_splits=folds,
            progress=lambda _msg: advance(),
            command=command,
            augment=augment,
        )
    make_out_folder(out)
    save_models(out, result.models, result.card, result.card_md)
    for task in ("direction", "strike"):
        cv = result.card["tasks"][task]["cross_validation"]
        acc = cv["balanced_accuracy"]
        line = f"{task}: cross-validated balanced accuracy " + (
            f"{acc:.3f}" if acc is not None else "–"
        )
        typer.echo(line + f" (n={cv['n']})")
    info(f"wrote {out} (model card: {out / 'model_card.md'})")
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    """Add ``gait train`` to ``app``."""
    app.command("train", no_args_is_help=True)(train)


__all__ = ["register", "train"]
