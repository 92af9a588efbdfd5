"""The step detector on the real walker of ../shared/datasets/mocap_snu (issue 19's targets).

Scored as the stress matrix scores it (benchmarks.detection_matrix): contacts more than 0.8 s
from a clip's ends, matched within 0.2 s; the walker's final steps of each clip are checked on
their own because the rule that finds them (a bout's isolated step, `settle_s` before the last
motion) is the one a change for the simulator's bout ends would move.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.detection_matrix import SHARED, mocap_recordings, score
from gait.evaluation import ContactScore
from gait.steps import AnkleStepDetector

pytestmark = pytest.mark.skipif(
    not (SHARED / "mocap_snu").is_dir(),
    reason=f"shared mocap set not found at {SHARED / 'mocap_snu'} (CI has it; a clone may not)",
)


@pytest.fixture(scope="module")
def detected():
    """Each clip's recording and the detector's contacts of the sensor's own foot."""
    out = []
    for rec in mocap_recordings():
        steps = AnkleStepDetector().detect(rec.samples).steps_
        out.append((rec, steps.ic_idx[steps.instrumented]))
    return out


@pytest.mark.parametrize("group", ["mocap fwd", "mocap bwd"])
def test_real_walker_contacts_per_direction(detected, group):
    tp = fp = fn = 0
    errors = []
    for rec, det in detected:
        if rec.group != group:
            continue
        s = score(rec, det)
        tp, fp, fn = tp + s.n_true_positive, fp + s.n_false_positive, fn + s.n_false_negative
        errors.extend(s.timing_error_ms)
    total = ContactScore(tp, fp, fn, np.asarray(errors))
    assert tp + fn > 30  # the set is there: 394 forward, 35 backward scored contacts
    assert total.f1 >= 0.97, (group, total.f1)
    assert np.median(np.abs(total.timing_error_ms)) <= 40.0


def test_real_walker_final_steps(detected):
    """Each clip's last contact of the sensor's foot (scored or not) is found within 0.1 s."""
    found = n = 0
    for rec, det in detected:
        every = np.sort(np.concatenate([rec.truth_idx, rec.ignore_idx]))
        if every.size == 0:
            continue
        fs = rec.samples.sampling_rate_hz
        n += 1
        found += bool(det.size) and np.min(np.abs(det - every[-1])) <= round(0.1 * fs)
    assert n > 100
    assert found / n >= 0.9, (found, n)
