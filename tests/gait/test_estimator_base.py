"""gait._estimator.BaseEstimator: scikit-learn's parameter conventions without importing it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sklearn.base import clone

from gait._estimator import BaseEstimator
from gait.pipeline import GaitPipeline
from gait.steps import AnkleStepDetector


class Inner(BaseEstimator):
    def __init__(self, alpha: float = 1.0, name: str = "x") -> None:
        self.alpha = alpha
        self.name = name


class Outer(BaseEstimator):
    def __init__(self, inner: Inner | None = None, k: int = 3) -> None:
        self.inner = inner
        self.k = k


def test_get_and_set_params_follow_sklearn_names() -> None:
    est = Outer(inner=Inner(alpha=2.0), k=5)
    params = est.get_params()
    assert params["k"] == 5 and params["inner__alpha"] == 2.0 and params["inner__name"] == "x"
    assert set(est.get_params(deep=False)) == {"inner", "k"}
    assert est.set_params(k=7, inner__alpha=0.5) is est
    assert est.k == 7 and est.inner is not None and est.inner.alpha == 0.5
    with pytest.raises(ValueError, match="invalid parameter 'nope'"):
        est.set_params(nope=1)


def test_sklearn_clone_makes_an_unfitted_copy() -> None:
    det = AnkleStepDetector()
    det.steps_ = "learned"  # a learned attribute is not copied
    copy = clone(det)
    assert type(copy) is AnkleStepDetector and not hasattr(copy, "steps_")
    assert copy.get_params() == det.get_params()
    pipe = clone(GaitPipeline(detector=Outer(), mass_kg=70.0))
    assert pipe.mass_kg == 70.0 and isinstance(pipe.detector, Outer)


def test_repr_shows_the_parameters_that_differ_from_the_defaults() -> None:
    assert repr(Outer(k=3)) == "Outer()"
    assert repr(Inner(alpha=0.25)) == "Inner(alpha=0.25)"


def test_the_analysis_path_does_not_import_scikit_learn() -> None:
    code = "import sys; import gait.pipeline, gait.steps; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
