"""Training data: per-step features and labels from labelled sessions or the mocap layout.

Contacts used for training are the sensor foot's own contacts. With a per-contact truth
(``<stem>.steps.csv``, or the mocap layout's events; its labels win, the interval labels fill
what it leaves empty) each truth contact gives a row at its own time and, when the step detector
finds a contact of the sensor foot within :data:`MATCH_S` of it, a second row at the detector's
time: at inference the features are read at the detector's contacts, which can sit tens of ms
(backward gait: a few hundred ms) from the truth, so the models learn both. Without a truth
file, the detector's contacts are labelled from ``<stem>.labels.csv``. For training
(``jitter=True``) every truth contact also gives rows at the contact moved by each of
:data:`JITTER_S`, labelled with its direction only (no strike): the step detector's contacts land
up to about 0.3 s early in backward gait and 0.15 s late in forward gait, and the direction model
learns to read a step wherever in that range its contact lands; likewise rows at the contact
moved by each of :data:`STRIKE_JITTER_S`, labelled with its strike only; and with ``augment``
rows at the truth contacts of the samples read through an on-board filter (gait.classify.augment).
The other foot's contacts are not trained on: the sensor barely sees them, and at inference
they inherit the labels of the neighbouring strides (docs/classifiers.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gait.classify.features import contact_index, step_features
from gait.consts import foot_of
from gait.errors import LabelFormatError, SessionFormatError
from gait.offset import remove_gyro_offset
from gait.types import SampleBlock

#: A detector contact stands for a truth contact this close to it (s).
MATCH_S: float = 0.3
#: Offsets (s) of the extra direction-only training rows around each truth contact.
JITTER_S: tuple[float, ...] = (-0.25, -0.12, 0.08, 0.16)
#: Offsets (s) of the extra strike-only training rows around each truth contact: the strike
#: model learns the landing within a few tens of ms of where the contact is read (held-out
#: simulated heel vs forefoot 92.8 -> 97 % at the true contacts, BENCHMARKS.md, issue 20).
STRIKE_JITTER_S: tuple[float, ...] = (-0.05, 0.05)


@dataclass(eq=False)
class StepSet:
    """Features and labels of training steps (one row each); ``None`` labels are unknown."""

    X: np.ndarray
    direction: np.ndarray  # object: "forward" | "backward" | None
    strike: np.ndarray  # object: "heel" | "midfoot" | "forefoot" | None
    subject: np.ndarray  # object
    recording: np.ndarray  # object: file the step comes from
    t_s: np.ndarray
    sources: list[str] = field(default_factory=list)
    #: True for a row read at a detector contact, False at a truth contact (None: all False).
    at_detector: np.ndarray | None = None
    #: True for a training row at a moved truth contact (JITTER_S: direction only,
    #: STRIKE_JITTER_S: strike only); never scored (None: none).
    jittered: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.at_detector is None:
            self.at_detector = np.zeros(len(self.t_s), dtype=bool)
        if self.jittered is None:
            self.jittered = np.zeros(len(self.t_s), dtype=bool)

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def subset(self, mask: np.ndarray) -> StepSet:
        return StepSet(
            self.X[mask],
            self.direction[mask],
            self.strike[mask],
            self.subject[mask],
            self.recording[mask],
            self.t_s[mask],
            list(self.sources),
            self.at_detector[mask],  # type: ignore[index]
            self.jittered[mask],  # type: ignore[index]
        )

    @staticmethod
    def concatenate(sets: Sequence[StepSet]) -> StepSet:
        from gait.classify.features import n_features

        if not sets:
            e = np.zeros(0, dtype=object)
            return StepSet(np.zeros((0, n_features())), e, e, e, e, np.zeros(0))
        return StepSet(
            np.concatenate([s.X for s in sets]),
            np.concatenate([s.direction for s in sets]),
            np.concatenate([s.strike for s in sets]),
            np.concatenate([s.subject for s in sets]),
            np.concatenate([s.recording for s in sets]),
            np.concatenate([s.t_s for s in sets]),
            [src for s in sets for src in s.sources],
            np.concatenate([s.at_detector for s in sets]),  # type: ignore[misc]
            np.concatenate([s.jittered for s in sets]),  # type: ignore[misc]
        )


def split_direction(steps: StepSet) -> np.ndarray:
    """Each row's direction for the strike model's split by direction (``StrikeClassifier.fit(
    ..., direction=...)``): its direction label, and for a strike-only moved row
    (:data:`STRIKE_JITTER_S`, which has no direction label so that the direction model does not
    learn from it) the label of its own contact (the row of the same recording at the same truth
    time). Without this the moved rows count as of unknown direction and train the strike models
    of both directions: a backward landing's rows teach the forward model (BENCHMARKS.md,
    "Strike rows and the shipped recipe's transfer", session 23)."""
    d = np.asarray(steps.direction, dtype=object).copy()
    known = np.array([v in ("forward", "backward") for v in d], dtype=bool)
    rows = zip(steps.recording[known], steps.t_s[known], d[known], strict=True)
    of = {(r, t): v for r, t, v in rows}
    for i in np.flatnonzero(~known & steps.jittered):  # type: ignore[operator]
        d[i] = of.get((steps.recording[i], steps.t_s[i]), d[i])
    return d


def _steps_of(
    samples: SampleBlock,
    t_c: np.ndarray,
    direction,
    strike,
    subject: str,
    rec: str,
    *,
    with_detector: bool = True,
    jitter: bool = False,
    onboard: SampleBlock | None = None,
) -> StepSet:
    """Rows at the contacts ``t_c`` (then the detector's, the moved ones and, with ``onboard``,
    the same samples through an on-board filter: gait.classify.augment)."""
    t_c = np.asarray(t_c, dtype=np.float64)
    idx = contact_index(samples.t_s, t_c)
    n_truth = len(t_c)
    direction = np.asarray(direction, dtype=object).reshape(len(t_c))
    strike = np.asarray(strike, dtype=object).reshape(len(t_c))
    if with_detector and len(t_c):
        det_t = _detected_own_contacts(samples)
        if len(det_t):
            j = np.clip(np.searchsorted(det_t, t_c), 1, max(1, len(det_t) - 1))
            j = np.where(
                np.abs(det_t[j - 1] - t_c) <= np.abs(det_t[np.minimum(j, len(det_t) - 1)] - t_c),
                j - 1,
                j,
            )
            j = np.minimum(j, len(det_t) - 1)
            ok = np.abs(det_t[j] - t_c) <= MATCH_S
            idx = np.concatenate([idx, contact_index(samples.t_s, det_t[j[ok]])])
            t_c = np.concatenate([t_c, t_c[ok]])
            direction = np.concatenate([direction, direction[ok]])
            strike = np.concatenate([strike, strike[ok]])
    n_real = len(t_c)
    if jitter and n_truth:
        n_s = samples.n_samples
        none = np.full(n_truth, None, dtype=object)
        moves = [(off, direction[:n_truth], none) for off in JITTER_S]
        moves += [(off, none, strike[:n_truth]) for off in STRIKE_JITTER_S]
        for off, d_lab, s_lab in moves:
            j_idx = idx[:n_truth] + round(off * samples.sampling_rate_hz)
            ok = (j_idx >= 0) & (j_idx < n_s)
            idx = np.concatenate([idx, j_idx[ok]])
            t_c = np.concatenate([t_c, t_c[:n_truth][ok]])
            direction = np.concatenate([direction, d_lab[ok]])
            strike = np.concatenate([strike, s_lab[ok]])
    X = step_features(samples, idx)
    if onboard is not None and n_truth:
        X = np.concatenate([X, step_features(onboard, idx[:n_truth])])
        t_c = np.concatenate([t_c, t_c[:n_truth]])
        direction = np.concatenate([direction, direction[:n_truth]])
        strike = np.concatenate([strike, strike[:n_truth]])
    n = len(t_c)
    at_det = (np.arange(n) >= n_truth) & (np.arange(n) < n_real)
    jittered = np.arange(n) >= n_real
    return StepSet(
        X,
        direction,
        strike,
        np.full(n, subject, dtype=object),
        np.full(n, rec, dtype=object),
        t_c,
        [rec],
        at_det,
        jittered,
    )


def _onboard(samples: SampleBlock, path: Path) -> SampleBlock:
    """The samples as the file's on-board filter would give them, gyroscope offset removed."""
    from gait.classify.augment import filter_for

    return remove_gyro_offset(filter_for(path)(samples))


