"""Plain-array copies of fitted step classifiers (logistic or MLP): JSON in, NumPy out.

``gait train`` writes, beside each ``.skops`` model, ``<name>.json`` with the numbers that define
its predictions (median fill, scaling, the calibrated logistic regressions' coefficients or
the one-hidden-layer networks' weights, and the sigmoid calibrators). Loading it needs neither
scikit-learn nor skops (``gait analyse`` starts faster) and cannot run code: it is numbers only.
:class:`PortableClassifier` reproduces ``StepClassifier.predict_proba`` (tested to 1e-9). Only
``kind="logistic"`` or ``"mlp"`` with sigmoid calibration can be exported; other models are
loaded from their ``.skops`` file. ``columns`` (absent or null: all) lists the feature columns
the model reads, for a classifier that leaves channels out (``exclude_features``). A model with
a direction split (``direction_split``) holds three such specs: its direction gate and one model
per direction.
"""

from __future__ import annotations

from typing import Any

import numpy as np

FORMAT = "gait portable classifier 1"
#: The parts of a ``direction_split`` model: the direction gate and one model per direction.
_SPLIT_PARTS: tuple[str, ...] = ("gate", "forward", "backward")


def _calibrated_export(model) -> dict[str, Any]:
    members = []
    for cc in getattr(model, "calibrated_classifiers_", None) or []:
        est = cc.estimator
        name = type(est).__name__
        if name not in ("LogisticRegression", "MLPClassifier"):
            raise TypeError("only logistic regressions and MLPs can be exported")
        if name == "MLPClassifier" and (
            est.activation != "relu" or est.out_activation_ not in ("logistic", "softmax")
        ):
            raise TypeError("only ReLU MLPs with a logistic or softmax output can be exported")
        cals = []
        for cal in cc.calibrators:
            if type(cal).__name__ != "_SigmoidCalibration":
                raise TypeError("only sigmoid calibration can be exported")
            cals.append([float(cal.a_), float(cal.b_)])
        member: dict[str, Any] = {"classes": [str(c) for c in est.classes_], "calibrators": cals}
        if name == "MLPClassifier":  # calibrated on its predict_proba (binary: positive column)
            member["mlp_coefs"] = [w.tolist() for w in est.coefs_]
            member["mlp_intercepts"] = [b.tolist() for b in est.intercepts_]
        else:
            member["coef"] = est.coef_.tolist()
            member["intercept"] = est.intercept_.tolist()
        members.append(member)
    if not members:
        raise TypeError("only calibrated models can be exported")
    return {"classes": [str(c) for c in model.classes_], "members": members}


def export(est) -> dict[str, Any]:
    """JSON-ready numbers of a fitted logistic or MLP ``StepClassifier`` (TypeError otherwise)."""
    if getattr(est, "kind", None) not in ("logistic", "mlp") or est.calibration != "sigmoid":
        raise TypeError("only kind='logistic' or 'mlp' with sigmoid calibration can be exported")
    by_dir = getattr(est, "by_direction_", None)
    if by_dir is not None:  # direction_split: the gate and one model per direction
        return {
            "format": FORMAT,
            "estimator": type(est).__name__,
            "classes": [str(c) for c in est.classes_],
            "n_features": int(est.n_features_in_),
            "direction_split": {
                "gate": export(est.gate_),
                **{k: export(m) for k, m in by_dir.items()},
            },
        }
    split = getattr(est, "split_model_", None)
    cols = getattr(est, "columns_", None)
    all_cols = cols is None or np.array_equal(cols, np.arange(est.n_features_in_))
    return {
        "format": FORMAT,
        "estimator": type(est).__name__,
        "classes": [str(c) for c in est.classes_],
        "n_features": int(est.n_features_in_),
        "columns": None if all_cols else [int(c) for c in cols],
        "fill": est.fill_.tolist(),
        "mean": est.mean_.tolist(),
        "scale": est.scale_.tolist(),
        "split_class": est.split_class if split is not None else None,
        "split_model": _calibrated_export(split) if split is not None else None,
        "model": _calibrated_export(est.model_),
    }


