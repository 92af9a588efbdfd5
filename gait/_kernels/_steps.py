"""numba kernels of the streaming contact detector (see gait/steps/_ankle.py for the rules).

One pass over the samples with all state in explicit arrays, so that a stream fed in blocks of
any size gives exactly the same contacts as one pass. Only rotation-invariant quantities are
used: the angular rate about an axis estimated from the motion itself, the norm of the angular
rate and the norm of the acceleration.

Gyroscope path (``detect_block``): swings are lobes of the angular rate about the dominant
rotation axis; every swing lobe in the swing sense ends in one contact, placed at the lobe's
zero crossing or at the reversal of the rotation that follows it. Accelerometer-only path
(``detect_block_acc``): swings are bursts of the band-passed acceleration norm and the contact
is the onset of the largest acceleration change at the end of each burst.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Every kernel here is compiled without numba's reference-counting runtime (``_nrt=False``):
# they allocate nothing, and with it each array handed to a helper or sliced into a row view
# costs two atomic reference-count updates (calls into NRT_incref/NRT_decref), which took
# about 8 % of the gyroscope kernel's time and held up the per-sample work around them.

NO_IDX = -(2**62)

# --- integer state ---------------------------------------------------------------------------
I_COUNT = 0  # samples seen so far (global index of the next sample)
I_LOBE_OPEN = 1  # 1 while a lobe is under way (its rotation has not ended yet)
I_LOBE_SIGN = 2  # sign of the current (or last) lobe of the rate about the axis (+1 / -1)
I_LOBE_START = 3  # its first sample (its zero crossing, or where it left rest if later)
I_LOBE_PEAK = 4  # the sample of its largest |rate|
I_LOBE_FC = 5  # unused (the toe-off candidate is found when a lobe is kept: ``_toe_off``)
I_W_SIGN = 6  # sign of the rate about the axis at the last sample
I_LAST_CROSS = 7  # last sample where that sign changed
I_NREC = 8  # records in the FIFO
I_HEAD = 9  # row of the oldest record
I_LAST_IC = 10  # last contact returned (or NO_IDX)
I_SENSE = 11  # the swing sense (+1 / -1; 0 not known)
I_BOUT_START = 12  # bout of motion (norm above the absolute threshold): first sample (or NO_IDX)
I_BOUT_LAST = 13  # its last sample above the threshold
I_BOUT_COUNT = 14  # its samples above the threshold
I_BOUT_CAND = 15  # the landing of the bout's last large lobe not taken as a swing (or NO_IDX)
# accelerometer-only path
I_GROUP_START = 16  # first sample of the current burst group (or NO_IDX)
I_GROUP_END = 17  # last sample above the off-threshold in that group (or NO_IDX)
N_ISTATE = 18

# --- float state -----------------------------------------------------------------------------
F_LEVEL = 0  # running level of the peaks of accepted swings (deg/s, or m/s² acc-only)
F_Z = 1  # filter delays: up to 2 biquads x 3 axes x 2 = 12 slots
F_M = F_Z + 12  # running second moments of the angular rate: xx, yy, zz, xy, xz, yz
F_AXIS = F_M + 6  # dominant rotation axis (unit vector)
F_LOBE_PEAK = F_AXIS + 3  # largest |rate| of the current lobe
F_Q = F_LOBE_PEAK + 1  # running "turns on after it" ratio of the + and - senses (2 slots)
F_GROUP_PEAK = F_Q + 2  # acc-only: largest motion value of the current burst group
F_LOBE_EXC = F_GROUP_PEAK + 1  # excursion of the current lobe (sum of |rate| over its samples)
F_EXC_LEVEL = F_LOBE_EXC + 1  # running excursion of the swings that gave contacts (0: none yet)
F_BOUT_AXIS = F_EXC_LEVEL + 1  # largest peak of the bout's lobes that lasted as long as a swing
F_BOUT_MAXPEAK = F_BOUT_AXIS + 1  # largest peak of the lobes of the bout not taken as swings
F_LAST_EXC = F_BOUT_MAXPEAK + 1  # excursion of the last lobe that ended, if a candidate (else 0)
F_QW = F_LAST_EXC + 1  # running weight (excursion) behind each sense's ratio (2 slots)
N_FSTATE = F_QW + 2

# --- records of swing-lobe candidates (FIFO of CAP rows) --------------------------------------
CAP = 8
R_SIGN = 0
R_START = 1
R_PEAK_IDX = 2
R_Z = 3  # the lobe's zero crossing: first sample of the other sense
R_REV = 4  # the reversal after it (NO_IDX until found)
R_RMIN_IDX = 5  # sample of the most negative swing-sense rate since Z
R_STATE = 6  # 0 undecided, 1 contact returned, 2 no contact
R_POST_DONE = 7  # 1 once its after-window was measured
R_FC = 8
R_IMPACT = 9  # onset of a sharp impact up to P_HEEL after Z (NO_IDX: none, or not known yet)
R_EARLY_NO = 10  # 1 once it is certain, before its after-window ends, that it is no swing
R_FADED = 11  # 1 if its bout of motion ended in rest before its rotation did (a last step)
N_RI = 12
RF_PEAK = 0
RF_RMIN = 1
RF_EXC = 2  # the lobe's excursion
RF_PREV_EXC = 3  # excursion of the candidate lobe just before it (0: that lobe was none)
RF_JSW = 4  # mean acceleration change over the swing up to its peak
RF_JMAX = 5  # largest acceleration change from P_BACK before Z (not before the peak) so far
RF_QSUM = 6  # sum of |rate| over its after-window so far
N_RF = 7

# --- integer parameters (sample counts) -------------------------------------------------------
P_HAS_GYRO = 0
P_RING_MASK = 1
P_MIN_SWING = 2  # shortest swing lobe
P_MAX_SWING = 3  # longest swing lobe (a turn on the spot lasts longer)
P_POST_LO = 4  # after-window of a lobe: from its zero crossing + POST_LO ...
P_POST_HI = 5  # ... to + POST_HI
P_REV_MAX = 6  # the reversal lies at most this long after the zero crossing
P_BACK = 7  # the landing is looked for from this long before the zero crossing
P_HEEL = 8  # a landing this soon after the zero crossing is heel-first: contact at the crossing
P_FC_BACK = 9  # toe-off: extreme of the other sense within this long before the swing lobe
P_JERK_LAG = 10  # span of the acceleration change
P_ACC_WINDOW = 11  # acc-only: search window before the burst's end
P_ACC_LATE = 12  # acc-only: and after it
P_ACC_GAP = 13  # acc-only: bursts closer than this are one
P_QUIET = 14  # a bout ends after this long below the absolute threshold (0: no isolated steps)
P_BOUT_MIN = 15  # an isolated step's bout spends this long above the threshold
P_SETTLE = 16  # an isolated step's contact lies this long before the bout's last motion
P_MIN_STANCE = 17  # a lobe starting this soon after a contact is that contact's own rotation
P_AXIS_EVERY = 18  # the axis is re-estimated every this many moving samples (the moments take all)
P_FAST_SWING = 19  # shortest swing lobe that turns the segment through Q_FAST_EXC (a running swing)
N_IPARAM = 20

# --- float parameters --------------------------------------------------------------------------
Q_ABS_ON = 0  # absolute floor of a swing's peak (deg/s; acc-only m/s²)
Q_REL_ON = 1  # a swing's peak reaches this x the running level
Q_LEVEL_ALPHA = 2  # weight of a new swing peak in the running level
Q_AXIS_BETA = 3  # per-sample weight of the running second moments
Q_SENSE_ALPHA = 4  # weight of a lobe's after-ratio in the running ratio of its sense
Q_REV_RISE = 5  # reversal found when the rate rose this fraction of its extreme above it
Q_ONSET_FRAC = 6  # landing: the acceleration norm reaches this fraction between low and high
Q_ACC_OFF = 7  # acc-only: off-threshold as a fraction of the on-threshold
Q_BOUT_AXIS = 8  # an isolated step turns the segment this fast about the swing axis at least
Q_END_FRAC = 9  # a lobe's rotation has ended when its rate falls below this x its peak
Q_IMPACT_RATIO = 10  # an impact: acceleration change this x its mean over the swing (0: off)
Q_FAST_EXC = 11  # a P_FAST_SWING lobe turning this far is a swing (deg x samples: rate summed)
Q_MAX_EXC = 12  # no swing turns the segment further (deg x samples)
Q_B = 13  # two biquads (b0, b1, b2, a1, a2) from here
#: a landing this long after the zero crossing or sooner is heel-first (samples, not rounded: the
#: same time at every rate)
Q_HEEL = Q_B + 10
N_FPARAM = Q_B + 11

#: The reversal is confirmed once the rate has risen this much (deg/s) above its extreme at least
#: (a floor under Q_REV_RISE for shallow reversals; ten times a consumer gyro's noise at rest).
REV_RISE_MIN_DPS = 5.0
#: A turn back slower than this fraction of the swing's peak is no reversal: the foot settling
#: after the swing stopped (a walker's last step: 7-9 % on the real mocap walker and IPOL).
#: Placing the foot while the leg turns back turns it at a rate comparable with the swing's
#: (the real backward walker 0.6, simulated backward gait 0.4-1.0). 0.15 and 0.3 give the same
#: contacts on IPOL, the mocap walker and the simulated cells (BENCHMARKS.md, session 21).
REV_MIN_FRAC = 0.2
#: A new lobe begins once the rate the other way exceeds this (deg/s; above a gyro's noise).
OPEN_DPS = 5.0


def new_state(level0: float, ring_size: int) -> tuple[np.ndarray, ...]:
    """Fresh state arrays: (istate, fstate, ring, rec_i, rec_f)."""
    istate = np.zeros(N_ISTATE, np.int64)
    istate[I_LOBE_SIGN] = 0
    istate[I_W_SIGN] = 1
    istate[I_LOBE_FC] = NO_IDX
    istate[I_LAST_IC] = NO_IDX
    istate[I_GROUP_START] = NO_IDX
    istate[I_GROUP_END] = NO_IDX
    istate[I_BOUT_START] = NO_IDX
    istate[I_BOUT_LAST] = NO_IDX
    istate[I_BOUT_CAND] = NO_IDX
    fstate = np.zeros(N_FSTATE, np.float64)
    fstate[F_LEVEL] = level0
    fstate[F_AXIS : F_AXIS + 3] = 1.0 / np.sqrt(3.0)
    fstate[F_Q] = -1.0
    fstate[F_Q + 1] = -1.0
    # columns: 0 rate about the swing axis (gyroscope path) or acceleration change (acc-only
    # path), 2-4 raw acceleration; 1 is free
    ring = np.zeros((ring_size, 5), np.float64)
    rec_i = np.zeros((CAP, N_RI), np.int64)
    rec_f = np.zeros((CAP, N_RF), np.float64)
    return istate, fstate, ring, rec_i, rec_f


def next_contact_min_idx(istate: np.ndarray, rec_i: np.ndarray, ip: np.ndarray) -> int:
    """A lower bound on the index of any contact not returned yet.

    Gyroscope path: a swing's contact lies at its lobe's zero crossing, at the reversal after
    it, or at an impact onset at most ``P_BACK`` before the crossing (a swing that outlasted
    its bout, ``R_FADED``: where its rate fell fastest, after its peak). An undecided record has
    its crossing in the past; a lobe under way (or one not begun) crosses at the next sample or
    later. An isolated step lands at the landing of a rejected lobe of its bout (which lies
    ``P_BACK`` before that lobe's crossing at the earliest) or ``P_SETTLE`` before the bout's
    last motion, which only moves on, and never before the bout's start.

    Accelerometer path: a burst's contact lies in its search window, which starts
    ``P_ACC_WINDOW`` before the burst's last sample above the threshold and never before the
    burst's start. Plain Python: called once per block.
    """
    g = int(istate[I_COUNT])
    if ip[P_HAS_GYRO] != 0:
        back = int(ip[P_BACK])
        bound = g - back
        n, head = int(istate[I_NREC]), int(istate[I_HEAD])
        for k in range(n):
            r = rec_i[(head + k) % CAP]
            if r[R_STATE] == 0:
                bound = min(bound, int(r[R_Z]) - back)
                if r[R_FADED] == 1:
                    bound = min(bound, int(r[R_PEAK_IDX]))
        b_start = int(istate[I_BOUT_START])
        if ip[P_QUIET] > 0 and b_start != NO_IDX and int(istate[I_LAST_IC]) < b_start:
            iso = int(istate[I_BOUT_LAST]) - int(ip[P_SETTLE])
            if istate[I_BOUT_CAND] != NO_IDX:
                iso = min(iso, int(istate[I_BOUT_CAND]))
            bound = min(bound, max(b_start, iso))
        return max(0, bound)
    start = int(istate[I_GROUP_START])
    if start == NO_IDX:
        return g
    end = int(istate[I_GROUP_END])
    return max(0, start, min(g, end) - int(ip[P_ACC_WINDOW]))


@njit(cache=True, inline="always", _nrt=False)
def _ix(k: int, mask: int) -> np.uint64:
    """Row of sample ``k`` in the ring, as an unsigned index (``k & mask`` is never negative;
    an unsigned index spares numba's wraparound of negative indices at every ring access)."""
    return np.uint64(k & mask)


@njit(cache=True, inline="always", _nrt=False)
def _biquad(x: float, fp: np.ndarray, k: int, z: np.ndarray, j: int) -> float:
    # Direct form II transposed; coefficients fp[k:k+5] = b0, b1, b2, a1, a2.
    y = fp[k] * x + z[j]
    z[j] = fp[k + 1] * x - fp[k + 3] * y + z[j + 1]
    z[j + 1] = fp[k + 2] * x - fp[k + 4] * y
    return y


@njit(cache=True, inline="always", _nrt=False)
def _biquad_settle(x: float, fp: np.ndarray, k: int, z: np.ndarray, j: int) -> float:
    """Set a biquad's delays to its steady state for a constant input ``x``; return the output
    (no step at the start of a stream: gravity is no impact, a gyro bias no swing)."""
    den = 1.0 + fp[k + 3] + fp[k + 4]
    y = x * (fp[k] + fp[k + 1] + fp[k + 2]) / den
    z[j] = y - fp[k] * x
    z[j + 1] = fp[k + 2] * x - fp[k + 4] * y
    return y


#: After-ratio assumed for a sense with no lobes yet (a swing's is 0.1-0.6, the rotation before a
#: toe-off is followed by the swing: 0.7 and more).
Q_UNKNOWN = 0.55
#: The swing sense changes only when the other sense's ratio is lower by this margin.
Q_MARGIN = 0.1
#: Only lobes turning the segment through this fraction of a swing's excursion teach the sense
#: (the foot flattening after a heel strike, which is also followed by rest, turns it far less).
EXC_LEARN = 0.4


@njit(cache=True, inline="always", _nrt=False)
def _folded_ratio(
    fstate: np.ndarray, j: int, q: float, exc: float, alpha: float
) -> tuple[float, float]:
    """The running after-ratio of sense ``j`` (0: +, 1: -) and its weight once a lobe with
    after-ratio ``q`` and excursion ``exc`` is folded in: weighted by excursion, so a small lobe
    (the first rotation of a start) teaches little; the first evidence of a sense is taken as
    it is."""
    if fstate[F_Q + j] < 0.0:
        return q, exc
    w_old = (1.0 - alpha) * fstate[F_QW + j]
    w_new = alpha * exc
    return (w_old * fstate[F_Q + j] + w_new * q) / (w_old + w_new), w_old + w_new


@njit(cache=True, inline="always", _nrt=False)
def _after_ratio(rec_f: np.ndarray, row: int, ip: np.ndarray) -> float:
    """Mean |w| over the after-window measured so far (``RF_QSUM``, summed as the samples come
    in), relative to the lobe's peak; once the window is complete, the lobe's after-ratio."""
    return rec_f[row, RF_QSUM] / ((ip[P_POST_HI] - ip[P_POST_LO] + 1) * rec_f[row, RF_PEAK])


@njit(cache=True, _nrt=False)
def _learn_sense(
    rec_i: np.ndarray, rec_f: np.ndarray, row: int, istate: np.ndarray, fstate: np.ndarray,
    ip: np.ndarray, fp: np.ndarray,
) -> None:  # fmt: skip
    """Fold a complete after-window's ratio into the running ratio of the lobe's sense, and
    update the swing sense."""
    j = 0 if rec_i[row, R_SIGN] > 0 else 1
    q, w = _folded_ratio(
        fstate, j, _after_ratio(rec_f, row, ip), rec_f[row, RF_EXC], fp[Q_SENSE_ALPHA]
    )
    fstate[F_Q + j] = q
    fstate[F_QW + j] = w
    _update_sense(istate, fstate)


@njit(cache=True, inline="always", _nrt=False)
def _update_sense(istate: np.ndarray, fstate: np.ndarray) -> None:
    """The swing sense: the sense whose lobes are followed by less rotation (0: not known)."""
    qp, qn = fstate[F_Q], fstate[F_Q + 1]
    if qp < 0.0:
        qp = Q_UNKNOWN
    if qn < 0.0:
        qn = Q_UNKNOWN
    if qp < qn - Q_MARGIN:
        istate[I_SENSE] = 1
    elif qn < qp - Q_MARGIN:
        istate[I_SENSE] = -1


@njit(cache=True, inline="always", _nrt=False)
def _store_jerk(ring: np.ndarray, g: int, mask: int, a: np.ndarray, lag: int) -> None:
    """Keep the raw acceleration (columns 2-4) and the norm of its change over ``lag`` samples
    (column 0; rotation-invariant). Accelerometer-only path."""
    j = _ix(g, mask)
    ring[j, 2] = a[0]
    ring[j, 3] = a[1]
    ring[j, 4] = a[2]
    ring[j, 0] = 0.0
    if g >= lag:
        p = _ix(g - lag, mask)
        dx = a[0] - ring[p, 2]
        dy = a[1] - ring[p, 3]
        dz = a[2] - ring[p, 4]
        ring[j, 0] = np.sqrt(dx * dx + dy * dy + dz * dz)


@njit(cache=True, inline="always", _nrt=False)
def _jerk_at(ring: np.ndarray, k: int, mask: int, lag: int) -> float:
    """Norm of the acceleration's change over ``lag`` samples at ``k`` (raw acceleration in
    columns 2-4; computed when needed, not per sample)."""
    if k < lag:
        return 0.0
    j, p = _ix(k, mask), _ix(k - lag, mask)
    dx = ring[j, 2] - ring[p, 2]
    dy = ring[j, 3] - ring[p, 3]
    dz = ring[j, 4] - ring[p, 4]
    return np.sqrt(dx * dx + dy * dy + dz * dz)


@njit(cache=True, inline="always", _nrt=False)
def _acc2_at(ring: np.ndarray, k: int, mask: int) -> float:
    """Squared norm of the raw acceleration at ``k``."""
    j = _ix(k, mask)
    return ring[j, 2] * ring[j, 2] + ring[j, 3] * ring[j, 3] + ring[j, 4] * ring[j, 4]


@njit(cache=True, inline="always", _nrt=False)
def _swing_candidate(
    g: int, istate: np.ndarray, fstate: np.ndarray, ip: np.ndarray, fp: np.ndarray
) -> bool:
    """The current lobe ended at sample ``g``: is it a swing candidate? (Most lobes are not:
    this part runs in the per-sample loop, ``_close_lobe`` only for candidates.)"""
    dur = g - istate[I_LOBE_START]
    peak = fstate[F_LOBE_PEAK]
    exc = fstate[F_LOBE_EXC]
    swing_like = (
        dur <= ip[P_MAX_SWING]
        and exc <= fp[Q_MAX_EXC]
        and (dur >= ip[P_MIN_SWING] or (dur >= ip[P_FAST_SWING] and exc >= fp[Q_FAST_EXC]))
    )
    if istate[I_BOUT_START] != NO_IDX and swing_like and peak > fstate[F_BOUT_AXIS]:
        fstate[F_BOUT_AXIS] = peak  # the bout's fastest rotation of a swing's duration
    need = max(fp[Q_ABS_ON], fp[Q_REL_ON] * fstate[F_LEVEL])
    if peak < need or not swing_like or istate[I_NREC] >= CAP:
        fstate[F_LAST_EXC] = 0.0
        return False
    return True


@njit(cache=True, inline="always", _nrt=False)
def _toe_off(sign: int, start: int, ring: np.ndarray, ip: np.ndarray) -> int:
    """Toe-off candidate before a lobe of sense ``sign`` that starts at ``start``: the extreme of
    the other sense within ``P_FC_BACK`` before it (found when the lobe is kept as a candidate;
    the ring still holds those samples then)."""
    mask = ip[P_RING_MASK]
    fc = start
    best = 0.0
    for k in range(max(0, start - ip[P_FC_BACK]), start + 1):
        v = -sign * ring[_ix(k, mask), 0]
        if v > best:
            best = v
            fc = k
    return fc


@njit(cache=True, _nrt=False)
def _close_lobe(
    g: int,
    w: float,
    istate: np.ndarray,
    fstate: np.ndarray,
    rec_i: np.ndarray,
    rec_f: np.ndarray,
    ring: np.ndarray,
    ip: np.ndarray,
    fp: np.ndarray,
) -> None:
    """The current lobe ended at sample ``g`` and is a swing candidate: keep it as a record."""
    peak = fstate[F_LOBE_PEAK]
    row = (istate[I_HEAD] + istate[I_NREC]) % CAP
    rec_i[row, R_SIGN] = istate[I_LOBE_SIGN]
    rec_i[row, R_START] = istate[I_LOBE_START]
    rec_i[row, R_PEAK_IDX] = istate[I_LOBE_PEAK]
    rec_i[row, R_Z] = g
    rec_i[row, R_REV] = NO_IDX
    rec_i[row, R_RMIN_IDX] = g
    rec_i[row, R_STATE] = 0
    rec_i[row, R_POST_DONE] = 0
    rec_i[row, R_FC] = _toe_off(istate[I_LOBE_SIGN], istate[I_LOBE_START], ring, ip)
    rec_i[row, R_IMPACT] = NO_IDX
    rec_i[row, R_EARLY_NO] = 0
    rec_i[row, R_FADED] = 0
    rec_f[row, RF_QSUM] = 0.0
    rec_f[row, RF_PEAK] = peak
    rec_f[row, RF_RMIN] = istate[I_LOBE_SIGN] * w
    rec_f[row, RF_EXC] = fstate[F_LOBE_EXC]
    rec_f[row, RF_PREV_EXC] = fstate[F_LAST_EXC]
    fstate[F_LAST_EXC] = fstate[F_LOBE_EXC]
    mask = ip[P_RING_MASK]
    peak_idx = rec_i[row, R_PEAK_IDX]
    start = max(rec_i[row, R_START], g - mask + 1)
    j_sw = 0.0
    for k in range(start, peak_idx + 1):
        j_sw += _jerk_at(ring, k, mask, ip[P_JERK_LAG])
    rec_f[row, RF_JSW] = j_sw / max(1, peak_idx + 1 - start)
    rec_f[row, RF_JMAX] = 0.0
    for k in range(max(peak_idx, g - ip[P_BACK]), g):
        rec_f[row, RF_JMAX] = max(rec_f[row, RF_JMAX], _jerk_at(ring, k, mask, ip[P_JERK_LAG]))
    _impact_step(rec_i, rec_f, row, ring, mask, ip, fp, g)
    istate[I_NREC] += 1


@njit(cache=True, inline="always", _nrt=False)
def _set_rev(rec_i: np.ndarray, rec_f: np.ndarray, row: int) -> None:
    """The reversal after the lobe: where the rotation the other way peaked, or the lobe's end
    if the segment never turned the other way (beyond a gyroscope's noise and ``REV_MIN_FRAC``
    of the swing's peak)."""
    rmin = rec_f[row, RF_RMIN]
    if rmin < -REV_RISE_MIN_DPS and rmin < -REV_MIN_FRAC * rec_f[row, RF_PEAK]:
        rec_i[row, R_REV] = rec_i[row, R_RMIN_IDX]
    else:
        rec_i[row, R_REV] = rec_i[row, R_Z]


@njit(cache=True, _nrt=False)
def _bout_candidate(
    rec_i: np.ndarray,
    rec_f: np.ndarray,
    row: int,
    istate: np.ndarray,
    fstate: np.ndarray,
    ring: np.ndarray,
    mask: int,
    ip: np.ndarray,
    fp: np.ndarray,
) -> None:
    """A lobe of the current bout was not taken as a swing (its sense not learnt, or the other
    one). If the bout ends in rest without a contact, its last large lobe (half the largest
    peak at least) is where the step landed: remember that lobe's landing."""
    if istate[I_BOUT_START] == NO_IDX or rec_i[row, R_Z] < istate[I_BOUT_START]:
        return
    if _after_contact(rec_i, row, istate, ip):
        return
    peak = rec_f[row, RF_PEAK]
    if peak > fstate[F_BOUT_MAXPEAK]:
        fstate[F_BOUT_MAXPEAK] = peak
    if peak >= 0.5 * fstate[F_BOUT_MAXPEAK]:
        if rec_i[row, R_REV] == NO_IDX:
            _set_rev(rec_i, rec_f, row)
        istate[I_BOUT_CAND] = _landing(rec_i, row, ring, mask, ip, fp)


@njit(cache=True, inline="always", _nrt=False)
def _surely_no_swing(
    rec_i: np.ndarray, rec_f: np.ndarray, row: int, istate: np.ndarray, fstate: np.ndarray,
    ip: np.ndarray, fp: np.ndarray,
) -> bool:  # fmt: skip
    """Is a lobe of the other sense than the swing sense, still inside its after-window, sure
    to stay no swing once its window has been measured and learnt?

    Its after-ratio only grows as the window fills, so the part measured so far bounds it from
    below; if even that bound, folded into its sense's running ratio, leaves the swing sense as
    it is, the lobe is no swing whatever follows. The swing after it (a push-off or pre-swing
    rotation is followed by the swing at once) then need not wait for the end of the window.
    """
    sign = rec_i[row, R_SIGN]
    if istate[I_SENSE] != -sign:
        return False
    j = 0 if sign > 0 else 1
    q_lb = _after_ratio(rec_f, row, ip)
    qj, _ = _folded_ratio(fstate, j, q_lb, rec_f[row, RF_EXC], fp[Q_SENSE_ALPHA])
    qo = fstate[F_Q + 1 - j]
    if qo < 0.0:
        qo = Q_UNKNOWN
    return qj >= qo - Q_MARGIN


#: Before the sense is known, a lobe turning the segment this many times further than the
#: candidate lobe just before it is taken for the swing (the swing turns the leg the most:
#: further than the push-off or pre-swing rotation that precedes it).
PROVISIONAL_EXC = 1.2


@njit(cache=True, inline="always", _nrt=False)
def _is_swing(rec_i: np.ndarray, rec_f: np.ndarray, row: int, sense: int) -> bool:
    """Is the record's lobe in the swing sense (or, while it is unknown, provisionally so)?"""
    if sense != 0:
        return rec_i[row, R_SIGN] == sense
    prev = rec_f[row, RF_PREV_EXC]
    return prev > 0.0 and rec_f[row, RF_EXC] >= PROVISIONAL_EXC * prev


@njit(cache=True, inline="always", _nrt=False)
def _emit(
    ic: int, fc: int, istate: np.ndarray, out_ic: np.ndarray, out_fc: np.ndarray, n_out: int
) -> int:
    """Write a contact (after the last one: contacts come out strictly in order) and the
    toe-off before it; return the new count."""
    if ic <= istate[I_LAST_IC]:
        ic = istate[I_LAST_IC] + 1
    out_ic[n_out] = ic
    out_fc[n_out] = fc
    istate[I_LAST_IC] = ic
    return n_out + 1


@njit(cache=True, inline="always", _nrt=False)
def _after_contact(rec_i: np.ndarray, row: int, istate: np.ndarray, ip: np.ndarray) -> bool:
    """Did the lobe start within ``P_MIN_STANCE`` after the last contact (the rotation of the
    landing itself, such as a foot flattening after a heel strike)?"""
    last = istate[I_LAST_IC]
    return last != NO_IDX and rec_i[row, R_START] < last + ip[P_MIN_STANCE]


#: A landing's acceleration peak after ``Z`` rises above the lowest acceleration since ``Z`` by
#: at least this fraction of the acceleration norm's range over the swing lobe itself. A sensor
#: that averages its accelerometer on board (100 ms) leaves no landing peak there, only the
#: swing's own acceleration trailing off: a ripple of 0.07 of the swing's range whose top lay
#: 80-90 ms after ``Z`` and sent a forward landing to the reversal, 0.18 s late. Relative to the
#: swing's range because smoothing lowers both alike. 0.1 and 0.2 give the same simulated
#: contacts and change IPOL and the mocap walker by one contact at most; at 0.35 the real
#: backward walker loses one (BENCHMARKS.md, session 23).
LANDING_RISE_FRAC = 0.1


@njit(cache=True, inline="always", _nrt=False)
def _stands_out(
    rec_i: np.ndarray, row: int, ring: np.ndarray, mask: int, z: int, t_x: int, a_hi: float
) -> bool:
    """Does the acceleration peak at ``t_x`` (squared norm ``a_hi``) stand out as a landing
    (``LANDING_RISE_FRAC``)?"""
    a_lo = a_hi
    for k in range(z, t_x):
        a_lo = min(a_lo, _acc2_at(ring, k, mask))
    s_hi = 0.0
    s_lo = 1e300
    for k in range(max(rec_i[row, R_START], z - mask + 1), z):
        a2 = _acc2_at(ring, k, mask)
        s_hi = max(s_hi, a2)
        s_lo = min(s_lo, a2)
    if s_lo > s_hi:
        return True  # no swing samples: as before, the peak decides
    return np.sqrt(a_hi) - np.sqrt(a_lo) >= LANDING_RISE_FRAC * (np.sqrt(s_hi) - np.sqrt(s_lo))


@njit(cache=True, _nrt=False)
def _landing(
    rec_i: np.ndarray, row: int, ring: np.ndarray, mask: int, ip: np.ndarray, fp: np.ndarray
) -> int:
    """Contact of a swing lobe whose reversal is known: its end or its reversal.

    The ground stopping the foot is the largest acceleration between the lobe's end (``Z``)
    and the reversal. Up to ``P_HEEL`` after ``Z`` the landing was heel-first (the ground
    stopped the swing): the contact is at ``Z``, or at a sharp impact's onset just before it.
    Later, the foot was placed while the leg already turned back (forefoot first, as in
    backward walking): the contact is at the reversal, where the ground stops that rotation.
    A later peak counts only if it stands out (``LANDING_RISE_FRAC``); else the acceleration
    shows no landing and the contact is at ``Z``, where the swing's rotation ended.
    """
    z, rev = rec_i[row, R_Z], rec_i[row, R_REV]
    t_x = z
    a_hi = -1e300
    for k in range(z, rev + 1):
        a2 = _acc2_at(ring, k, mask)
        if a2 > a_hi:
            a_hi = a2
            t_x = k
    if t_x - z > fp[Q_HEEL] and _stands_out(rec_i, row, ring, mask, z, t_x, a_hi):
        return rev
    impact = rec_i[row, R_IMPACT]
    return z if impact == NO_IDX else min(impact, z)


@njit(cache=True, _nrt=False)
def _stop(rec_i: np.ndarray, row: int, ring: np.ndarray, mask: int) -> int:
    """Where a heel-first swing that outlasted its bout's motion was stopped: the sample where
    its rate fell fastest in the lower half of the lobe, from half its peak to its end (the
    ground stopping it; after a last step the segment may keep turning slowly as the walker
    settles, so the lobe's end comes 0.1-0.2 s after the contact). The upper half is left out:
    a fall just after the peak is the leg braking its own swing, not the ground."""
    sign = rec_i[row, R_SIGN]
    half = 0.5 * sign * ring[_ix(rec_i[row, R_PEAK_IDX], mask), 0]
    best = 0.0
    at = rec_i[row, R_Z]
    for k in range(rec_i[row, R_PEAK_IDX] + 1, rec_i[row, R_Z] + 1):
        d = sign * (ring[_ix(k - 1, mask), 0] - ring[_ix(k, mask), 0])
        if d > best and sign * ring[_ix(k - 1, mask), 0] <= half:
            best = d
            at = k
    return at


@njit(cache=True, inline="always", _nrt=False)
def _impact_step(
    rec_i: np.ndarray, rec_f: np.ndarray, row: int, ring: np.ndarray, mask: int, ip: np.ndarray,
    fp: np.ndarray, g: int,
) -> None:  # fmt: skip
    """Look for a sharp impact at sample ``g`` (from the lobe's end to ``P_HEEL`` after it).

    Sharp: the acceleration changes ``Q_IMPACT_RATIO`` times faster than it did on average over
    the swing (relative to the swing's own level: a smoothing sensor lowers both). A heel strike
    on a real sensor is one; a foot placed softly, or a sensor that smooths its accelerometer on
    board, gives none. Once it has peaked, its onset (the first sample from ``P_BACK`` before
    the lobe's end, but not before its peak, reaching ``Q_ONSET_FRAC`` of it) goes to
    ``R_IMPACT``.
    """
    j = _jerk_at(ring, g, mask, ip[P_JERK_LAG])
    if j > rec_f[row, RF_JMAX]:
        rec_f[row, RF_JMAX] = j
    j_max = rec_f[row, RF_JMAX]
    if fp[Q_IMPACT_RATIO] <= 0.0 or j_max <= 0.0:
        return
    if j_max < fp[Q_IMPACT_RATIO] * rec_f[row, RF_JSW] or j >= j_max:
        return  # no impact yet, or still rising: its onset is placed once it has peaked
    for k in range(max(rec_i[row, R_PEAK_IDX], rec_i[row, R_Z] - ip[P_BACK]), g + 1):
        if _jerk_at(ring, k, mask, ip[P_JERK_LAG]) >= fp[Q_ONSET_FRAC] * j_max:
            rec_i[row, R_IMPACT] = k
            return


@njit(cache=True, _nrt=False)
def detect_block(
    acc: np.ndarray,
    gyr: np.ndarray,
    istate: np.ndarray,
    fstate: np.ndarray,
    ring: np.ndarray,
    rec_i: np.ndarray,
    rec_f: np.ndarray,
    ip: np.ndarray,
    fp: np.ndarray,
    out_ic: np.ndarray,
    out_fc: np.ndarray,
) -> int:
    """Gyroscope path: process one block; write final contacts (and their toe-offs) to the
    outputs; return how many."""
    mask = ip[P_RING_MASK]
    abs_on2 = fp[Q_ABS_ON] * fp[Q_ABS_ON]
    n_out = 0
    if acc.shape[0] > 0 and istate[I_COUNT] == 0:
        z = fstate[F_Z : F_Z + 6]
        for j in range(3):  # start the filter as if the first sample had always been
            _biquad_settle(gyr[0, j], fp, Q_B, z, 2 * j)
    # The per-sample front end (low-pass, second moments, axis) runs on local copies of its
    # state, written back after the block: the same arithmetic in the same order, held in
    # registers instead of memory.
    b0, b1, b2, a1, a2 = fp[Q_B], fp[Q_B + 1], fp[Q_B + 2], fp[Q_B + 3], fp[Q_B + 4]
    zx0, zx1, zy0 = fstate[F_Z], fstate[F_Z + 1], fstate[F_Z + 2]
    zy1, zz0, zz1 = fstate[F_Z + 3], fstate[F_Z + 4], fstate[F_Z + 5]
    mxx, myy, mzz = fstate[F_M], fstate[F_M + 1], fstate[F_M + 2]
    mxy, mxz, myz = fstate[F_M + 3], fstate[F_M + 4], fstate[F_M + 5]
    u0, u1, u2 = fstate[F_AXIS], fstate[F_AXIS + 1], fstate[F_AXIS + 2]
    beta = fp[Q_AXIS_BETA]
    c_m = 1.0 - beta
    every = ip[P_AXIS_EVERY]
    phase = istate[I_BOUT_COUNT] % every
    # parameters read in the per-sample paths, as locals (stores to the state arrays would
    # otherwise make the compiler load them again: it cannot tell the arrays apart)
    quiet, heel = ip[P_QUIET], ip[P_HEEL]
    rev_max, post_lo, post_hi = ip[P_REV_MAX], ip[P_POST_LO], ip[P_POST_HI]
    rev_rise = fp[Q_REV_RISE]
    # the current lobe's running state, also local (stored for ``_close_lobe`` and at the end)
    end_frac = fp[Q_END_FRAC]
    w_sign, last_cross = istate[I_W_SIGN], istate[I_LAST_CROSS]
    lobe_open, lobe_sign = istate[I_LOBE_OPEN], istate[I_LOBE_SIGN]
    lobe_peak_idx = istate[I_LOBE_PEAK]
    lobe_peak, lobe_exc = fstate[F_LOBE_PEAK], fstate[F_LOBE_EXC]
    g0 = istate[I_COUNT]
    for i in range(acc.shape[0]):
        g = g0 + i
        # 6 Hz low-pass of each axis (direct form II transposed)
        x = gyr[i, 0]
        gx = b0 * x + zx0
        zx0 = b1 * x - a1 * gx + zx1
        zx1 = b2 * x - a2 * gx
        x = gyr[i, 1]
        gy = b0 * x + zy0
        zy0 = b1 * x - a1 * gy + zy1
        zy1 = b2 * x - a2 * gy
        x = gyr[i, 2]
        gz = b0 * x + zz0
        zz0 = b1 * x - a1 * gz + zz1
        zz1 = b2 * x - a2 * gz
        m2 = gx * gx + gy * gy + gz * gz
        if m2 > abs_on2:
            # running second moments of the rate, not normalised (the fast rotations, the
            # swings, weigh most); every ``every`` moving samples one power-iteration step
            # (the moments are positive semi-definite: the axis keeps its side)
            mxx = c_m * mxx + beta * gx * gx
            myy = c_m * myy + beta * gy * gy
            mzz = c_m * mzz + beta * gz * gz
            mxy = c_m * mxy + beta * gx * gy
            mxz = c_m * mxz + beta * gx * gz
            myz = c_m * myz + beta * gy * gz
            if phase == 0:
                v0 = mxx * u0 + mxy * u1 + mxz * u2
                v1 = mxy * u0 + myy * u1 + myz * u2
                v2 = mxz * u0 + myz * u1 + mzz * u2
                nv = np.sqrt(v0 * v0 + v1 * v1 + v2 * v2)
                if nv > 0.0:
                    u0 = v0 / nv
                    u1 = v1 / nv
                    u2 = v2 / nv
            if istate[I_BOUT_START] == NO_IDX:
                istate[I_BOUT_START] = g
                istate[I_BOUT_COUNT] = 0
                fstate[F_BOUT_AXIS] = 0.0
                fstate[F_BOUT_MAXPEAK] = 0.0
                istate[I_BOUT_CAND] = NO_IDX
                phase = 0
                if lobe_open == 0 and lobe_sign * (gx * u0 + gy * u1 + gz * u2) > OPEN_DPS:
                    # motion resumes after rest turning the way the last lobe did: a new lobe
                    # (a first step in the sense of the last one before the rest), opened at
                    # this sample (its rate is past OPEN_DPS), so no sense is left blocked.
                    # The rate about the axis (``w`` below) is formed here once more: this
                    # branch runs once per bout, and keeping the flip in it costs the
                    # per-sample path least (BENCHMARKS.md, "Steps from rest")
                    lobe_sign = -lobe_sign
            istate[I_BOUT_LAST] = g
            istate[I_BOUT_COUNT] += 1
            phase += 1  # the bout's count of moving samples modulo ``every``
            if phase == every:
                phase = 0
        w = gx * u0 + gy * u1 + gz * u2
        row_g = _ix(g, mask)
        ring[row_g, 0] = w
        ring[row_g, 2] = acc[i, 0]  # raw acceleration: jerk and norm computed when needed
        ring[row_g, 3] = acc[i, 1]
        ring[row_g, 4] = acc[i, 2]

        # -- lobes of the rate about the axis ------------------------------------------------
        n_rec_before = istate[I_NREC]
        s = 1 if w >= 0.0 else -1
        if s != w_sign:
            w_sign = s
            last_cross = g
        if lobe_open == 1:
            v = lobe_sign * w
            if v > lobe_peak:
                lobe_peak = v
                lobe_peak_idx = g
            if v > 0.0:
                lobe_exc += v
            if v < end_frac * lobe_peak:
                # the lobe's rotation has ended (at the latest where it crosses zero)
                lobe_open = 0
                istate[I_LOBE_PEAK] = lobe_peak_idx
                fstate[F_LOBE_PEAK] = lobe_peak
                fstate[F_LOBE_EXC] = lobe_exc
                if _swing_candidate(g, istate, fstate, ip, fp):
                    _close_lobe(g, w, istate, fstate, rec_i, rec_f, ring, ip, fp)
        if (
            lobe_open == 0
            and abs(w) > OPEN_DPS
            and (s != lobe_sign or abs(ring[_ix(g - 1, mask), 0]) <= OPEN_DPS)
        ):
            # a new lobe, from the zero crossing or, if later, from where the rate left rest
            # (a first step from standing); its toe-off candidate, the other sense's extreme
            # just before it, is found if it is kept (``_toe_off``). The rate leaving a
            # gyroscope's noise again the way the ended lobe turned also begins one: a swing
            # after a small rotation its own way (a shift of weight before a first step) is a
            # lobe of its own, not lost
            start = last_cross
            for k in range(g - 1, max(last_cross, g - mask), -1):
                if abs(ring[_ix(k, mask), 0]) <= OPEN_DPS:
                    start = k  # the last sample at rest (within noise) after the crossing
                    break
            lobe_open = 1
            lobe_sign = s
            lobe_peak_idx = g
            lobe_peak = abs(w)
            lobe_exc = abs(w)
            istate[I_LOBE_SIGN] = s
            istate[I_LOBE_START] = start

        if istate[I_NREC] == 0 and (
            istate[I_BOUT_START] == NO_IDX or g - istate[I_BOUT_LAST] <= quiet
        ):
            continue  # nothing waits for a decision
        # -- records: reversal, after-window, sense ------------------------------------------
        head = istate[I_HEAD]
        dirty = n_rec_before != istate[I_NREC]  # a record was added: decide again
        pending = False  # an older record is undecided or still in its after-window
        for k in range(istate[I_NREC]):
            row = (head + k) % CAP
            since = g - rec_i[row, R_Z]
            if since <= 0 or (rec_i[row, R_POST_DONE] == 1 and rec_i[row, R_REV] != NO_IDX):
                pending = pending or rec_i[row, R_STATE] == 0
                continue
            if rec_i[row, R_IMPACT] == NO_IDX and since <= heel:
                _impact_step(rec_i, rec_f, row, ring, mask, ip, fp, g)
                dirty = dirty or rec_i[row, R_IMPACT] != NO_IDX
            if rec_i[row, R_REV] == NO_IDX:
                ws = rec_i[row, R_SIGN] * w
                if ws < rec_f[row, RF_RMIN]:
                    rec_f[row, RF_RMIN] = ws
                    rec_i[row, R_RMIN_IDX] = g
                rise = max(REV_RISE_MIN_DPS, rev_rise * abs(rec_f[row, RF_RMIN]))
                if (
                    ws >= rec_f[row, RF_RMIN] + rise and rec_f[row, RF_RMIN] < -REV_RISE_MIN_DPS
                ) or since >= rev_max:
                    _set_rev(rec_i, rec_f, row)
                    dirty = True
            if rec_i[row, R_POST_DONE] == 0:
                if since >= post_lo:
                    rec_f[row, RF_QSUM] += abs(w)
                if since >= post_hi:
                    rec_i[row, R_POST_DONE] = 1
                    dirty = True
                    if rec_f[row, RF_EXC] >= EXC_LEARN * fstate[F_EXC_LEVEL]:
                        _learn_sense(rec_i, rec_f, row, istate, fstate, ip, fp)
                elif (
                    not pending
                    and rec_i[row, R_STATE] == 0
                    and rec_i[row, R_EARLY_NO] == 0
                    and rec_i[row, R_REV] != NO_IDX
                    and since >= post_lo
                    and _surely_no_swing(rec_i, rec_f, row, istate, fstate, ip, fp)
                ):
                    rec_i[row, R_EARLY_NO] = 1
                    dirty = True
            pending = pending or rec_i[row, R_STATE] == 0 or rec_i[row, R_POST_DONE] == 0
        sense = istate[I_SENSE]

        # -- decisions, oldest first (contacts come out in time order) ------------------------
        for k in range(istate[I_NREC] if dirty else 0):
            row = (head + k) % CAP
            if rec_i[row, R_STATE] != 0:
                continue
            if _after_contact(rec_i, row, istate, ip):
                rec_i[row, R_STATE] = 2
            elif _is_swing(rec_i, rec_f, row, sense) and (
                rec_i[row, R_REV] != NO_IDX or rec_i[row, R_IMPACT] != NO_IDX
            ):
                if rec_i[row, R_REV] == NO_IDX:
                    # an impact by P_HEEL after the lobe's end: heel first, known at once
                    ic = min(rec_i[row, R_IMPACT], rec_i[row, R_Z])
                else:
                    ic = _landing(rec_i, row, ring, mask, ip, fp)
                if rec_i[row, R_FADED] == 1 and ic <= rec_i[row, R_Z]:
                    ic = _stop(rec_i, row, ring, mask)
                n_out = _emit(ic, rec_i[row, R_FC], istate, out_ic, out_fc, n_out)
                rec_i[row, R_STATE] = 1
                fstate[F_LEVEL] = (1.0 - fp[Q_LEVEL_ALPHA]) * fstate[F_LEVEL] + fp[
                    Q_LEVEL_ALPHA
                ] * rec_f[row, RF_PEAK]
                if fstate[F_EXC_LEVEL] <= 0.0:
                    fstate[F_EXC_LEVEL] = rec_f[row, RF_EXC]
                else:
                    fstate[F_EXC_LEVEL] = (1.0 - fp[Q_LEVEL_ALPHA]) * fstate[F_EXC_LEVEL] + fp[
                        Q_LEVEL_ALPHA
                    ] * rec_f[row, RF_EXC]
            elif rec_i[row, R_POST_DONE] == 1 or rec_i[row, R_EARLY_NO] == 1:
                rec_i[row, R_STATE] = 2
                _bout_candidate(rec_i, rec_f, row, istate, fstate, ring, mask, ip, fp)
            else:
                break
        # an isolated step: a bout of motion that ended in rest without a contact
        b_start = istate[I_BOUT_START]
        if quiet > 0 and b_start != NO_IDX and g - istate[I_BOUT_LAST] > quiet:
            waiting = False
            for k in range(istate[I_NREC]):
                row = (head + k) % CAP
                if rec_i[row, R_STATE] != 0 or rec_i[row, R_START] > istate[I_BOUT_LAST]:
                    continue
                if rec_i[row, R_Z] <= istate[I_BOUT_LAST]:
                    waiting = True
                elif istate[I_SENSE] == 0 or rec_i[row, R_SIGN] == istate[I_SENSE]:
                    waiting = True
                    rec_i[row, R_FADED] = 1
            if not waiting:
                ic = istate[I_BOUT_CAND]
                if ic == NO_IDX:
                    ic = max(b_start, istate[I_BOUT_LAST] - ip[P_SETTLE])
                if (
                    istate[I_LAST_IC] < b_start
                    and istate[I_BOUT_COUNT] >= ip[P_BOUT_MIN]
                    and fstate[F_BOUT_AXIS] >= fp[Q_BOUT_AXIS]
                    and ic > istate[I_LAST_IC]
                ):
                    n_out = _emit(ic, b_start, istate, out_ic, out_fc, n_out)
                istate[I_BOUT_START] = NO_IDX
        # drop finished records from the head
        while istate[I_NREC] > 0:
            h = istate[I_HEAD]
            if rec_i[h, R_STATE] != 0 and rec_i[h, R_POST_DONE] == 1:
                istate[I_HEAD] = (istate[I_HEAD] + 1) % CAP
                istate[I_NREC] -= 1
            else:
                break
    istate[I_COUNT] = g0 + acc.shape[0]
    istate[I_W_SIGN], istate[I_LAST_CROSS] = w_sign, last_cross
    istate[I_LOBE_OPEN], istate[I_LOBE_SIGN] = lobe_open, lobe_sign
    istate[I_LOBE_PEAK] = lobe_peak_idx
    fstate[F_LOBE_PEAK], fstate[F_LOBE_EXC] = lobe_peak, lobe_exc
    fstate[F_Z], fstate[F_Z + 1], fstate[F_Z + 2] = zx0, zx1, zy0
    fstate[F_Z + 3], fstate[F_Z + 4], fstate[F_Z + 5] = zy1, zz0, zz1
    fstate[F_M], fstate[F_M + 1], fstate[F_M + 2] = mxx, myy, mzz
    fstate[F_M + 3], fstate[F_M + 4], fstate[F_M + 5] = mxy, mxz, myz
    fstate[F_AXIS], fstate[F_AXIS + 1], fstate[F_AXIS + 2] = u0, u1, u2
    return n_out


@njit(cache=True, _nrt=False)
def flush(
    istate: np.ndarray,
    fstate: np.ndarray,
    ring: np.ndarray,
    rec_i: np.ndarray,
    rec_f: np.ndarray,
    ip: np.ndarray,
    fp: np.ndarray,
    out_ic: np.ndarray,
    out_fc: np.ndarray,
) -> int:
    """End of stream: a record in the swing sense whose reversal was cut off by the end still
    gets its contact (the reversal taken as the most negative rate seen)."""
    mask = ip[P_RING_MASK]
    sense = istate[I_SENSE]
    n_out = 0
    head = istate[I_HEAD]
    g = istate[I_COUNT]
    for k in range(istate[I_NREC]):
        row = (head + k) % CAP
        if rec_i[row, R_STATE] != 0 or rec_i[row, R_SIGN] != sense or rec_i[row, R_Z] >= g:
            continue
        if rec_i[row, R_REV] == NO_IDX:
            _set_rev(rec_i, rec_f, row)
        ic = _landing(rec_i, row, ring, mask, ip, fp)
        n_out = _emit(ic, rec_i[row, R_FC], istate, out_ic, out_fc, n_out)
        rec_i[row, R_STATE] = 1
    istate[I_NREC] = 0
    return n_out


@njit(cache=True, _nrt=False)
def detect_block_acc(
    acc: np.ndarray,
    istate: np.ndarray,
    fstate: np.ndarray,
    ring: np.ndarray,
    ip: np.ndarray,
    fp: np.ndarray,
    out_ic: np.ndarray,
) -> int:
    """Accelerometer-only path: one contact per burst of the band-passed acceleration norm.

    Motion signal: the norm of the acceleration band-passed per axis (gravity and the stance's
    slow tilts removed). A burst starts above max(``Q_ABS_ON``, ``Q_REL_ON`` x running level),
    ends below ``Q_ACC_OFF`` of that, and bursts closer than ``P_ACC_GAP`` are one. When a burst
    of at least ``P_MIN_SWING`` ends, its contact is the first sample in the window from
    ``P_ACC_WINDOW`` before its last sample above the off-threshold to ``P_ACC_LATE`` after it
    whose acceleration change over ``P_JERK_LAG`` reaches ``Q_ONSET_FRAC`` of the window's
    largest: the onset of the landing.
    """
    mask = ip[P_RING_MASK]
    z = fstate[F_Z : F_Z + 12]
    lag = ip[P_JERK_LAG]
    n_out = 0
    for i in range(acc.shape[0]):
        g = istate[I_COUNT]
        if g == 0:
            for j in range(3):  # start the filters as if the first sample had always been
                y = _biquad_settle(acc[0, j], fp, Q_B, z, 2 * j)
                _biquad_settle(y, fp, Q_B + 5, z, 6 + 2 * j)
        ax = _biquad(_biquad(acc[i, 0], fp, Q_B, z, 0), fp, Q_B + 5, z, 6)
        ay = _biquad(_biquad(acc[i, 1], fp, Q_B, z, 2), fp, Q_B + 5, z, 8)
        az = _biquad(_biquad(acc[i, 2], fp, Q_B, z, 4), fp, Q_B + 5, z, 10)
        v = np.sqrt(ax * ax + ay * ay + az * az)
        _store_jerk(ring, g, mask, acc[i], lag)
        on = max(fp[Q_ABS_ON], fp[Q_REL_ON] * fstate[F_LEVEL])
        # a burst ends below a fraction of the on-threshold and of its own peak (a stance
        # between bursts is quiet relative to the swing that came before it)
        off = fp[Q_ACC_OFF] * max(on, fstate[F_GROUP_PEAK])
        if v > on:
            if istate[I_GROUP_START] == NO_IDX:
                istate[I_GROUP_START] = g
                fstate[F_GROUP_PEAK] = 0.0
        if istate[I_GROUP_START] != NO_IDX:
            if v > off:
                istate[I_GROUP_END] = g
            if v > fstate[F_GROUP_PEAK]:
                fstate[F_GROUP_PEAK] = v
            end = istate[I_GROUP_END]
            if end != NO_IDX and g - end >= max(ip[P_ACC_GAP], ip[P_ACC_LATE]):
                if end - istate[I_GROUP_START] >= ip[P_MIN_SWING]:
                    lo = max(istate[I_GROUP_START], end - ip[P_ACC_WINDOW], g - mask)
                    hi = end + ip[P_ACC_LATE]
                    best = 0.0
                    for k in range(lo, hi + 1):
                        best = max(best, ring[_ix(k, mask), 0])
                    ic = lo
                    for k in range(lo, hi + 1):
                        if ring[_ix(k, mask), 0] >= fp[Q_ONSET_FRAC] * best:
                            ic = k
                            break
                    ic = max(ic, istate[I_LAST_IC] + 1)  # strictly in order
                    out_ic[n_out] = ic
                    n_out += 1
                    istate[I_LAST_IC] = ic
                    fstate[F_LEVEL] = (1.0 - fp[Q_LEVEL_ALPHA]) * fstate[F_LEVEL] + fp[
                        Q_LEVEL_ALPHA
                    ] * fstate[F_GROUP_PEAK]
                istate[I_GROUP_START] = NO_IDX
                istate[I_GROUP_END] = NO_IDX
        istate[I_COUNT] = g + 1
    return n_out