def _detected_own_contacts(samples: SampleBlock) -> np.ndarray:
    from gait.steps import AnkleStepDetector

    table = AnkleStepDetector().detect(samples).steps_
    return np.asarray(table.t_s)[np.asarray(table.instrumented, dtype=bool)]


def steps_of_labelled(
    path: Path,
    transform: Callable[[SampleBlock], SampleBlock] | None = None,
    *,
    jitter: bool = False,
    augment: bool = False,
) -> StepSet:
    """Training steps of one labelled session (docs/labelled-sessions.md); ``transform``
    (e.g. a rotation, for tests and benchmarks) is applied to the samples first; ``jitter``
    adds the training rows at moved contacts (module docstring); ``augment`` the rows read
    through the session's on-board filter (gait.classify.augment)."""
    from gait.labels import assign_labels, read_labelled_session, steps_path

    ls = read_labelled_session(path)
    session = ls.session
    samples = session.samples  # type: ignore[attr-defined]
    if transform is not None:
        samples = transform(samples)
    onboard = _onboard(samples, path) if augment else None
    samples = remove_gyro_offset(samples)  # as the pipeline does before every stage
    meta = session.meta  # type: ignore[attr-defined]
    own = foot_of(meta.placement)
    if samples.gyr_dps is None:
        raise SessionFormatError(path, "no gyroscope columns; the classifiers need gyr_x..gyr_z")
    subject = meta.subject.id or Path(path).name
    if ls.steps is not None:
        if own is None:
            raise SessionFormatError(
                path,
                "the sidecar gives no left/right placement; expected 'placement': "
                "'left_ankle' or 'right_ankle' to know which contacts are the sensor foot's",
            )
        mine = [s for s in ls.steps if s.foot == own]
        if not mine:
            raise LabelFormatError(steps_path(path), f"no contacts of the sensor foot ({own})")
        t_c = np.array([s.t_s for s in mine])
        lab = assign_labels(t_c, ls.intervals)
        direction = [s.direction or d for s, d in zip(mine, lab.direction, strict=True)]
        strike = [s.strike or k for s, k in zip(mine, lab.strike, strict=True)]
    else:
        t_c = _detected_own_contacts(samples)
        lab = assign_labels(t_c, ls.intervals)
        return _steps_of(
            samples, t_c, lab.direction, lab.strike, str(subject), str(path), with_detector=False
        )
    return _steps_of(
        samples, t_c, direction, strike, str(subject), str(path), jitter=jitter, onboard=onboard
    )


