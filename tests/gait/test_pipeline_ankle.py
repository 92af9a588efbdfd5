"""Chunk invariance of the whole pipeline with the real AnkleStepDetector on walking data.

Feeding a session in blocks of any sizes must give exactly the step records and summary that
`GaitPipeline.run` gives (DESIGN.md, "one streaming core"). Data: the bundled sample, else an IPOL
foot recording from the shared folder; skipped without either.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gait.datasets import sample_dir
from gait.pipeline import GaitPipeline
from gait.types import Session

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("GAIT_SHARED_DIR", REPO.parent / "shared"))
IPOL = SHARED / "datasets" / "ipol_healthy"


def _walk() -> Session | None:
    import gait

    if sample_dir().is_dir():
        files = sorted(
            p
            for p in sample_dir().glob("*.csv")
            if not p.name.endswith((".labels.csv", ".steps.csv"))
        )
        if files:
            return gait.read_session(files[0])
    if IPOL.is_dir():
        from gait.datasets import load_ipol_foot

        return load_ipol_foot(IPOL, "2-1", "right").session
    return None


WALK = _walk()
pytestmark = pytest.mark.skipif(WALK is None, reason="no walking data (sample or IPOL)")


def _stream(session: Session, cuts: list[int]) -> tuple[list[dict], object]:
    s = session.samples
    stream = GaitPipeline().stream(
        sampling_rate_hz=s.sampling_rate_hz, has_gyro=s.has_gyro, placement=session.meta.placement
    )
    records: list[dict] = []
    for a, b in itertools.pairwise([0, *sorted(set(cuts)), s.n_samples]):
        records += stream.feed(s.slice(a, b))
    records += stream.finish()
    return records, stream.summary()


@pytest.fixture(scope="module")
def whole() -> GaitPipeline:
    return GaitPipeline().run(WALK)


def test_the_walk_has_steps(whole: GaitPipeline) -> None:
    assert whole.summary_.n_strides > 5
    assert whole.summary_.n_bouts >= 1
    assert 60 < whole.summary_.cadence_spm < 160


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_split_gives_the_same_steps_and_summary(whole: GaitPipeline, data) -> None:
    n = WALK.samples.n_samples
    cuts = data.draw(st.lists(st.integers(1, n - 1), max_size=40), label="cuts")
    records, summary = _stream(WALK, cuts)
    assert records == whole.records_
    # run() may add reader-filled gaps from session.gap_idx; everything else must match exactly
    expected = whole.summary_.to_dict()
    got = summary.to_dict()
    for key in ("n_gaps", "samples_lost"):
        expected.pop(key)
        got.pop(key)
    assert got == expected


@pytest.mark.parametrize("block", [1, 7, 100, 256])
def test_fixed_block_sizes(whole: GaitPipeline, block: int) -> None:
    if block == 1:
        cuts = list(range(1, min(WALK.samples.n_samples, 3000)))  # sample by sample, first 30 s
        session = Session(WALK.samples.slice(0, 3000), WALK.meta)
        expected = GaitPipeline().run(session).records_
    else:
        cuts = list(range(block, WALK.samples.n_samples, block))
        session, expected = WALK, whole.records_
    records, _ = _stream(session, cuts)
    assert records == expected
