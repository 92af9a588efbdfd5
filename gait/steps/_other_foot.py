"""Causal estimates of the other foot's contacts from the instrumented foot's contacts.

An ankle sensor sees its own foot's contacts clearly and the other foot's only weakly, so the other
foot's initial contacts are estimated from the rhythm of the instrumented foot: in steady walking
the other foot lands about half a stride after this one.

:class:`OtherFootPredictor` does this causally, for a live stream. After an instrumented contact
``IC_k``, when the stride that just ended, ``IC_k - IC_{k-1}``, lies in the plausible stride
range, it predicts the other foot's contact at ``IC_k + T / 2`` and releases that step as soon as
the stream has reached that time (the first call whose ``t_now`` is at or after it), no earlier
and, in steady walking, no later. ``T`` is that stride, or the stride before it when that one was
plausible too and shorter: when strides shorten (slowing down, turning) the other foot lands
earlier than half the last stride, and an estimate that comes too early still falls within the
other foot's swing, one too late falls in its stance. On the IPOL recordings
(``benchmarks/eval_ipol.py``) this raised the other-foot F1 from 0.893 (last stride only) to
0.918 with the gyroscope, 0.853 to 0.874 without; the median timing error stayed 20 ms.
The rules at the edges:

- First stride of a walk (after the start, a pause or any implausible interval): there is no
  stride to predict from, so nothing is predicted; when the next instrumented contact arrives and
  the stride between the two is plausible, the other foot's contact is placed half-way between
  them, late but not lost (the stride holds one contact of the other foot, and the midpoint is the
  estimate an offline analysis would use).
- No prediction across an implausible interval: a stride outside ``[stride_min_s,
  stride_max_s]`` (a pause, a gap in the data, a missed or a spurious contact) yields no
  prediction and no midpoint.
- A prediction that the next instrumented contact overtakes (that contact arrives at or before the
  predicted time: the stride suddenly shortened to half or less) is dropped; when that shorter
  stride is plausible, its midpoint is used instead, as for a first stride.
- End of a walk: the prediction after the last stride of a walk is released when the stream
  reaches its time, like any other (a causal predictor cannot know that the walk has ended; on the
  IPOL recordings releasing it gives the better F1, see BENCHMARKS.md). At the end of the stream,
  a prediction whose time the stream never reached is dropped.

Steps come out in time order across calls, and a stream fed in blocks of any size gives exactly
the same steps as one pass (chunk invariance): a prediction is only released while no
instrumented contact still to come can lie at or before it. The caller states that bound as
``next_contact_min_t`` (from the detector's state); the released steps are then exactly
"all instrumented contacts, plus every prediction that no instrumented contact overtook and that
the stream reached, plus the midpoints", in time order, whatever the blocks were.
"""

from __future__ import annotations

import math

import numpy as np

from gait._kernels import _other_foot as k
from gait.steps.base import StepTable


class OtherFootPredictor:
    """Running estimate of the other foot's contacts for one stream (see the module docstring).

    Feed it, in order, the instrumented contacts as they become final, with the stream's current
    time and the earliest time a contact still to come could have; it returns those contacts merged
    with the other foot's estimated contacts that became known, in time order. The rules run in a
    numba kernel (``gait._kernels._other_foot.predict_block``) on state arrays held here.
    """

    def __init__(self, stride_min_s: float, stride_max_s: float) -> None:
        if not 0.0 < stride_min_s <= stride_max_s:
            raise ValueError(f"stride range ({stride_min_s}, {stride_max_s}) s is not a range")
        self.stride_min_s = float(stride_min_s)
        self.stride_max_s = float(stride_max_s)
        self._istate, self._fstate = k.new_state()
        self._t_last_out = -math.inf

    @property
    def pending(self) -> tuple[int, float] | None:
        """The prediction waiting for the stream to reach its time, as ``(idx, t_s)``."""
        if self._istate[k.I_PENDING] == k.NO_IDX:
            return None
        return int(self._istate[k.I_PENDING]), float(self._fstate[k.F_PENDING])

    def update(
        self,
        ic_idx: np.ndarray,
        t_s: np.ndarray,
        *,
        t_now: float,
        next_contact_min_t: float,
    ) -> StepTable:
        """Take the instrumented contacts that became final (in time order).

        ``t_now`` is the time of the last sample the stream has seen; every instrumented contact
        still to come lies at or after ``next_contact_min_t`` (``inf`` when none can come any
        more). A prediction is released once ``t_now`` has reached it and it lies strictly before
        that bound. Returns those contacts and the other foot's contacts now known, in time order.
        """
        ic_idx = np.ascontiguousarray(ic_idx, dtype=np.int64)
        t_s = np.ascontiguousarray(t_s, dtype=np.float64)
        n = ic_idx.shape[0]
        if t_s.shape[0] != n:
            raise ValueError(f"{n} contact indices but {t_s.shape[0]} contact times")
        if n == 0 and self._istate[k.I_PENDING] == k.NO_IDX:
            return StepTable.empty()  # nothing to take, nothing to release (most stream calls)
        # per contact: itself and an earlier prediction or a midpoint; then one release
        out_idx = np.empty(2 * n + 1, np.int64)
        out_t = np.empty(2 * n + 1, np.float64)
        out_own = np.empty(2 * n + 1, np.bool_)
        m = k.predict_block(
            ic_idx,
            t_s,
            float(t_now),
            float(next_contact_min_t),
            self.stride_min_s,
            self.stride_max_s,
            self._istate,
            self._fstate,
            out_idx,
            out_t,
            out_own,
        )
        if m == 0:
            return StepTable.empty()
        # Invariant of the rules (given a valid next_contact_min_t); checked cheaply here because
        # an out-of-order step would break the chunk invariance silently.
        t_first = float(out_t[0])
        if t_first < self._t_last_out:
            raise RuntimeError(
                f"other-foot predictor: a contact at {t_first:.3f} s came after a step at "
                f"{self._t_last_out:.3f} s was released (next_contact_min_t was not a bound)"
            )
        self._t_last_out = float(out_t[m - 1])
        return StepTable(out_idx[:m], out_t[:m], out_own[:m])

    def finish(self, ic_idx: np.ndarray, t_s: np.ndarray, *, t_now: float) -> StepTable:
        """End of stream: the last contacts, then a prediction the stream reached; drop the rest."""
        table = self.update(ic_idx, t_s, t_now=t_now, next_contact_min_t=math.inf)
        self._istate[k.I_PENDING] = k.NO_IDX
        return table
