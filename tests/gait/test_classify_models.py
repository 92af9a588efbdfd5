"""Step classifiers: scikit-learn conventions, safe model folders, the streaming stage and the
``gait train`` / ``gait analyse --model`` commands."""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils.estimator_checks import parametrize_with_checks
from typer.testing import CliRunner

from gait.classify.estimators import DirectionClassifier, StrikeClassifier
from gait.classify.model_io import MODEL_FILES, load_models, save_models
from gait.classify.stage import StepLabeller
from gait.errors import ModelFileError

REPO = Path(__file__).resolve().parents[2]
TRAIN = REPO / "datasets" / "labelled" / "train"
TEST = REPO / "datasets" / "labelled" / "test"

#: Checks that do not apply: the calibration splits the data into shuffled folds, so weights
#: and repeated rows do not give the same folds; class_weight is a string option here.
EXPECTED_FAILED = {
    "check_sample_weight_equivalence_on_dense_data": "calibration folds differ with weights",
    "check_class_weight_classifiers": "class_weight is 'balanced' or None, not a dict",
}


@parametrize_with_checks(
    [DirectionClassifier(), StrikeClassifier(C=1.0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    """A model folder trained on four simulated subjects (fast)."""
    from gait.classify.train import train

    files = sorted(TRAIN.glob("*.csv.gz"))[:4]
    result = train(files, n_splits=2, augment=False)  # augmentation: test_classify_augment
    out = tmp_path_factory.mktemp("model")
    save_models(out, result.models, result.card, result.card_md)
    return out


def test_model_folder_round_trip_and_card(small_model):
    d, s, card = load_models(small_model, portable=False)
    assert isinstance(d, DirectionClassifier) and isinstance(s, StrikeClassifier)
    # the plain-array copies predict exactly as the estimators (and are what is loaded)
    pd_, ps, _ = load_models(small_model)
    from gait.classify.data import load_steps

    X = load_steps([sorted(TEST.glob("*.csv.gz"))[0]]).X
    X[0, :7] = np.nan
    for a, b in ((d, pd_), (s, ps)):
        assert type(b).__name__ == "PortableClassifier"
        assert list(a.classes_) == list(b.classes_)
        np.testing.assert_allclose(b.predict_proba(X), a.predict_proba(X), rtol=0, atol=1e-9)
    assert set(d.classes_) == {"forward", "backward"}
    # the direction model leaves out the simulator's cues, the absolute levels and the landing;
    # the strike model the mean-frame accelerations and the level-free copies
    from gait.classify.estimators import DIRECTION_EXCLUDED, SIMULATOR_CUES, STRIKE_EXCLUDED
    from gait.classify.features import feature_names

    names = feature_names()
    used = {names[i].split("@")[0] for i in d.columns_}
    assert not used & set(DIRECTION_EXCLUDED) and set(SIMULATOR_CUES) <= set(DIRECTION_EXCLUDED)
    assert {"w_s_norm", "a_e_rel", "theta_rel"} <= used
    used_s = {names[i].split("@")[0] for i in s.columns_}
    assert not used_s & set(STRIKE_EXCLUDED) and {"rev:wa_v", "rev:impact_jerk_log"} <= used_s
    # ... and the swing's scalars (seventh pass), keeping the landing's and the rotation bins
    assert not used_s & {"rev:swing_peak_rad_s", "rev:planarity", "rev:g_norm_ms2"}
    assert {"rev:reversal_t_s", "rev:dv_h_reversal_m_s", "rev:w_s", "rev:theta"} <= used_s
    assert not any(n.startswith("rev:") for n in used)  # direction: not the landing
    # the strike model is split by direction (eighth pass): a direction gate reading only the
    # direction model's channels and one model per direction reading the strike channels
    assert s.by_direction_ is not None and set(s.by_direction_) == {"forward", "backward"}
    used_g = {names[i].split("@")[0] for i in s.gate_.columns_}
    assert used_g == used and not used_g & set(DIRECTION_EXCLUDED)
    for part in s.by_direction_.values():
        assert np.array_equal(part.columns_, s.columns_)
    spec_s = json.loads((small_model / "strike.json").read_text())["direction_split"]
    for model, spec in (
        (d, json.loads((small_model / "direction.json").read_text())),
        (s.gate_, spec_s["gate"]),
        (s.by_direction_["forward"], spec_s["forward"]),
        (s.by_direction_["backward"], spec_s["backward"]),
    ):
        assert spec["columns"] == [int(i) for i in model.columns_]
    X2 = X.copy()
    X2[:, [i for i in range(len(names)) if i not in set(d.columns_)]] = 1e6
    np.testing.assert_array_equal(pd_.predict_proba(X2), pd_.predict_proba(X))
    cv = card["tasks"]["direction"]["cross_validation"]
    assert {"per_class", "confusion", "per_subject_accuracy", "balanced_accuracy"} <= set(cv)
    assert card["library_versions"]["scikit-learn"]
    assert len(card["features"]["names"]) == card["features"]["n"]
    md = (small_model / "model_card.md").read_text()
    assert "Confusion" in md and "precision" in md


def _copy(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    return dst


class _Hostile:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_hostile_pickle_is_refused_and_never_run(small_model, tmp_path):
    marker = tmp_path / "pwned"
    folder = _copy(small_model, tmp_path / "m")
    (folder / "extra.pkl").write_bytes(pickle.dumps(_Hostile(str(marker))))
    with pytest.raises(ModelFileError, match=r"refused.*extra\.pkl"):
        load_models(folder)
    assert not marker.exists()
    # a pickle under the model's own name is refused too (not a skops file)
    folder2 = _copy(small_model, tmp_path / "m2")
    (folder2 / MODEL_FILES["direction"]).write_bytes(pickle.dumps(_Hostile(str(marker))))
    with pytest.raises(ModelFileError, match=r"direction\.skops"):
        load_models(folder2, portable=False)
    assert not marker.exists()
    # a plain-array file that is not one is refused too
    (folder2 / "direction.json").write_text('{"format": "something else"}')
    with pytest.raises(ModelFileError, match=r"direction\.json: not a model file"):
        load_models(folder2)


def test_skops_file_with_an_untrusted_type_is_refused(small_model, tmp_path):
    import skops.io as sio

    marker = tmp_path / "pwned"
    folder = _copy(small_model, tmp_path / "m")
    # a skops file whose schema asks for a type outside the trusted list
    (folder / MODEL_FILES["strike"]).write_bytes(sio.dumps(_Hostile(str(marker))))
    with pytest.raises(ModelFileError, match="outside the trusted list"):
        load_models(folder, portable=False)
    # and one whose schema was edited to name a function that would run code
    path = folder / MODEL_FILES["direction"]
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    schema = json.loads(entries["schema.json"])
    schema["__module__"], schema["__class__"] = "os", "system"
    entries["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, b in entries.items():
            z.writestr(n, b)
    with pytest.raises(ModelFileError, match="refused"):
        load_models(folder, portable=False)
    assert not marker.exists()


def test_missing_model_is_one_clear_error(tmp_path):
    with pytest.raises(ModelFileError, match="not a model folder"):
        load_models(tmp_path / "nothing")
    tmp_path.joinpath("m").mkdir()
    with pytest.raises(ModelFileError, match=r"direction\.skops: missing"):
        load_models(tmp_path / "m")


@pytest.fixture(scope="module")
def test_session():
    from gait.io import read_session

    s = read_session(sorted(TEST.glob("*.csv.gz"))[0])
    return s


def _stream(labeller, session, cuts):
    from gait.pipeline import GaitPipeline

    samples = session.samples
    st_ = GaitPipeline(classifier=labeller).stream(
        sampling_rate_hz=samples.sampling_rate_hz, has_gyro=True, placement=session.meta.placement
    )
    recs, lat = [], []
    i = 0
    for j in [*cuts, samples.n_samples]:
        if j <= i:
            continue
        out = st_.feed(samples.slice(i, j))
        lat += [samples.t_s[j - 1] - r["t_s"] for r in out if r["instrumented"]]
        recs += out
        i = j
    recs += st_.finish()
    return recs, np.array(lat)


@settings(max_examples=6, deadline=None)
@given(cuts=st.lists(st.integers(1, 12000), max_size=25).map(sorted))
def test_stream_is_chunk_invariant(small_model, test_session, cuts):
    lab = StepLabeller.from_folder(small_model)
    whole, _ = _stream(lab, test_session, [])
    split, _ = _stream(lab, test_session, cuts)
    assert split == whole
    assert all(r["direction"] in ("forward", "backward") for r in whole if r["instrumented"])
    assert all(0.5 <= r["direction_p"] <= 1.0 for r in whole if r["instrumented"])


def test_live_labels_within_one_stride(small_model, test_session):
    lab = StepLabeller.from_folder(small_model)
    n = test_session.samples.n_samples
    recs, lat = _stream(lab, test_session, list(range(10, n, 10)))  # 0.1 s blocks
    own = np.array([r["t_s"] for r in recs if r["instrumented"]])
    stride = np.median(np.diff(own))
    assert len(lat) > 0.9 * len(own)
    assert np.percentile(lat, 95) < stride


def test_smoothing_is_causal_and_reported_apart(small_model, test_session):
    plain = StepLabeller.from_folder(small_model)
    smooth = StepLabeller.from_folder(small_model, smooth_steps=3)
    a, _ = _stream(plain, test_session, [])
    b, _ = _stream(smooth, test_session, list(range(500, 12000, 500)))
    c, _ = _stream(smooth, test_session, [])
    assert [r["t_s"] for r in a] == [r["t_s"] for r in b]
    assert b == c


runner = CliRunner()


def test_cli_train_and_analyse_with_the_model(tmp_path):
    from gait.cli import app

    data = tmp_path / "data"
    data.mkdir()
    for f in sorted(TRAIN.iterdir())[:12]:  # three subjects
        (data / f.name).write_bytes(f.read_bytes())
    out = tmp_path / "model"
    r = runner.invoke(app, ["train", str(data), "--out", str(out), "--folds", "3"])
    assert r.exit_code == 0, r.output
    assert "direction: cross-validated balanced accuracy" in r.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "direction.json",
        "direction.skops",
        "model_card.json",
        "model_card.md",
        "strike.json",
        "strike.skops",
    ]
    session = sorted(TEST.glob("*.csv.gz"))[0]
    r = runner.invoke(app, ["analyse", str(session), "--model", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    steps = json.loads(r.stdout)["sessions"][0]["steps"]
    assert all(s["direction"] in ("forward", "backward") for s in steps if s["instrumented"])
    assert all(s["strike"] in ("heel", "midfoot", "forefoot") for s in steps if s["instrumented"])
    # a second run into the same folder needs --overwrite; a hostile file makes --model fail
    r = runner.invoke(app, ["train", str(data), "--out", str(out)])
    assert r.exit_code == 2 and "--overwrite" in r.output
    (out / "evil.pkl").write_bytes(b"\x80\x04K\x01.")
    r = runner.invoke(app, ["analyse", str(session), "--model", str(out)])
    assert r.exit_code == 2 and "refused" in r.output and "Traceback" not in r.output


def test_cli_train_bad_label_is_located(tmp_path):
    from gait.cli import app

    data = tmp_path / "data"
    data.mkdir()
    for f in sorted(TRAIN.iterdir())[:4]:
        (data / f.name).write_bytes(f.read_bytes())
    lab = next(data.glob("*.labels.csv"))
    lines = lab.read_text().splitlines()
    fields = lines[2].split(",")
    fields[2] = "sideways"
    lines[2] = ",".join(fields)
    lab.write_text("\n".join(lines) + "\n")
    r = runner.invoke(app, ["train", str(data), "--out", str(tmp_path / "m")])
    assert r.exit_code == 2
    assert f"{lab.name}, line 3, column 'direction'" in r.output
    assert "expected forward or backward" in r.output
    assert not (tmp_path / "m").exists()


def test_jittered_rows_carry_one_label_and_stay_out_of_scores():
    from gait.classify.data import JITTER_S, STRIKE_JITTER_S, steps_of_labelled

    path = sorted(TRAIN.glob("*.csv.gz"))[0]
    plain = steps_of_labelled(path)
    jit = steps_of_labelled(path, jitter=True)
    assert not plain.jittered.any()
    real = jit.subset(~jit.jittered)
    np.testing.assert_array_equal(real.X, plain.X)  # the real rows are unchanged
    moved = jit.subset(jit.jittered)
    n_truth = int((~plain.at_detector).sum())
    n_off = len(JITTER_S) + len(STRIKE_JITTER_S)
    assert n_truth * n_off - 2 * n_off <= len(moved) <= n_truth * n_off
    has_d = np.array([d is not None for d in moved.direction])
    has_s = np.array([s is not None for s in moved.strike])
    assert not np.any(has_d & has_s)  # each moved row teaches one task only
    assert has_d.sum() >= n_truth * len(JITTER_S) - 2 * len(JITTER_S)
    assert has_s.sum() >= n_truth * len(STRIKE_JITTER_S) - 2 * len(STRIKE_JITTER_S)
    assert set(moved.direction[has_d]) <= set(plain.direction[~plain.at_detector])
    assert set(moved.strike[has_s]) <= set(plain.strike[~plain.at_detector])
    assert not moved.at_detector.any()
    # a moved row is read elsewhere than any real row of its contact
    assert not np.any(np.all(np.isclose(moved.X[:, :5], real.X[0, :5], equal_nan=True), axis=1))


def test_strike_only_moved_rows_train_their_own_directions_strike_model():
    """The strike split gets each strike-only moved row's own contact's direction (the row keeps
    no direction label, so the direction model still never learns from it)."""
    from gait.classify.data import split_direction, steps_of_labelled
    from gait.classify.train import fit_params

    path = sorted(TRAIN.glob("*.csv.gz"))[0]
    jit = steps_of_labelled(path, jitter=True)
    d = split_direction(jit)
    labelled = np.array([v is not None for v in jit.direction])
    assert list(d[labelled]) == list(jit.direction[labelled])  # labels unchanged
    s_only = jit.jittered & ~labelled
    assert s_only.any()
    truth = ~jit.jittered & ~jit.at_detector
    of = dict(zip(jit.t_s[truth], jit.direction[truth], strict=True))
    assert list(d[s_only]) == [of[t] for t in jit.t_s[s_only]]
    assert set(d[s_only]) == {"forward", "backward"}
    m = np.array([v is not None for v in jit.strike])
    assert list(fit_params("strike", jit, m)["direction"]) == list(d[m])


def test_models_of_another_feature_set_are_refused_with_a_clear_message(small_model, tmp_path):
    import shutil

    folder = tmp_path / "old"
    shutil.copytree(small_model, folder)
    spec = json.loads((folder / "strike.json").read_text())
    parts = [spec, *(spec.get("direction_split") or {}).values()]  # the split's gate and models
    for part in parts:
        part["n_features"] += 1
        if "fill" in part and part.get("columns") is None:  # reads every column: one more
            for key in ("fill", "mean", "scale"):
                part[key].append(1.0)
    (folder / "strike.json").write_text(json.dumps(spec))
    with pytest.raises(ModelFileError, match="retrain"):
        load_models(folder)


def test_models_of_the_previous_feature_set_read_their_columns_by_name(small_model, tmp_path):
    import shutil

    from gait.classify.data import load_steps
    from gait.classify.features import LEGACY_N_FEATURES, feature_names, legacy_columns
    from gait.classify.portable import export

    cols = legacy_columns(LEGACY_N_FEATURES)
    names = feature_names()
    assert len(set(cols.tolist())) == LEGACY_N_FEATURES and names[cols[-1]] == "planarity"
    steps = load_steps([sorted(TEST.glob("*.csv.gz"))[0]])
    m = np.array([v in ("heel", "forefoot", "midfoot") for v in steps.strike])
    old = StrikeClassifier(kind="logistic", exclude_features=()).fit(
        steps.X[m][:, cols], steps.strike[m].astype(str)
    )
    folder = tmp_path / "previous"
    shutil.copytree(small_model, folder)
    (folder / "strike.json").write_text(json.dumps(export(old)))
    _, s, _ = load_models(folder)
    assert s.n_features_in_ == len(names) and list(s.classes_) == list(old.classes_)
    np.testing.assert_allclose(
        s.predict_proba(steps.X), old.predict_proba(steps.X[:, cols]), rtol=0, atol=1e-9
    )


def _flipped_strike(n: int = 400, seed: int = 0):
    """Rows whose strike cue means opposite strikes forward and backward (as the shank's turn
    after a landing does): column 0 tells direction, column 1 x direction tells strike."""
    rng = np.random.default_rng(seed)
    d = np.where(rng.random(n) < 0.5, "forward", "backward")
    sgn = np.where(d == "forward", 1.0, -1.0)
    heel = rng.random(n) < 0.5
    X = np.column_stack(
        [sgn + 0.3 * rng.normal(size=n), sgn * np.where(heel, 1.0, -1.0) + 0.3 * rng.normal(size=n)]
    )
    X = np.column_stack([X, rng.normal(size=n)])
    return X, np.where(heel, "heel", "forefoot"), d


def test_strike_split_by_direction_composes_the_gate_and_the_two_models():
    from gait.classify.portable import PortableClassifier, export

    X, y, d = _flipped_strike()
    Xt, yt, dt = _flipped_strike(seed=1)
    split = StrikeClassifier(kind="logistic").fit(X, y, direction=d)
    plain = StrikeClassifier(kind="logistic").fit(X, y)  # no direction given: one model
    assert plain.by_direction_ is None and plain.gate_ is None
    assert np.mean(split.predict(Xt) == yt) > 0.95 > 0.7 > np.mean(plain.predict(Xt) == yt)
    # p(class) = p(forward) p(class | forward) + p(backward) p(class | backward)
    g = split.gate_
    p_fwd = g.predict_proba(Xt)[:, list(g.classes_).index("forward")]
    assert np.mean((p_fwd > 0.5) == (dt == "forward")) > 0.95
    want = np.zeros((len(Xt), 2))
    for k, p_dir in (("forward", p_fwd), ("backward", 1 - p_fwd)):
        m = split.by_direction_[k]
        want[:, [list(split.classes_).index(c) for c in m.classes_]] += p_dir[:, None] * (
            m.predict_proba(Xt)
        )
    np.testing.assert_allclose(split.predict_proba(Xt), want, rtol=0, atol=1e-12)
    # each direction's model learnt from that direction's rows only
    fwd = split.by_direction_["forward"]
    assert np.mean(fwd.predict(Xt[dt == "forward"]) == yt[dt == "forward"]) > 0.95
    # the plain-array copy predicts the same
    spec = json.loads(json.dumps(export(split)))
    np.testing.assert_allclose(
        PortableClassifier(spec).predict_proba(Xt), split.predict_proba(Xt), rtol=0, atol=1e-9
    )
    spec["direction_split"]["gate"]["classes"] = ["heel", "forefoot"]
    with pytest.raises(ValueError, match="classes"):
        PortableClassifier(spec)


def test_strike_split_needs_two_classes_in_each_direction():
    X, y, d = _flipped_strike()
    y = np.where(d == "backward", "forefoot", y)  # backward: forefoot only (as the SNU walker)
    est = StrikeClassifier(kind="logistic").fit(X, y, direction=d)
    assert est.by_direction_ is None and est.gate_ is None  # one model, as without directions
    unknown = np.where(np.arange(len(d)) % 7 == 0, None, d)  # unknown rows go to both models
    X, y, _ = _flipped_strike()
    est = StrikeClassifier(kind="logistic").fit(X, y, direction=unknown)
    assert est.gate_ is not None and est.by_direction_ is not None
    with pytest.raises(ValueError, match="one entry per row"):
        StrikeClassifier(kind="logistic").fit(X, y, direction=d[:-1])
