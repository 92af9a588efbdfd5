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

__all__ = ["Analysis", "analyse", "analyse_many", "read_session"]


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

    @property
    def file(self) -> str | None:
        return self.session.path

    def to_dict(self) -> dict[str, Any]:
        """This session's entry of the ``gait analyse --format json`` document."""
        return {
            "file": self.file,
            "summary": self.summary.to_dict(),
            "steps": [dict(r) for r in self.records],
        }


def analyse(
    source: str | PathLike[str] | Session,
    *,
    detector: BaseStepDetector | None = None,
    classifier: StepClassifierLike | None = None,
    energy: EnergyEstimatorLike | None = None,
    mass_kg: float | None = None,
    placement: str | None = None,
    acc_unit: str | None = None,
    gyr_unit: str | None = None,
    time_unit: str | None = None,
) -> Analysis:
    """Analyse one session given as a path or a :class:`~gait.types.Session`.

    The detector, classifier, energy estimator and ``mass_kg`` are passed to
    :class:`~gait.pipeline.GaitPipeline`; ``placement`` overrides the session's placement;
    the unit options are passed to :func:`read_session` when ``source`` is a path.
    """
    from gait.pipeline import GaitPipeline

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
    pipe = GaitPipeline(
        detector=detector, classifier=classifier, energy=energy, mass_kg=mass_kg
    ).run(session)
    return Analysis(
        session=session,
        steps=pipe.steps_,
        summary=pipe.summary_,
        records=pipe.records_,
        step_table=pipe.step_table_,
    )


def analyse_many(
    sources: Iterable[str | PathLike[str] | Session], **options: Any
) -> list[Analysis]:
    """Analyse several sessions one after the other, with the same ``options`` as
    :func:`analyse`. The first bad file raises its :class:`~gait.errors.GaitError`."""
    return [analyse(s, **options) for s in sources]
