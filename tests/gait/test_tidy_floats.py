"""``tidy_floats`` (array arithmetic) gives exactly the floats of ``tidy_float`` (formatting each
to 12 significant digits and reading it back), and the JSON step records tidied a column at a
time equal the one-record-at-a-time definition."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gait.cli._common import _tidy_records, sessions_json
from gait.summary import tidy_float, tidy_floats


def _same(a: float, b: float) -> bool:
    if math.isnan(a):
        return math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=60))
def test_any_floats(values: list[float]) -> None:
    got = tidy_floats(values)
    assert len(got) == len(values)
    assert all(_same(g, tidy_float(v)) for g, v in zip(got, values, strict=True))
    assert all(type(g) is float for g in got)


def test_many_values_near_the_cases_that_go_wrong() -> None:
    rng = np.random.default_rng(2026)
    # decimals with exactly 12 or 13 significant digits and a 5 at the end (near-halves), around
    # powers of ten, tiny and huge magnitudes, and the ordinary figures of a step record
    digits13 = rng.integers(10**12, 10**13, size=20000) // 10 * 10 + 5
    near_half = (digits13 * 10.0 ** rng.integers(-14, 0, size=20000)).tolist()
    powers = [
        s * 10.0**e * f
        for e in range(-12, 13)
        for s in (1, -1)
        for f in (1.0, 0.9999999999999, 1.0000000000001)
    ]
    ordinary = np.concatenate(
        [rng.uniform(0, 1, 20000), rng.uniform(0, 7200, 20000), rng.normal(0, 3, 20000)]
    ).tolist()
    wide = (10 ** rng.uniform(-300, 300, 20000)).tolist()
    values = near_half + powers + ordinary + wide + [0.0, -0.0, 5e-324, 1.7976931348623157e308]
    got = tidy_floats(values)
    bad = [(v, g) for v, g in zip(values, got, strict=True) if not _same(g, tidy_float(v))]
    assert not bad, bad[:5]


def test_empty() -> None:
    assert tidy_floats([]) == []


def test_records_by_columns_equal_one_at_a_time() -> None:
    rng = np.random.default_rng(5)
    records = [
        {
            "t_s": round(float(t), 6),
            "foot": "right" if i % 2 else None,
            "direction_p": float(p),
            "speed_m_s": None if i % 7 == 0 else float(v),
            "kcal": float("nan") if i % 5 == 0 else float(v) * 0.0123456789,
            "n": i,
            "instrumented": bool(i % 2),
        }
        for i, (t, p, v) in enumerate(rng.uniform(0, 1, (500, 3)) * [7200, 1, 2])
    ]
    expected = [
        {k: tidy_float(v) if type(v) is float else v for k, v in r.items()} for r in records
    ]
    got = _tidy_records(records)
    assert json.dumps(got) == json.dumps(expected)
    assert [list(r) for r in got] == [list(r) for r in records]
    # records with other keys (or another order) take the one-at-a-time path
    mixed = [*records[:3], {"kcal": 0.1 + 0.2, "t_s": 1.0}]
    assert json.dumps(_tidy_records(mixed)) == json.dumps(
        [{k: tidy_float(v) if type(v) is float else v for k, v in r.items()} for r in mixed]
    )
    assert _tidy_records([]) == []


def test_sessions_json_keeps_its_text() -> None:
    steps = [{"t_s": 0.1 + 0.2, "speed_m_s": 4.129999999999999, "foot": None}] * 3
    text = sessions_json([{"file": "a.csv", "summary": {"x": 1.0}, "steps": steps}])
    doc = json.loads(text)
    assert doc["sessions"][0]["steps"][0] == {"t_s": 0.3, "speed_m_s": 4.13, "foot": None}
