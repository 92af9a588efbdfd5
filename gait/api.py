"""The Python API for researchers: read a session, analyse one or many.

>>> import gait
>>> result = gait.analyse("walk.csv")            # doctest: +SKIP
>>> result.summary.cadence_spm, result.steps.head()  # doctest: +SKIP

Heavy modules (pandas, the numba detector) are imported on first use, not at ``import gait``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any

from gait.types import Session

if TYPE_CHECKING:
    import pandas as pd

    from gait.pipeline import EnergyEstimatorLike, StepClassifierLike
    from gait.steps.base import BaseStepDetector, StepTable
    from gait.summary import SessionSummary

__all__ = ["Analysis", "analyse", "analyse_many", "read_session", "session_from_frame"]


def read_session(
    path: str | PathLike[str],
    *,
    acc_unit: str | None = None,
    gyr_unit: str | None = None,
    time_unit: str | None = None,
    placement: str | None = None,
) -> Session:
    """Read a session file (CSV plus optional JSON sidecar) into canonical units.

    ``acc_unit`` (``"g"`` | ``"m/s2"``), ``gyr_unit`` (``"dps"`` | ``"rad/s"``) and
    ``time_unit`` declare units the file does not make clear; ``placement`` overrides the
    sidecar's. Raises :class:`gait.errors.SessionFormatError` naming the file, line and column
    of a problem.
    """
    from gait.io import read_session as _read

    return _read(
        path, acc_unit=acc_unit, gyr_unit=gyr_unit, time_unit=time_unit, placement=placement
    )


@dataclass(frozen=True, eq=False)
class Analysis:
    """The result of analysing one session.

    ``steps`` has one row per step (columns :data:`gait.pipeline.STEP_COLUMNS`), ``summary`` is
    the :class:`~gait.summary.SessionSummary`, ``records`` the JSON-ready step dicts and
    ``step_table`` the raw contacts (sample indices included).
    """

    session: Session
    steps: pd.DataFrame
    summary: SessionSummary
    records: list[dict[str, Any]]
    step_table: StepTable
    #: One row per stride of the instrumented foot (gait.energy.STRIDE_COLUMNS), or None.
    strides: pd.DataFrame | None = None

    @property
    def file(self) -> str | None:
        return self.session.path

    @property
    def start_time_utc(self) -> pd.Timestamp | None:
        """When the recording started (the sidecar's ``start_time_utc``, as a UTC
        ``pandas.Timestamp``), or ``None`` when not known."""
        import pandas as pd

        text = self.session.meta.start_time_utc
        if text is None:
            return None
        stamp = pd.Timestamp(text)
        return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")

    def to_utc(self, t_s: Any) -> pd.DatetimeIndex:
        """Session times (s) as absolute UTC times; ``NaT`` when the start is not known."""
        import numpy as np
        import pandas as pd

        t = np.atleast_1d(np.asarray(t_s, dtype=np.float64))
        start = self.start_time_utc
        if start is None:
            return pd.DatetimeIndex([pd.NaT] * t.size, tz="UTC")
        return start + pd.to_timedelta(t, unit="s")

    @property
    def steps_utc(self) -> pd.DataFrame:
        """``steps`` with a ``time_utc`` column (UTC timestamps) after ``t_s``: absolute step
        times when the sidecar gives ``start_time_utc``, ``NaT`` otherwise."""
        frame = self.steps.copy()
        frame.insert(1, "time_utc", self.to_utc(frame["t_s"].to_numpy()))
        return frame

    def to_dict(self) -> dict[str, Any]:
        """This session's entry of the ``gait analyse --format json`` document."""
        return {
            "file": self.file,
            "summary": self.summary.to_dict(),
            "steps": [dict(r) for r in self.records],
        }