def steps_of_mocap(
    path: Path,
    transform: Callable[[SampleBlock], SampleBlock] | None = None,
    *,
    jitter: bool = False,
    augment: bool = False,
) -> StepSet:
    """Training steps of one virtual sensor of the mocap layout (gait.datasets.mocap);
    ``transform``, ``jitter`` and ``augment`` as for :func:`steps_of_labelled`."""
    from gait.datasets.mocap import read_mocap_recording

    rec = read_mocap_recording(path)
    own = foot_of(rec.session.meta.placement)
    mine = [s for s in rec.steps if s.foot == own]
    t_c = np.array([s.t_s for s in mine])
    samples = rec.session.samples
    if transform is not None:
        samples = transform(samples)
    return _steps_of(
        remove_gyro_offset(samples),
        t_c,
        [s.direction for s in mine],
        [s.strike for s in mine],
        rec.clip,  # one person: clips are the groups
        str(path),
        jitter=jitter,
        onboard=_onboard(samples, path) if augment else None,
    )


def find_training_files(paths: Sequence[str | Path]) -> list[tuple[str, Path]]:
    """``(kind, path)`` of every labelled session (``"labelled"``) and mocap signal
    (``"mocap"``) named by ``paths`` (files or folders, searched recursively)."""
    from gait.datasets.mocap import find_mocap_signals, is_mocap_signal
    from gait.labels import find_labelled_sessions, labels_path

    out: list[tuple[str, Path]] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise SessionFormatError(p, "no such file or folder")
        if p.is_file():
            if is_mocap_signal(p):
                out.append(("mocap", p))
            elif labels_path(p).is_file():
                out.append(("labelled", p))
            else:
                raise LabelFormatError(
                    p,
                    "not a labelled session (no <stem>.labels.csv beside it) nor a mocap signal "
                    "(<stem>_R.csv / _L.csv with <stem>_R_events.csv)",
                )
            continue
        found = [("labelled", f) for f in find_labelled_sessions(p)]
        found += [("mocap", f) for f in find_mocap_signals(p)]
        if not found:
            raise LabelFormatError(
                p,
                "no labelled sessions (<stem>.csv + <stem>.labels.csv) and no mocap signals "
                "(<stem>_R.csv + <stem>_R_events.csv) in this folder",
            )
        out += found
    seen: dict[Path, str] = {}
    for kind, f in out:
        seen.setdefault(f.resolve(), kind)
    return [(k, f) for f, k in seen.items()]


def load_steps(
    paths: Sequence[str | Path], progress: Callable[[Path], None] | None = None
) -> StepSet:
    """Training steps of every labelled session and mocap signal under ``paths``."""
    sets = []
    for kind, f in find_training_files(paths):
        sets.append(steps_of_mocap(f) if kind == "mocap" else steps_of_labelled(f))
        if progress is not None:
            progress(f)
    return StepSet.concatenate(sets)
