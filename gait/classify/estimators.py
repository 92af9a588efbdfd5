"""The two step classifiers as scikit-learn estimators.

Both are a model of the per-step features (:mod:`gait.classify.features`) wrapped in a
probability calibration (``CalibratedClassifierCV``, Platt/sigmoid by default) so that
``predict_proba`` gives usable probabilities. The model is ``kind="logistic"`` (default: median
imputation of the NaN bins near the ends of a recording, standard scaling, L2 logistic
regression; fast and small), ``kind="mlp"`` (one hidden layer on the same scaled features; the
default of both classifiers since it was better on simulated and on real motion, issue 20)
or ``kind="boosting"`` (gradient-boosted trees, NaN
handled natively). Training is deterministic for a fixed ``random_state``.

A classifier can leave feature channels out (``exclude_features``, names as in
:func:`gait.classify.features.feature_names` before the ``@``): the direction classifier leaves
out the out-of-plane channels and the mean specific force (:data:`SIMULATOR_CUES`), which the
simulator does not reproduce and which made a model trained on simulated gait read real forward
steps as backward (BENCHMARKS.md, issue 20, third pass).
"""

from __future__ import annotations

import warnings
from typing import Self

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from gait._kernels._features import (
    CHANNELS,
    LANDING_CHANNELS,
    LANDING_SCALARS,
    NEAR_CHANNELS,
    SCALARS,
)
from gait.classify.features import ANCHORED_PREFIX
from gait.classify.portable import mix_by_direction

#: Every channel and scalar the kernel computes (read around the contact).
CONTACT_CHANNELS: tuple[str, ...] = CHANNELS + NEAR_CHANNELS + SCALARS
#: The same read around the rotation reversal (gait.classify.features.reversal_anchor).
ANCHORED_CHANNELS: tuple[str, ...] = tuple(ANCHORED_PREFIX + c for c in CONTACT_CHANNELS)

#: Feature channels the direction classifier leaves out: the magnitudes of the lateral
#: acceleration and of the off-sagittal rotation, the planarity of the rotation (the simulator
#: turns the shank out of the sagittal plane by a few deg/s, real shanks by tens) and the mean
#: specific force over the window (it carries the simulator's swing vigour, about twice the real).
SIMULATOR_CUES: tuple[str, ...] = ("abs_a_u", "abs_w_off", "planarity", "g_norm_ms2")
#: Channels in absolute units of the swing's vigour (rates in rad/s, angles in rad,
#: accelerations in m/s²), which the direction classifier reads only relative to the step's own
#: level (``w_s_norm``, ``theta_rel``, ``a_v_rel``, ``a_e_rel``, ``ae_ws_*_rel``): the simulator
#: gets the levels wrong, and wrong by direction (benchmarks.realism_mocap, SNU walker against
#: simulated walking at the same speed: peak ankle acceleration in swing backward/forward 0.75
#: real against 1.61 simulated, stance rotation rate 1.07 against 1.53, the walker's forward
#: stance rate about twice the simulated one), so a model trained on the simulator would read
#: direction from the level (BENCHMARKS.md, issue 20, fourth pass).
LEVEL_CUES: tuple[str, ...] = (
    "w_s",
    "theta",
    "a_v",
    "a_e",
    "stance_rate_rad_s",
    "post_trough_rad_s",
    "pre_trough_rad_s",
    "swing_peak_rad_s",
    "swing_range_rad",
    "ae_ws_pre",
    "ae_ws_post",
)
#: Channels of the landing (the contact-frame translation, the impact and the rotation
#: reversal) read by the strike classifier only: direction must not be read off strike.
STRIKE_CUES: tuple[str, ...] = LANDING_CHANNELS + NEAR_CHANNELS + LANDING_SCALARS
#: Channels the strike classifier leaves out of those it reads (around the rotation reversal):
#: the accelerations in the window's mean frame (the contact-frame ones ``wa_*``, ``wv_*`` carry
#: the landing without the shank's tilt mixed in), the out-of-plane magnitudes and the
#: level-free copies made for direction: every binned channel but the rotation's and the
#: landing's, and the two level-free scalars (BENCHMARKS.md, fourth pass); and the swing's
#: scalars (peak, troughs, range, stance rate, planarity, mean specific force: every scalar but
#: the landing's), which tell people apart more than strikes (BENCHMARKS.md, seventh pass:
#: held-out simulated heel vs forefoot 94.9 -> 96.8 %, sim -> mocap 0.849 -> 0.864). Chosen by
#: subject-grouped cross-validation inside the training set.
STRIKE_UNUSED: tuple[str, ...] = (
    *(c for c in CHANNELS if c not in ("w_s", "theta", *LANDING_CHANNELS)),
    "ae_ws_pre_rel",
    "ae_ws_post_rel",
    *(c for c in SCALARS if c not in LANDING_SCALARS),
)
#: Channels the strike classifier leaves out: everything read around the contact (the strike
#: model reads the landing around the rotation reversal, which the detector's contact and the
#: true contact share: held-out heel vs forefoot no longer drops at the detector's contacts,
#: BENCHMARKS.md, fifth pass) and :data:`STRIKE_UNUSED` around the reversal.
STRIKE_EXCLUDED: tuple[str, ...] = CONTACT_CHANNELS + tuple(
    ANCHORED_PREFIX + c for c in STRIKE_UNUSED
)
#: Channels the direction classifier leaves out (all those read around the reversal: they are
#: made for strike, and direction must not be read off strike).
DIRECTION_EXCLUDED: tuple[str, ...] = SIMULATOR_CUES + LEVEL_CUES + STRIKE_CUES + ANCHORED_CHANNELS


