"""Safe model folders: skops files restricted to an explicit list of trusted types, never pickle.

A model folder holds :data:`MODEL_FILES` (``direction.skops``, ``strike.skops``), their
plain-array copies :data:`PORTABLE_FILES` (``.json``, numbers only: what ``gait analyse`` reads,
without importing scikit-learn) and the model card (``model_card.json``, ``model_card.md``); a
``README.md`` is allowed. Anything else
(a ``.pkl``, an unknown file) makes :func:`load_models` refuse the whole folder before reading
any model. A ``.skops`` file is checked with ``skops.io.get_untrusted_types`` (which reads the
file's schema without building any object) and refused when it names a type outside
:data:`TRUSTED_TYPES`; only then is it loaded, with exactly that list as ``trusted``.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from gait.errors import ModelFileError

MODEL_FILES: dict[str, str] = {"direction": "direction.skops", "strike": "strike.skops"}
#: Plain-array copies (gait.classify.portable), read without scikit-learn when present.
PORTABLE_FILES: dict[str, str] = {"direction": "direction.json", "strike": "strike.json"}
CARD_JSON = "model_card.json"
CARD_MD = "model_card.md"
#: Files a model folder may hold besides the models.
ALLOWED_FILES: frozenset[str] = frozenset(
    {*MODEL_FILES.values(), *PORTABLE_FILES.values(), CARD_JSON, CARD_MD, "README.md"}
)

#: Types beyond skops' own defaults that a model file may contain (maintained by hand; a new
#: scikit-learn that adds a type to these estimators needs a review and an entry here).
TRUSTED_TYPES: tuple[str, ...] = (
    "gait.classify.estimators.DirectionClassifier",
    "gait.classify.estimators.StrikeClassifier",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
)


def save_models(folder: str | Path, models: dict[str, Any], card: dict[str, Any], card_md: str):
    """Write the models (skops, deflate-compressed) and the model card into ``folder``."""
    import skops.io as sio

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, fname in MODEL_FILES.items():
        data = sio.dumps(models[name], compression=zipfile.ZIP_DEFLATED, compresslevel=9)
        bad = sorted(set(sio.get_untrusted_types(data=data)) - set(TRUSTED_TYPES))
        if bad:  # a library upgrade added a type: refuse to write what we would refuse to read
            raise ModelFileError(
                f"{out / fname}: the model holds types not in the trusted list: {bad}"
            )
        (out / fname).write_bytes(data)
        from gait.classify.portable import export

        try:
            spec = export(models[name])
        except TypeError:  # not a logistic model: only the .skops file
            (out / PORTABLE_FILES[name]).unlink(missing_ok=True)
        else:
            (out / PORTABLE_FILES[name]).write_text(json.dumps(spec) + "\n", encoding="utf-8")
    (out / CARD_JSON).write_text(
        json.dumps(card, indent=2, sort_keys=False) + "\n", encoding="utf-8"
    )
    (out / CARD_MD).write_text(card_md, encoding="utf-8")
    return out


def check_model_folder(folder: str | Path) -> Path:
    """Refuse a folder that is missing, lacks a model, or holds any file that is not allowed."""
    p = Path(folder)
    if not p.is_dir():
        raise ModelFileError(
            f"{p}: not a model folder (expected a folder with {', '.join(MODEL_FILES.values())})"
        )
    extra = sorted(f.name for f in p.iterdir() if f.name not in ALLOWED_FILES)
    if extra:
        raise ModelFileError(
            f"{p}: refused: the model folder holds {', '.join(extra)}; a model folder holds only "
            f"{', '.join(sorted(ALLOWED_FILES))} (pickle files are never loaded)"
        )
    for fname in MODEL_FILES.values():
        if not (p / fname).is_file():
            raise ModelFileError(f"{p / fname}: missing; expected a model written by 'gait train'")
    return p


def _load_one(path: Path, expected: str):
    import skops.io as sio

    try:
        data = path.read_bytes()
        untrusted = set(sio.get_untrusted_types(data=data))
    except Exception as e:  # not a zip, no schema, unreadable
        raise ModelFileError(f"{path}: not a model file written by 'gait train' ({e})") from None
    bad = sorted(untrusted - set(TRUSTED_TYPES))
    if bad:
        raise ModelFileError(
            f"{path}: refused: the file asks for types outside the trusted list: {', '.join(bad)}"
        )
    try:
        model = sio.loads(data, trusted=list(TRUSTED_TYPES))
    except Exception as e:
        raise ModelFileError(f"{path}: cannot be read as a model ({e})") from None
    from gait.classify import estimators

    cls = getattr(estimators, expected)
    if type(model) is not cls:
        raise ModelFileError(f"{path}: holds a {type(model).__name__}; expected a {expected}")
    return model


def _load_portable(path: Path):
    from gait.classify.portable import PortableClassifier

    try:
        return PortableClassifier(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
        raise ModelFileError(f"{path}: not a model file written by 'gait train' ({e})") from None


def load_models(folder: str | Path, *, portable: bool = True) -> tuple[Any, Any, dict[str, Any]]:
    """``(direction, strike, card)`` from a model folder, after the safety checks above.

    With ``portable`` (default) and both ``.json`` copies present, they are used (numbers only,
    no scikit-learn import); else the ``.skops`` estimators, checked against the trusted list.
    """
    p = check_model_folder(folder)
    if portable and all((p / f).is_file() for f in PORTABLE_FILES.values()):
        direction = _load_portable(p / PORTABLE_FILES["direction"])
        strike = _load_portable(p / PORTABLE_FILES["strike"])
    else:
        direction = _load_one(p / MODEL_FILES["direction"], "DirectionClassifier")
        strike = _load_one(p / MODEL_FILES["strike"], "StrikeClassifier")
    from gait.classify.features import legacy_columns, n_features

    n = n_features()
    models = {"direction": direction, "strike": strike}
    for name, model in list(models.items()):
        k = getattr(model, "n_features_in_", n)
        cols = legacy_columns(k) if k != n else None
        if cols is not None:  # the previous feature set: its columns are all still computed
            models[name] = LegacyColumns(model, cols, n)
        elif k != n:
            raise ModelFileError(
                f"{p}: the {name} model was trained on {k} features per step; this version of "
                f"gait computes {n}: retrain it with 'gait train DATA... --out {p}'"
            )
    card: dict[str, Any] = {}
    if (p / CARD_JSON).is_file():
        try:
            card = json.loads((p / CARD_JSON).read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise ModelFileError(f"{p / CARD_JSON}: not valid JSON ({e})") from None
    return models["direction"], models["strike"], card


class LegacyColumns:
    """A model of the previous feature set reading its columns out of the current features
    (by name, :func:`gait.classify.features.legacy_columns`)."""

    def __init__(self, model: Any, columns: Any, n_features: int) -> None:
        self.model = model
        self.columns = columns
        self.classes_ = model.classes_
        self.n_features_in_ = n_features

    def predict_proba(self, X: Any) -> Any:
        import numpy as np

        return self.model.predict_proba(np.asarray(X)[:, self.columns])

    def predict(self, X: Any) -> Any:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