def _mlp_response(mem: dict[str, Any], Xp: np.ndarray) -> np.ndarray:
    """What the calibrators of a ReLU MLP read: its probabilities (binary: the positive one)."""
    h = Xp
    layers = list(zip(mem["mlp_coefs"], mem["mlp_intercepts"], strict=True))
    for i, (w, b) in enumerate(layers):
        h = h @ np.asarray(w, dtype=np.float64) + np.asarray(b, dtype=np.float64)
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0)
    if h.shape[1] == 1:
        return 1.0 / (1.0 + np.exp(-np.clip(h, -500.0, 500.0)))
    e = np.exp(h - h.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _calibrated_proba(spec: dict[str, Any], Xp: np.ndarray) -> np.ndarray:
    classes = spec["classes"]
    k = len(classes)
    total = np.zeros((len(Xp), k))
    for mem in spec["members"]:
        if "mlp_coefs" in mem:
            dec = _mlp_response(mem, Xp)
        else:
            coef = np.asarray(mem["coef"], dtype=np.float64)
            dec = Xp @ coef.T + np.asarray(mem["intercept"], dtype=np.float64)
        proba = np.zeros((len(Xp), k))
        pos = [classes.index(c) for c in mem["classes"]]
        if k == 2:
            a, b = mem["calibrators"][0]
            proba[:, 1] = 1.0 / (1.0 + np.exp(a * dec[:, 0] + b))
            proba[:, 0] = 1.0 - proba[:, 1]
        else:
            for j, (a, b) in enumerate(mem["calibrators"]):
                proba[:, pos[j]] = 1.0 / (1.0 + np.exp(a * dec[:, j] + b))
            den = proba.sum(axis=1, keepdims=True)
            uniform = den[:, 0] == 0.0
            proba = np.divide(proba, den, out=np.full_like(proba, 1.0 / k), where=den != 0.0)
            proba[uniform] = 1.0 / k
        total += np.clip(proba, 0.0, 1.0)
    return total / len(spec["members"])


def mix_by_direction(classes, parts, X: np.ndarray) -> np.ndarray:
    """``p(class) = p(forward) p(class | forward) + p(backward) p(class | backward)``, columns
    in ``classes`` order: ``parts`` maps ``gate`` (a direction model) and ``forward`` /
    ``backward`` (one model per direction, any subset of the classes) to fitted classifiers
    (estimators or portable copies)."""
    gate = parts["gate"]
    p_fwd = gate.predict_proba(X)[:, list(gate.classes_).index("forward")]
    out = np.zeros((len(X), len(classes)))
    for k, p_dir in (("forward", p_fwd), ("backward", 1.0 - p_fwd)):
        m = parts[k]
        cols = [list(classes).index(c) for c in m.classes_]
        out[:, cols] += p_dir[:, None] * m.predict_proba(X)
    return out


class PortableClassifier:
    """Predictions of an exported classifier (``classes_``, ``predict_proba``, ``predict``)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        if spec.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT!r} file")
        self.spec = spec
        self.classes_ = np.array(spec["classes"], dtype=object)
        self.n_features_in_ = int(spec["n_features"])
        self._by_direction: dict[str, PortableClassifier] | None = None
        if spec.get("direction_split") is not None:
            parts = {k: PortableClassifier(spec["direction_split"][k]) for k in _SPLIT_PARTS}
            if any(m.n_features_in_ != self.n_features_in_ for m in parts.values()):
                raise ValueError("the direction split's models read other features")
            if list(parts["gate"].classes_) != ["backward", "forward"] or not all(
                set(parts[k].classes_) <= set(self.classes_) for k in ("forward", "backward")
            ):
                raise ValueError("the direction split's classes do not match")
            self._by_direction = parts
            return
        self._fill = np.asarray(spec["fill"], dtype=np.float64)
        self._mean = np.asarray(spec["mean"], dtype=np.float64)
        self._scale = np.asarray(spec["scale"], dtype=np.float64)
        n = self.n_features_in_
        cols = spec.get("columns")
        self._columns = None if cols is None else np.asarray(cols, dtype=np.int64)
        if self._columns is not None:
            if self._columns.ndim != 1 or np.any((self._columns < 0) | (self._columns >= n)):
                raise ValueError("columns must be indices below n_features")
            n = len(self._columns)
        if not (len(self._fill) == len(self._mean) == len(self._scale) == n):
            raise ValueError("fill/mean/scale lengths differ from the columns used")

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"expected {self.n_features_in_} features per row")
        if self._by_direction is not None:
            return mix_by_direction(self.classes_, self._by_direction, X)
        if self._columns is not None:
            X = X[:, self._columns]
        Xp = (np.where(np.isnan(X), self._fill, X) - self._mean) / self._scale
        spec = self.spec
        p = _calibrated_proba(spec["model"], Xp)
        if spec["split_model"] is None:
            return p
        sm = spec["split_model"]
        p_split = _calibrated_proba(sm, Xp)[:, sm["classes"].index("1")]
        rest = spec["model"]["classes"]
        out = np.empty((len(Xp), len(self.classes_)))
        for k, c in enumerate(self.classes_):
            if c == spec["split_class"]:
                out[:, k] = p_split
            else:
                out[:, k] = (1.0 - p_split) * p[:, rest.index(c)]
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