def feature_columns(n_columns: int, exclude: tuple[str, ...]) -> np.ndarray:
    """Indices of the columns kept when the channels ``exclude`` are left out; all columns
    when ``exclude`` is empty or ``n_columns`` is not the width of the step features."""
    from gait.classify.features import feature_names

    names = feature_names()
    if not exclude or n_columns != len(names):
        return np.arange(n_columns)
    drop = set(exclude)
    return np.array([i for i, n in enumerate(names) if n.split("@")[0] not in drop], dtype=np.int64)


class StepClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated classifier of per-step feature vectors.

    Parameters
    ----------
    kind
        ``"logistic"`` or ``"boosting"`` (see the module docstring).
    C
        Inverse L2 strength of the logistic regression (the MLP's ``alpha`` is ``1 / C``).
    hidden_units
        Width of the hidden layer of ``kind="mlp"`` (one layer, ReLU).
    max_iter, learning_rate, max_leaf_nodes, l2_regularization, class_weight
        Passed to ``HistGradientBoostingClassifier``.
    calibration
        ``"sigmoid"`` or ``"isotonic"`` (``CalibratedClassifierCV`` ``method``).
    cv
        Folds of the calibration (fewer when a class has fewer samples; no calibration with
        fewer than two samples per class).
    random_state
        Seed of the folds and models (training is deterministic).
    split_class
        With three or more classes, this class is first told from the rest by one calibrated
        model and the rest among themselves by another, trained only on their own rows
        (``p(rest class) = (1 - p(split)) * p(class | rest)``). For strike, ``"midfoot"``: the
        in-between class no longer blurs the heel-vs-forefoot boundary.
    exclude_features
        Feature channels left out (see :func:`feature_columns`; fitted ``columns_`` are the
        indices used). Only applies to full-width step features.
    direction_split
        When ``fit`` is given each row's direction (and each direction has at least two of
        the classes): one model per direction (``by_direction_``, trained on that direction's
        rows; rows of unknown direction in both) and a :class:`DirectionClassifier` gate
        (``gate_``) fitted on the same rows, composed as ``p(class) = sum over directions of
        p(direction) p(class | direction)``. For strike: the shank's turn after a landing means
        opposite strikes forward and backward (BENCHMARKS.md, issue 20, eighth pass).
    """

    def __init__(
        self,
        kind: str = "logistic",
        C: float = 0.3,
        hidden_units: int = 32,
        max_iter: int = 150,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 15,
        l2_regularization: float = 1.0,
        class_weight: str | None = "balanced",
        calibration: str = "sigmoid",
        cv: int = 3,
        random_state: int = 0,
        split_class: str | None = None,
        exclude_features: tuple[str, ...] = (),
        direction_split: bool = False,
    ) -> None:
        self.kind = kind
        self.C = C
        self.hidden_units = hidden_units
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.class_weight = class_weight
        self.calibration = calibration
        self.cv = cv
        self.random_state = random_state
        self.split_class = split_class
        self.exclude_features = exclude_features
        self.direction_split = direction_split

    def _base(self):
        from sklearn.ensemble import HistGradientBoostingClassifier

        if self.kind == "logistic":
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(
                C=self.C, class_weight=self.class_weight, max_iter=max(self.max_iter, 1000)
            )
        if self.kind == "mlp":
            from sklearn.neural_network import MLPClassifier

            return MLPClassifier(
                hidden_layer_sizes=(self.hidden_units,),
                alpha=1.0 / self.C,
                max_iter=self.max_iter,
                random_state=self.random_state,
            )
        if self.kind != "boosting":
            raise ValueError(f"kind must be 'logistic', 'mlp' or 'boosting'; got {self.kind!r}")
        return HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=self.l2_regularization,
            class_weight=self.class_weight,
            early_stopping=False,
            random_state=self.random_state,
        )

    def fit(self, X, y, sample_weight=None, direction=None) -> Self:
        """Fit the model(s) and their calibration on features ``X`` and labels ``y``.

        ``direction`` (``"forward"`` / ``"backward"`` per row, anything else unknown) is used
        only with ``direction_split`` (see the class docstring); ignored otherwise."""
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan")
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise ValueError(
                f"need at least two classes to train; got only one class {classes.tolist()}"
            )
        self.classes_ = classes
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.gate_ = None
        self.by_direction_ = None
        if self.direction_split and direction is not None:
            d = np.asarray(direction, dtype=object)
            if d.shape != (len(y),):
                raise ValueError(f"direction must have one entry per row ({len(y)})")
            if self._fit_split(X, y, w, d):
                return self
        self.columns_ = feature_columns(X.shape[1], tuple(self.exclude_features))
        Xp = self._prepare(X[:, self.columns_], fit=True)
        split = self.split_class
        models = []
        if split is not None and len(classes) >= 3 and np.any(classes == split):
            is_split = y == split
            self.split_model_ = self._fit_one(Xp, np.where(is_split, "1", "0"), w)
            rest = ~is_split
            self.model_ = self._fit_one(Xp[rest], y[rest], None if w is None else w[rest])
            models = [self.split_model_, self.model_]
        else:
            self.split_model_ = None
            self.model_ = self._fit_one(Xp, y, w)
            models = [self.model_]
        inner = []
        for model in models:
            inner += (
                [c.estimator for c in model.calibrated_classifiers_]
                if hasattr(model, "calibrated_classifiers_")
                else [model]
            )
        self.n_iter_ = int(max(np.max(m.n_iter_) for m in inner))
        return self

    def _fit_split(self, X: np.ndarray, y: np.ndarray, w: np.ndarray | None, d: np.ndarray) -> bool:
        """``direction_split``: a direction gate and one model per direction; False (nothing
        fitted) when a direction has fewer than two of the classes."""
        fwd = d == "forward"
        bwd = d == "backward"
        unknown = ~(fwd | bwd)
        rows = {"forward": fwd | unknown, "backward": bwd | unknown}
        if not (fwd.any() and bwd.any()) or any(len(np.unique(y[r])) < 2 for r in rows.values()):
            return False
        params = {**self.get_params(), "direction_split": False}
        self.by_direction_ = {
            k: type(self)(**params).fit(X[r], y[r], None if w is None else w[r])
            for k, r in rows.items()
        }
        known = ~unknown
        self.gate_ = DirectionClassifier(random_state=self.random_state).fit(
            X[known], d[known].astype(str), None if w is None else w[known]
        )
        self.columns_ = self.by_direction_["forward"].columns_  # the gate's: gate_.columns_
        self.split_model_ = None
        self.model_ = None
        self.n_iter_ = max(m.n_iter_ for m in (self.gate_, *self.by_direction_.values()))
        return True

    def _fit_one(self, Xp: np.ndarray, y: np.ndarray, w: np.ndarray | None):
        """One calibrated model of the prepared features."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.model_selection import StratifiedKFold

        classes, counts = np.unique(y, return_counts=True)
        folds = int(min(self.cv, counts.min()))
        if folds >= 2 and len(classes) >= 2:
            cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
            model = CalibratedClassifierCV(self._base(), method=self.calibration, cv=cv)
        else:
            model = self._base()
        fit_kw = {}
        if w is not None:
            fit_kw["sample_weight"] = w
        if self.kind == "mlp" and self.class_weight == "balanced":  # the MLP has no class_weight
            cw = {c: len(y) / (len(classes) * n) for c, n in zip(classes, counts, strict=True)}
            fit_kw["sample_weight"] = np.array([cw[v] for v in y]) * fit_kw.get(
                "sample_weight", 1.0
            )
        with warnings.catch_warnings():  # the iteration cap is a setting, not a user error
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(Xp, y, **fit_kw)
        return model

    def _prepare(self, X: np.ndarray, fit: bool = False) -> np.ndarray:
        """Logistic and MLP kinds: NaN -> the training median, then standard scaling."""
        if self.kind == "boosting":
            return X
        if fit:
            with warnings.catch_warnings():  # an all-NaN column is filled with 0
                warnings.simplefilter("ignore", RuntimeWarning)
                med = np.nanmedian(X, axis=0)
            self.fill_ = np.nan_to_num(np.asarray(med, dtype=np.float64), nan=0.0)
            Xf = np.where(np.isnan(X), self.fill_, X)
            self.mean_ = Xf.mean(axis=0)
            sd = Xf.std(axis=0)
            self.scale_ = np.where(sd > 1e-12, sd, 1.0)
        Xf = np.where(np.isnan(X), self.fill_, X)
        return (Xf - self.mean_) / self.scale_

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probabilities, columns in ``classes_`` order."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        if getattr(self, "by_direction_", None) is not None:
            return mix_by_direction(self.classes_, {"gate": self.gate_, **self.by_direction_}, X)
        Xp = self._prepare(X[:, self.columns_])
        p = self.model_.predict_proba(Xp)
        if self.split_model_ is None:
            return p
        sm = self.split_model_
        p_split = sm.predict_proba(Xp)[:, list(sm.classes_).index("1")]
        rest = list(self.model_.classes_)
        out = np.empty((len(Xp), len(self.classes_)))
        for k, c in enumerate(self.classes_):
            if c == self.split_class:
                out[:, k] = p_split
            else:
                out[:, k] = (1.0 - p_split) * p[:, rest.index(c)]
        return out

    def predict(self, X) -> np.ndarray:
        """The most probable class of each row."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class DirectionClassifier(StepClassifier):
    """Direction of travel of a step: ``forward`` or ``backward``.

    An MLP by default (``kind="mlp"``, 32 hidden units, ``alpha = 1 / C = 1/3``): trained also on
    contacts moved -0.25/-0.12/+0.08/+0.16 s (:data:`gait.classify.data.JITTER_S`), it keeps its
    accuracy where the step detector's contact lands early or late, which the logistic
    regression could not (held-out simulated backward steps at the detector's contacts 87 % ->
    100 %, BENCHMARKS.md, issue 20). It leaves out :data:`DIRECTION_EXCLUDED`: the
    simulator's cues (:data:`SIMULATOR_CUES`), the absolute levels (:data:`LEVEL_CUES`; it
    reads the rotation, angle and translation relative to the step's own swing) and the
    landing (:data:`STRIKE_CUES`). Trained on simulated gait alone it then reads a real
    walker's forward steps far better (BENCHMARKS.md, issue 20, third and fourth passes)."""

    def __init__(
        self,
        kind: str = "mlp",
        C: float = 3.0,
        hidden_units: int = 32,
        max_iter: int = 300,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 15,
        l2_regularization: float = 1.0,
        class_weight: str | None = "balanced",
        calibration: str = "sigmoid",
        cv: int = 3,
        random_state: int = 0,
        split_class: str | None = None,
        exclude_features: tuple[str, ...] = DIRECTION_EXCLUDED,
        direction_split: bool = False,
    ) -> None:
        super().__init__(
            kind=kind,
            C=C,
            hidden_units=hidden_units,
            max_iter=max_iter,
            learning_rate=learning_rate,
            max_leaf_nodes=max_leaf_nodes,
            l2_regularization=l2_regularization,
            class_weight=class_weight,
            calibration=calibration,
            cv=cv,
            random_state=random_state,
            split_class=split_class,
            exclude_features=exclude_features,
            direction_split=direction_split,
        )