def analyse(
    source: str | PathLike[str] | Session | pd.DataFrame,
    *,
    sampling_rate_hz: float | None = None,
    start_time_utc: str | None = None,
    detector: BaseStepDetector | None = None,
    classifier: StepClassifierLike | None = None,
    energy: EnergyEstimatorLike | bool | None = None,
    mass_kg: float | None = None,
    placement: str | None = None,
    acc_unit: str | None = None,
    gyr_unit: str | None = None,
    time_unit: str | None = None,
    height_m: float | None = None,
) -> Analysis:
    """Analyse one session given as a path, a :class:`~gait.types.Session` or a pandas
    DataFrame.

    The detector, classifier, energy estimator and ``mass_kg`` are passed to
    :class:`~gait.pipeline.GaitPipeline`; ``placement`` overrides the session's placement;
    the unit options are passed to :func:`read_session` when ``source`` is a path.
    A DataFrame is read by :func:`session_from_frame` with ``sampling_rate_hz``,
    ``start_time_utc``, ``placement`` and the unit options.
    Without ``energy``, :class:`gait.energy.MetEnergyEstimator` prices the steps (speed from
    the sensor; ``height_m`` or the sidecar's ``subject.height_m`` for the leg length); kcal
    stay empty without a body mass. ``energy=False`` runs no energy stage.
    Without ``classifier``, a session with a gyroscope is labelled by the shipped models
    (``models/``, :func:`gait.classify.stage.default_labeller`; docs/classifiers.md).
    """
    from gait.pipeline import GaitPipeline

    if _is_frame(source):
        source = session_from_frame(
            source,  # type: ignore[arg-type]
            sampling_rate_hz=sampling_rate_hz,
            start_time_utc=start_time_utc,
            placement=placement,
            acc_unit=acc_unit,
            gyr_unit=gyr_unit,
            time_unit=time_unit,
        )
        placement = None
    elif sampling_rate_hz is not None or start_time_utc is not None:
        raise TypeError(
            "sampling_rate_hz and start_time_utc are for a DataFrame; a file's come from its "
            "sidecar, a Session's from its meta"
        )
    if isinstance(source, Session):
        session = source
        if placement is not None:
            session = dataclasses.replace(
                session, meta=dataclasses.replace(session.meta, placement=placement)
            )
    else:
        session = read_session(
            source, acc_unit=acc_unit, gyr_unit=gyr_unit, time_unit=time_unit, placement=placement
        )
    from gait.resample import to_detector_rate

    # a rate outside the detector's 50-1000 Hz is resampled (a note in meta.assumptions), as the
    # command does; below 15 Hz it is refused
    session, _ = to_detector_rate(session)
    if energy is False:  # no energy stage: speed and kcal stay None
        energy = None
    elif energy is None:
        from gait.energy import MetEnergyEstimator

        energy = MetEnergyEstimator(height_m=height_m or session.meta.subject.height_m)
    if classifier is None and session.samples.has_gyro:
        from gait.classify.stage import default_labeller

        classifier = default_labeller()  # the shipped models/ (None if absent)
    pipe = GaitPipeline(
        detector=detector, classifier=classifier, energy=energy, mass_kg=mass_kg
    ).run(session)
    return Analysis(
        session=session,
        steps=pipe.steps_,
        summary=pipe.summary_,
        records=pipe.records_,
        step_table=pipe.step_table_,
        strides=pipe.strides_,
    )


def _is_frame(source: Any) -> bool:
    import sys

    pd = sys.modules.get("pandas")  # a DataFrame means pandas is already imported
    return pd is not None and isinstance(source, pd.DataFrame)


#: Name given to a DataFrame in messages.
FRAME_NAME = "DataFrame"


