"""The shipped models/ are what the command in models/README.md writes (retrained here, compared
on fixed inputs), and the analysis uses them by default. Slow-ish: one full training."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "models"
MOCAP = REPO.parent / "shared" / "datasets" / "mocap_snu"


def _command() -> list[str]:
    text = (MODELS / "README.md").read_text()
    m = re.search(r"```\n(gait train [^\n]+)\n```", text)
    assert m, "models/README.md names no 'gait train' command"
    return shlex.split(m.group(1))


@pytest.mark.skipif(not MOCAP.is_dir(), reason=f"shared mocap set not found at {MOCAP}")
def test_shipped_models_are_what_the_command_writes(tmp_path, monkeypatch):
    from gait.classify.data import load_steps
    from gait.classify.model_io import load_models
    from gait.cli import app

    args = _command()
    assert args[:2] == ["gait", "train"]
    out_i = args.index("--out")
    assert args[out_i + 1] == "models"
    args[out_i + 1] = str(tmp_path / "models")
    # two folds instead of the command's five: the fitted models do not depend on the
    # cross-validation (only the card's figures do, and they are not compared), and it halves
    # the test's time
    args = [a for a in args[2:] if a != "--overwrite"] + ["--folds", "2"]
    monkeypatch.chdir(REPO)
    r = CliRunner().invoke(app, ["train", *args])
    assert r.exit_code == 0, r.output
    shipped = load_models(MODELS)
    fresh = load_models(tmp_path / "models")
    X = np.concatenate(
        [
            load_steps([sorted((REPO / "datasets/labelled/test").glob("*.csv.gz"))[0]]).X,
            load_steps([MOCAP / "snu_wd2_WalkBackward00_R.csv"]).X,
        ]
    )
    for a, b in zip(shipped[:2], fresh[:2], strict=True):
        assert list(a.classes_) == list(b.classes_)
        np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-6)
    # the card records the same training data and cross-validation
    for key in ("data", "n_steps", "features"):
        assert shipped[2][key] == fresh[2][key]


def test_analysis_uses_the_shipped_models_by_default():
    import gait

    session = sorted((REPO / "datasets/labelled/test").glob("*.csv.gz"))[0]
    a = gait.analyse(session)
    own = a.steps[a.steps["instrumented"]]
    assert own["direction"].isin(["forward", "backward"]).all()
    assert own["strike"].isin(["heel", "midfoot", "forefoot"]).all()
    assert ((own["direction_p"] >= 0.5) & (own["direction_p"] <= 1)).all()
    assert a.steps["direction"].notna().mean() > 0.95  # the other foot inherits