class StrikeClassifier(StepClassifier):
    """Foot strike of a step: ``heel``, ``midfoot`` or ``forefoot``.

    An MLP by default (64 hidden units, ``alpha`` 1), midfoot split off first, and split by
    direction (``direction_split``) when ``fit`` is given each row's direction: a slow turn of
    the shank after the landing is a forefoot landing forward but a heel strike backward
    (sim -> real walker heel vs forefoot 0.864 -> 0.941, BENCHMARKS.md, eighth pass). It reads the
    shank's rotation bins, the landing in the contact's frame (``wa_*``, ``wv_*``), the impact
    and the rotation reversal; not the mean-frame accelerations nor the swing's scalars
    (:data:`STRIKE_EXCLUDED`). Subject-grouped cross-validation inside the training set, heel
    vs forefoot at the true contacts: 79 -> 91 % (simulator v8), 77 -> 89 % (v9) against the
    third pass; held-out simulated subjects (v9) 85 -> 95 % (BENCHMARKS.md, issue 20, fourth
    pass)."""

    def __init__(
        self,
        kind: str = "mlp",
        C: float = 1.0,
        hidden_units: int = 64,
        max_iter: int = 200,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 15,
        l2_regularization: float = 1.0,
        class_weight: str | None = "balanced",
        calibration: str = "sigmoid",
        cv: int = 3,
        random_state: int = 0,
        split_class: str | None = "midfoot",
        exclude_features: tuple[str, ...] = STRIKE_EXCLUDED,
        direction_split: bool = True,
    ) -> None:
        super().__init__(
            kind=kind,
            C=C,
            hidden_units=hidden_units,
            max_iter=max_iter,
            learning_rate=learning_rate,
            max_leaf_nodes=max_leaf_nodes,
            l2_regularization=l2_regularization,
            class_weight=class_weight,
            calibration=calibration,
            cv=cv,
            random_state=random_state,
            split_class=split_class,
            exclude_features=exclude_features,
            direction_split=direction_split,
        )