def session_from_frame(
    frame: pd.DataFrame,
    *,
    sampling_rate_hz: float | None = None,
    start_time_utc: str | None = None,
    placement: str | None = None,
    acc_unit: str | None = None,
    gyr_unit: str | None = None,
    time_unit: str | None = None,
) -> Session:
    """A :class:`~gait.types.Session` from a DataFrame of samples, read as a session file is.

    Columns are named as in a session file (``acc_x``..., ``gyr_x``..., units in the names or
    given as ``acc_unit``/``gyr_unit``; docs/session-files.md). Time comes from a time column,
    else from a ``DatetimeIndex`` (which also gives ``start_time_utc``), else from
    ``sampling_rate_hz`` (one sample every ``1 / sampling_rate_hz`` s). A rate outside the
    detector's is resampled, with a note in ``meta.assumptions``. Problems raise
    :class:`~gait.errors.SessionFormatError` naming the column.
    """
    import json
    import math
    import tempfile
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from gait.errors import SessionFormatError
    from gait.io._names import parse_header_cell
    from gait.resample import to_detector_rate

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    if sampling_rate_hz is not None and not (
        isinstance(sampling_rate_hz, int | float)
        and math.isfinite(sampling_rate_hz)
        and sampling_rate_hz > 0
    ):
        raise SessionFormatError(
            FRAME_NAME, f"sampling_rate_hz={sampling_rate_hz!r}; expected a positive number of Hz"
        )
    df = frame.copy()
    df.columns = [str(c) for c in df.columns]
    has_time = any(parse_header_cell(c).canonical == "t_s" for c in df.columns)
    if not has_time and isinstance(df.index, pd.DatetimeIndex):
        index = df.index
        stamp = index[0] if len(index) else None
        if stamp is not None and start_time_utc is None:
            stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
            start_time_utc = stamp.isoformat().replace("+00:00", "Z")
        df.insert(0, "t_s", index.tz_localize(None) if index.tz is not None else index)
        has_time = True
    if not has_time:
        if sampling_rate_hz is None:
            raise SessionFormatError(
                FRAME_NAME,
                "no time column (t_s) and no DatetimeIndex; give sampling_rate_hz= to time "
                "the samples",
            )
        df.insert(0, "t_s", np.arange(len(df), dtype=np.float64) / float(sampling_rate_hz))
    df = df.reset_index(drop=True)

    sidecar: dict[str, Any] = {}
    if sampling_rate_hz is not None:
        sidecar["sampling_rate_hz"] = float(sampling_rate_hz)
    if start_time_utc is not None:
        sidecar["start_time_utc"] = str(start_time_utc)
    with tempfile.TemporaryDirectory(prefix="gait-frame-") as folder:
        path = Path(folder) / "dataframe.parquet"
        try:
            df.to_parquet(path, index=False)
        except (TypeError, ValueError, ImportError) as e:
            raise SessionFormatError(FRAME_NAME, f"cannot be read as samples: {e}") from None
        if sidecar:
            path.with_suffix(".json").write_text(json.dumps(sidecar))
        try:
            session = read_session(
                path,
                acc_unit=acc_unit,
                gyr_unit=gyr_unit,
                time_unit=time_unit,
                placement=placement,
            )
        except SessionFormatError as e:
            text = e.reason.replace(str(path.with_suffix(".json")), "the arguments")
            text = text.replace(str(path), FRAME_NAME).replace("dataframe.parquet", FRAME_NAME)
            text = text.replace("dataframe.json", "the arguments")
            raise SessionFormatError(FRAME_NAME, text, column=e.column) from None
    notes = tuple(
        n.replace("dataframe.json", "the arguments").replace("dataframe.parquet", FRAME_NAME)
        for n in session.meta.assumptions
    )
    session = dataclasses.replace(
        session, path=None, meta=dataclasses.replace(session.meta, assumptions=notes)
    )
    session, _ = to_detector_rate(session)
    return session


def analyse_many(
    sources: Iterable[str | PathLike[str] | Session], **options: Any
) -> list[Analysis]:
    """Analyse several sessions one after the other, with the same ``options`` as
    :func:`analyse`. The first bad file raises its :class:`~gait.errors.GaitError`."""
    return [analyse(s, **options) for s in sources]
