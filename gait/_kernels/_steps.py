"""numba kernel of the streaming initial-contact detector (see gait/steps/_ankle.py).

One pass over the samples, all state in explicit arrays so that a stream fed in blocks of any size
gives exactly the same contacts as one pass. Only rotation-invariant quantities are used: the
norm of the low-passed angular rate (or of the band-passed acceleration without a gyro) and the
norm of the acceleration change over ~10 ms (both squared, to spare square roots).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Integer state slots.
I_COUNT = 0  # samples seen so far (global index of the next sample)
I_ON = 1  # 1 while the motion signal is above the on-threshold
I_GROUP_START = 2  # global index where the current swing group began (or NO_IDX)
I_LAST_END = 3  # global index where the last segment of the group ended (or NO_IDX)
I_PENDING_START = 4  # search window for a contact being resolved (or NO_IDX)
I_PENDING_END = 5
I_DONE = 6  # current swing: 0 searching, 1 contact found at its impact, 2 end-of-swing search
I_LAST_IC = 7  # index of the last contact returned (or NO_IDX)
I_BOUT_START = 8  # motion bout above the absolute on-threshold: first index (or NO_IDX)
I_BOUT_LAST = 9  # last index above that threshold
I_BOUT_COUNT = 10  # samples above it in the bout
I_DROP_IDX = 11  # first index after the group's peak with the motion below Q_TRIGGER_WIN_DROP x it
I_DIP_IDX = 12  # first index after the group's peak with the motion below Q_TRIGGER_DROP x it
I_PROV_IDX = 13  # a contact waiting for the next rotation to confirm it (or NO_IDX)
I_PROV_UNTIL = 14  # ... confirmed when the stream reaches this index without a veto
I_PROV_LAST_IC = 15  # I_LAST_IC before that contact (restored if it is vetoed)
I_LAST_MOTION = 16  # last index with the motion signal above the absolute on-threshold
N_ISTATE = 17

# Float state slots.
F_PEAK = 0  # largest squared motion value in the current group
F_LEVEL = 1  # running level of recent swing peaks
F_Z = 2  # 2 biquads x 3 axes x 2 delay elements = 12 slots from here
F_MG = F_Z + 12  # second moments of the low-passed angular rate over the current swing (6 slots)
F_MR = F_MG + 6  # running, trace-normalised second moments of recent accepted swings (6 slots)
F_AXIS = F_MR + 6  # dominant rotation axis of recent swings (unit vector, 3 slots)
F_SPEAK = F_AXIS + 3  # largest squared angular rate about that axis in the current swing
F_IMPACT = F_SPEAK + 1  # running level of the impacts (largest jerk) of recent contacts
F_BOUT_AXIS = F_IMPACT + 1  # largest squared angular rate about the dominant axis in the bout
F_SPOS = F_BOUT_AXIS + 1  # largest positive rate about the dominant axis in the current group
F_SNEG = F_SPOS + 1  # largest negative one (as a positive number)
F_SIGN = F_SNEG + 1  # running sense of recent swings about that axis, -1 to 1
F_CAND_PEAK2 = F_SIGN + 1  # the group deciding a contact: its squared peak motion
F_CAND_SENSE = F_CAND_PEAK2 + 1  # its sense about the axis
F_CAND_SIGN0 = F_CAND_SENSE + 1  # the running sense before it was learnt from
F_CAND_SMALL = F_CAND_SIGN0 + 1  # 1 when its peak was below Q_VERIFY_BELOW x the swing level
# The first three F_CAND_ slots, copied for the contact waiting in I_PROV_IDX (a new group may
# decide the next contact while it waits).
F_PROV_PEAK2 = F_CAND_SMALL + 1
F_PROV_SENSE = F_PROV_PEAK2 + 1
F_PROV_SIGN0 = F_PROV_SENSE + 1
F_PROV_OPP = F_PROV_SIGN0 + 1  # largest rate the other way since it began to wait
F_PROV_QUIET = F_PROV_OPP + 1  # samples of quiet in a row since then
F_BPOS = F_PROV_QUIET + 1  # largest positive rate about the dominant axis in the bout
F_BNEG = F_BPOS + 1  # largest negative one (as a positive number)
N_FSTATE = F_BNEG + 1

# Integer parameters.
P_JERK_LAG = 0  # samples between the two accelerations whose difference is the jerk proxy
P_GAP = 1  # segments closer than this are one swing
P_MIN_SWING = 2  # a swing group shorter than this has no contact
P_WINDOW = 3  # search window before the swing end
P_LATE = 4  # and after it
P_ONSET_BACK = 5  # how far the onset may lie before the first strong jerk
P_HAS_GYRO = 6
P_RING_MASK = 7
P_CONFIRM = 8  # after an impact ends a long enough swing, wait this long for a larger one
P_QUIET = 9  # a bout ends after this long below the absolute on-threshold (0: no isolated steps)
P_BOUT_MIN = 10  # an isolated step's bout spends this long above it at least
P_RISE_HOLD = 11  # the trigger stays armed on the rise this long after the dip at most
P_VERIFY = 12  # an unconfirmed swing's contact waits this long for a veto (0: never waits)
P_FROM_DIP = 13  # 1: a group's end search also covers its dip (a swing merged with the stance)
P_SENSE_RESET = 14  # this long below the absolute on-threshold forgets the sense (0: never)
N_IPARAM = 15

# Float parameters.
Q_ABS_ON = 0  # absolute on-threshold of the motion signal
Q_REL_ON = 1  # on-threshold relative to the running swing level
Q_OFF_RATIO = 2  # off-threshold as a fraction of the on-threshold
Q_FIRST_FRAC = 3  # the contact is the first jerk reaching this fraction of the window maximum
Q_ONSET_FRAC = 4  # onset: back while the jerk stays above this fraction of that jerk
Q_LEVEL_ALPHA = 5  # weight of a new swing peak in the running level
Q_MIN_IMPACT = 6  # a contact's impact (largest jerk in its window) must reach this
Q_MIN_AXIS = 7  # a swing's peak rate about the dominant axis must reach this x the swing level
Q_TRIGGER_FRAC = 8  # an impact reaching this x the running impact level ends a swing at once
Q_TRIGGER_DROP = 9  # ... once the motion signal has dropped below this x the swing's peak
Q_BOUT_AXIS = 10  # an isolated step turns this fast about the dominant axis at least
Q_TRIGGER_WIN_DROP = 11  # an early decision searches after the motion fell below this x the peak
Q_TRIGGER_RISE = 12  # ... and the trigger stays armed until the motion rises above this x the peak
Q_SIGN = 13  # a swing without an impact must turn in the sense of recent swings (0: off)
Q_VERIFY_RATIO = 14  # veto: the next rotation turns this x faster than the swing (either way)
Q_VERIFY_BELOW = 15  # only swings whose peak is below this x the swing level wait for a veto
Q_SOFT_IMPACT = 16  # a swing that clearly turned one way may end with an impact this weak
Q_SOFT_SENSE = 17  # ... when |sense| of its rotation about the dominant axis reaches this (0: off)
Q_BOUT_IMPACT = 18  # an isolated step's impact must reach this (or the swing's minimum, if lower)
Q_B = 19  # two biquads (b0, b1, b2, a1, a2) x 2 = 10 slots from here
N_FPARAM = Q_B + 10

NO_IDX = -(2**62)
#: A waiting contact is confirmed once the rotation the other way has peaked (fallen below this
#: fraction of its largest value, which reached the absolute on-threshold; the motion is
#: low-passed, so a 10 % fall is no ripple) ...
RELEASE_FALL = 0.9
#: ... or once the leg has been quiet for this many confirmation intervals (the walk stopped).
RELEASE_QUIET = 2


def new_state(
    level0: float, impact0: float, ring_size: int, jerk_lag: int
) -> tuple[np.ndarray, ...]:
    """Fresh state arrays: (istate, fstate, ring_jerk, ring_acc)."""
    istate = np.zeros(N_ISTATE, np.int64)
    istate[I_GROUP_START] = NO_IDX
    istate[I_LAST_END] = NO_IDX
    istate[I_PENDING_START] = NO_IDX
    istate[I_PENDING_END] = NO_IDX
    istate[I_LAST_IC] = NO_IDX
    istate[I_BOUT_START] = NO_IDX
    istate[I_BOUT_LAST] = NO_IDX
    istate[I_DROP_IDX] = NO_IDX
    istate[I_DIP_IDX] = NO_IDX
    istate[I_PROV_IDX] = NO_IDX
    istate[I_PROV_UNTIL] = NO_IDX
    istate[I_PROV_LAST_IC] = NO_IDX
    istate[I_LAST_MOTION] = NO_IDX
    fstate = np.zeros(N_FSTATE, np.float64)
    fstate[F_LEVEL] = level0
    fstate[F_IMPACT] = impact0
    fstate[F_AXIS : F_AXIS + 3] = 1.0 / np.sqrt(3.0)
    ring_jerk = np.zeros(ring_size, np.float64)
    ring_acc = np.zeros((max(1, jerk_lag), 3), np.float64)
    return istate, fstate, ring_jerk, ring_acc


def next_contact_min_idx(istate: np.ndarray, ip: np.ndarray) -> int:
    """A lower bound on the index of any contact ``detect_block`` has not returned yet.

    From the rules below: a swing's contact lies in its search window, which starts ``P_WINDOW``
    samples before the swing's end (or its impact) at the earliest and never before the swing
    group's start; a swing with a contact lasts ``P_MIN_SWING`` samples at least, and a swing still
    to end ends at the next sample or later. So a contact waiting for its window lies at or after
    the window's start; one of the current swing group (a swing under way, or a pause after which
    the group may go on) at or after ``max(g - P_WINDOW, group start + max(0, P_MIN_SWING -
    P_WINDOW))``; one of a swing not yet begun at or after ``g + max(0, P_MIN_SWING - P_WINDOW)``
    (``g``: the next sample's index). With ``P_FROM_DIP``, the search at the group's end may
    reach back to the group's dip, which lies after the group's start: the bound of the current
    group is then lowered to its dip. A contact waiting for a veto is at its own index.
    Isolated steps (with ``P_QUIET``) add their own bound,
    stated below. Plain Python: called once per block, not per sample.
    """
    g = int(istate[I_COUNT])
    young = max(0, int(ip[P_MIN_SWING]) - int(ip[P_WINDOW]))
    group_start = int(istate[I_GROUP_START])
    last_end = int(istate[I_LAST_END])
    # After a pause longer than P_GAP the next swing starts a new group; but a foot strike up to
    # P_RISE_HOLD after the group's dip may still end it (the contact of slow backward gait).
    dip = int(istate[I_DIP_IDX])
    rescue = dip != NO_IDX and g - dip <= int(ip[P_RISE_HOLD])
    group_over = (
        istate[I_ON] == 0 and last_end != NO_IDX and g - last_end > int(ip[P_GAP]) and not rescue
    )
    if group_start == NO_IDX or group_over:
        bound = g + young
    else:
        bound = max(g - int(ip[P_WINDOW]), group_start + young)
        if ip[P_FROM_DIP] != 0 and dip != NO_IDX:
            bound = min(bound, max(dip, group_start))
    pending = int(istate[I_PENDING_START])
    if pending != NO_IDX:
        bound = min(bound, pending)
    prov = int(istate[I_PROV_IDX])
    if prov != NO_IDX:
        bound = min(bound, prov)
    if ip[P_QUIET] > 0 and ip[P_HAS_GYRO] != 0:
        # An isolated step's contact lies in its bout, after its first P_BOUT_MIN samples (the
        # swing it ends) and at most P_WINDOW before the bout's last sample above the threshold
        # (which can only move on); a bout not yet begun starts at g or later. A bout that
        # already holds a contact has no isolated step.
        b_start = int(istate[I_BOUT_START])
        last_ic = int(istate[I_LAST_IC])
        if b_start == NO_IDX:
            bound = min(bound, g + int(ip[P_BOUT_MIN]))
        elif last_ic == NO_IDX or last_ic < b_start:
            first = max(b_start + int(ip[P_BOUT_MIN]), int(istate[I_BOUT_LAST]) - int(ip[P_WINDOW]))
            bound = min(bound, first)
    return max(0, bound)


@njit(cache=True, inline="always")
def _biquad(x: float, fp: np.ndarray, k: int, z: np.ndarray, j: int) -> float:
    # Direct form II transposed; coefficients fp[k:k+5] = b0, b1, b2, a1, a2.
    y = fp[k] * x + z[j]
    z[j] = fp[k + 1] * x - fp[k + 3] * y + z[j + 1]
    z[j + 1] = fp[k + 2] * x - fp[k + 4] * y
    return y


@njit(cache=True)
def _axis_ok(fstate: np.ndarray, need2: float) -> bool:
    """Has the swing so far turned fast enough about the dominant axis of recent swings?

    ``need2`` is the squared rate the swing's largest rate about that axis must reach. The axis is
    the principal eigenvector of the running, trace-normalised second-moment matrix of the
    low-passed angular rate of accepted swings, tracked by three power-iteration steps per swing;
    it is estimated from the data, so the test does not depend on how the sensor is mounted. In
    walking it is the mediolateral axis; a pivot on the spot turns about the vertical instead.
    Until a few swings have been seen (running trace < 0.5) every swing is accepted.
    """
    if fstate[F_MG] + fstate[F_MG + 1] + fstate[F_MG + 2] <= 0.0:
        return False
    return not _axis_known(fstate) or fstate[F_SPEAK] >= need2


@njit(cache=True, inline="always")
def _sense_of(pos: float, neg: float) -> float:
    """Sense of a rotation whose largest rates about the dominant axis were ``pos`` one way and
    ``neg`` the other, -1 to 1."""
    return (pos - neg) / (pos + neg) if pos + neg > 0.0 else 0.0


@njit(cache=True, inline="always")
def _track_sense(fstate: np.ndarray, pos: int, sw: float) -> None:
    """Extend the largest rates one way (slot ``pos``) and the other (``pos + 1``) by ``sw``."""
    if sw > fstate[pos]:
        fstate[pos] = sw
    elif -sw > fstate[pos + 1]:
        fstate[pos + 1] = -sw


@njit(cache=True, inline="always")
def _group_sense(fstate: np.ndarray) -> float:
    """Sense of the current group's rotation about the dominant axis, -1 to 1."""
    return _sense_of(fstate[F_SPOS], fstate[F_SNEG])


@njit(cache=True, inline="always")
def _learn_sense(fstate: np.ndarray, alpha: float, sense: float) -> None:
    """Fold the sense of a swing that ended with an impact into the running sense."""
    fstate[F_SIGN] = (1.0 - alpha) * fstate[F_SIGN] + alpha * sense


@njit(cache=True, inline="always")
def _capture_candidate(fstate: np.ndarray, peak2: float, small2: float) -> None:
    """Remember the group deciding a contact: peak motion, sense, running sense before it."""
    fstate[F_CAND_PEAK2] = peak2
    fstate[F_CAND_SMALL] = 1.0 if peak2 < small2 else 0.0
    fstate[F_CAND_SENSE] = _group_sense(fstate)
    fstate[F_CAND_SIGN0] = fstate[F_SIGN]


@njit(cache=True, inline="always")
def _sense_clear(fstate: np.ndarray, ratio: float) -> bool:
    """Is the sense test on (``ratio`` > 0) and the sense of recent swings clear (|sense| > 0.3)?"""
    return ratio > 0.0 and abs(fstate[F_SIGN]) > 0.3


@njit(cache=True)
def _against_sense(fstate: np.ndarray, ratio: float) -> bool:
    """Does the group turn against the clear sense of recent swings about the dominant axis
    (less than ``ratio`` x as fast with it as against it)?

    A shank's or foot's swing turns it one way about the mediolateral axis, and the rotations
    just before toe-off and after the contact turn it the other way; such a hump alone is no
    swing. The sense is learnt from swings that ended with an impact (it flips when the walker
    turns round to walk backwards); until the axis and the sense are clear, no group is against.
    """
    if not (_axis_known(fstate) and _sense_clear(fstate, ratio)):
        return False
    if fstate[F_SIGN] > 0.0:
        return fstate[F_SPOS] < ratio * fstate[F_SNEG]
    return fstate[F_SNEG] < ratio * fstate[F_SPOS]


@njit(cache=True, inline="always")
def _axis_known(fstate: np.ndarray) -> bool:
    """Have enough swings been seen to trust the dominant axis (running trace > 0.5)?"""
    return fstate[F_MR] + fstate[F_MR + 1] + fstate[F_MR + 2] > 0.5


@njit(cache=True)
def _axis_update(fstate: np.ndarray, alpha: float) -> None:
    """Fold an accepted swing's rotation into the running moments and re-estimate the axis."""
    m = fstate[F_MG : F_MG + 6]  # xx, yy, zz, xy, xz, yz
    r = fstate[F_MR : F_MR + 6]
    u = fstate[F_AXIS : F_AXIS + 3]
    tr = m[0] + m[1] + m[2]
    if tr > 0.0:
        for k in range(6):
            r[k] = (1.0 - alpha) * r[k] + alpha * m[k] / tr
        for _ in range(3):
            v0 = r[0] * u[0] + r[3] * u[1] + r[4] * u[2]
            v1 = r[3] * u[0] + r[1] * u[1] + r[5] * u[2]
            v2 = r[4] * u[0] + r[5] * u[1] + r[2] * u[2]
            nv = np.sqrt(v0 * v0 + v1 * v1 + v2 * v2)
            if nv > 0.0:
                u[0] = v0 / nv
                u[1] = v1 / nv
                u[2] = v2 / nv


@njit(cache=True, inline="always")
def _uses_axis(ip: np.ndarray, fp: np.ndarray) -> bool:
    """Do the axis and sense rules apply (a gyroscope, and ``Q_MIN_AXIS`` > 0)?"""
    return ip[P_HAS_GYRO] != 0 and fp[Q_MIN_AXIS] > 0.0


@njit(cache=True, inline="always")
def _waits_for_veto(fstate: np.ndarray, fp: np.ndarray) -> bool:
    """Must the candidate's contact wait for a veto (rule 8): a small swing, not clearly turning
    in the sense of recent swings?"""
    if fstate[F_CAND_SMALL] <= 0.0:
        return False
    return not (
        _axis_known(fstate)
        and _sense_clear(fstate, fp[Q_SIGN])
        and fstate[F_CAND_SIGN0] * fstate[F_CAND_SENSE] > 0.0
    )


@njit(cache=True, inline="always")
def _min_impact(fstate: np.ndarray, fp: np.ndarray, sense: float, use_axis: bool) -> float:
    """Weakest impact that ends a swing whose rotation about the dominant axis had ``sense``.

    A soft landing (slow walking, above all backward on the forefoot) barely jolts the leg. A
    swing that turned the leg clearly one way (|sense| >= Q_SOFT_SENSE), and not against the
    clear sense of recent swings, may end with an impact down to Q_SOFT_IMPACT; other groups
    (a stance's roll into standing, a pivot, a shuffle) turn both ways and need Q_MIN_IMPACT.
    """
    strong = fp[Q_MIN_IMPACT]
    if not use_axis or fp[Q_SOFT_SENSE] <= 0.0 or abs(sense) < fp[Q_SOFT_SENSE]:
        return strong
    if _sense_clear(fstate, fp[Q_SIGN]) and fstate[F_SIGN] * sense < 0.0:
        return strong
    return min(strong, fp[Q_SOFT_IMPACT])


@njit(cache=True, inline="always")
def _thresholds(level: float, fp: np.ndarray) -> tuple[float, float, float]:
    """Squared on- and off-thresholds of the motion signal and squared axis-rate threshold."""
    t_on = fp[Q_REL_ON] * level
    if t_on < fp[Q_ABS_ON]:
        t_on = fp[Q_ABS_ON]
    t_on2 = t_on * t_on
    return t_on2, fp[Q_OFF_RATIO] * fp[Q_OFF_RATIO] * t_on2, (fp[Q_MIN_AXIS] * level) ** 2


@njit(cache=True)
def _resolve(
    ring: np.ndarray,
    mask: int,
    start: int,
    stop: int,
    ip: np.ndarray,
    fp: np.ndarray,
    min_impact: float,
):
    """(contact index in [start, stop) or NO_IDX without a foot strike, largest squared jerk).

    The contact is the onset of the first jerk near the window's maximum; a maximum weaker than
    ``min_impact`` (a pivot or a shuffle ending without a strike) gives no contact.
    """
    best = -1.0
    for g in range(start, stop):
        v = ring[g & mask]
        if v > best:
            best = v
    if best < min_impact * min_impact:
        return NO_IDX, best
    # The ring holds squared jerks, so fractions are squared too.
    thr = fp[Q_FIRST_FRAC] * fp[Q_FIRST_FRAC] * best
    first = start
    for g in range(start, stop):
        if ring[g & mask] >= thr:
            first = g
            break
    onset_thr = fp[Q_ONSET_FRAC] * fp[Q_ONSET_FRAC] * ring[first & mask]
    s = first
    lo = max(start, first - ip[P_ONSET_BACK])
    while s > lo and ring[(s - 1) & mask] > onset_thr:
        s -= 1
    return s, best


@njit(cache=True)
def detect_block(
    acc: np.ndarray,
    gyr: np.ndarray,
    istate: np.ndarray,
    fstate: np.ndarray,
    ring_jerk: np.ndarray,
    ring_acc: np.ndarray,
    ip: np.ndarray,
    fp: np.ndarray,
    out_idx: np.ndarray,
) -> int:
    """Advance the detector over one block; write new contact indices to ``out_idx``; return count.

    ``acc`` is (n, 3) in m/s², ``gyr`` (n, 3) in deg/s (ignored when ``ip[P_HAS_GYRO] == 0``).
    """
    n = acc.shape[0]
    mask = ip[P_RING_MASK]
    lag = ip[P_JERK_LAG]
    has_gyro = ip[P_HAS_GYRO] != 0
    z = fstate[F_Z:]
    n_out = 0
    g = istate[I_COUNT]
    slot = g % lag
    on = istate[I_ON]
    group_start = istate[I_GROUP_START]
    last_end = istate[I_LAST_END]
    p_start = istate[I_PENDING_START]
    p_end = istate[I_PENDING_END]
    done = istate[I_DONE]
    impact = fstate[F_IMPACT]
    trig_frac = fp[Q_TRIGGER_FRAC]
    min_impact = fp[Q_MIN_IMPACT]
    peak = fstate[F_PEAK]
    level = fstate[F_LEVEL]
    abs_on = fp[Q_ABS_ON]
    alpha = fp[Q_LEVEL_ALPHA]
    use_axis = _uses_axis(ip, fp)
    use_bout = has_gyro and ip[P_QUIET] > 0
    abs_on2 = abs_on * abs_on
    bout_axis2 = fp[Q_BOUT_AXIS] * fp[Q_BOUT_AXIS]
    last_ic = istate[I_LAST_IC]
    last_motion = istate[I_LAST_MOTION]
    b_start = istate[I_BOUT_START]
    b_last = istate[I_BOUT_LAST]
    b_count = istate[I_BOUT_COUNT]
    b_axis2 = fstate[F_BOUT_AXIS]
    drop = istate[I_DROP_IDX]
    dip = istate[I_DIP_IDX]
    sdrop2 = fp[Q_TRIGGER_WIN_DROP] * fp[Q_TRIGGER_WIN_DROP]
    u0 = fstate[F_AXIS]
    u1 = fstate[F_AXIS + 1]
    u2 = fstate[F_AXIS + 2]
    t_on2, off2, axis2 = _thresholds(level, fp)
    drop2 = fp[Q_TRIGGER_DROP] * fp[Q_TRIGGER_DROP]
    rise2 = fp[Q_TRIGGER_RISE] * fp[Q_TRIGGER_RISE]
    prov = istate[I_PROV_IDX]
    prov_until = istate[I_PROV_UNTIL]
    verify = use_axis and ip[P_VERIFY] > 0
    veto2 = fp[Q_VERIFY_RATIO] * fp[Q_VERIFY_RATIO]
    below2 = fp[Q_VERIFY_BELOW] * fp[Q_VERIFY_BELOW]
    for i in range(n):
        ax = acc[i, 0]
        ay = acc[i, 1]
        az = acc[i, 2]
        # Jerk proxy: |a(t) - a(t - lag)|², squared to spare the square root.
        if g >= lag:
            dx = ax - ring_acc[slot, 0]
            dy = ay - ring_acc[slot, 1]
            dz = az - ring_acc[slot, 2]
            jerk = dx * dx + dy * dy + dz * dz
        else:
            jerk = 0.0
        ring_acc[slot, 0] = ax
        ring_acc[slot, 1] = ay
        ring_acc[slot, 2] = az
        slot += 1
        if slot == lag:
            slot = 0
        ring_jerk[g & mask] = jerk
        # Motion signal: norm of the low-passed angular rate, or of the band-passed acceleration.
        if has_gyro:
            x = _biquad(gyr[i, 0], fp, Q_B, z, 0)
            y = _biquad(gyr[i, 1], fp, Q_B, z, 2)
            w = _biquad(gyr[i, 2], fp, Q_B, z, 4)
        else:
            x = _biquad(_biquad(ax, fp, Q_B, z, 0), fp, Q_B + 5, z, 6)
            y = _biquad(_biquad(ay, fp, Q_B, z, 2), fp, Q_B + 5, z, 8)
            w = _biquad(_biquad(az, fp, Q_B, z, 4), fp, Q_B + 5, z, 10)
        e2 = x * x + y * y + w * w  # squared motion signal, compared with squared thresholds
        # A pause (standing) ends the walk: the next may go the other way, so the sense of its
        # swings is learnt afresh.
        if e2 > abs_on2:
            last_motion = g
        elif ip[P_SENSE_RESET] > 0 and g - last_motion == ip[P_SENSE_RESET]:
            fstate[F_SIGN] = 0.0
        sw = x * u0 + y * u1 + w * u2  # rate about the dominant axis (used with a gyroscope)
        sw2 = sw * sw
        # A contact waiting for a veto (rule 8 of AnkleStepDetector): the swing that follows a
        # pre-swing rotation (taken for a swing, its toe-off for a contact) turns faster than
        # that rotation did, usually the other way (in running, or from standing, its first
        # part may go on the same way); the stance after a real swing's contact turns the other
        # way more slowly than the swing, or not at all.
        if prov != NO_IDX:
            opp = -sw if fstate[F_PROV_SENSE] > 0.0 else sw
            if opp > fstate[F_PROV_OPP]:
                fstate[F_PROV_OPP] = opp
            fstate[F_PROV_QUIET] = fstate[F_PROV_QUIET] + 1.0 if e2 < abs_on2 else 0.0
            if sw2 >= veto2 * fstate[F_PROV_PEAK2]:
                fstate[F_SIGN] = fstate[F_PROV_SIGN0]
                _learn_sense(fstate, alpha, 1.0 if sw > 0.0 else -1.0)
                last_ic = istate[I_PROV_LAST_IC]
                prov = NO_IDX
            elif (
                g >= prov_until
                or (fstate[F_PROV_OPP] >= abs_on and opp <= RELEASE_FALL * fstate[F_PROV_OPP])
                or fstate[F_PROV_QUIET] >= RELEASE_QUIET * ip[P_CONFIRM]
            ):
                out_idx[n_out] = prov
                n_out += 1
                prov = NO_IDX
        # A contact waiting for its search window to fill.
        if p_end != NO_IDX and g + 1 >= p_end:
            mi = _min_impact(fstate, fp, fstate[F_CAND_SENSE], use_axis)
            c, best = _resolve(ring_jerk, mask, p_start, p_end, ip, fp, mi)
            if c != NO_IDX:
                if prov != NO_IDX:
                    out_idx[n_out] = prov
                    n_out += 1
                    prov = NO_IDX
                if verify and _waits_for_veto(fstate, fp):
                    prov = c
                    prov_until = g + ip[P_VERIFY]
                    istate[I_PROV_LAST_IC] = last_ic
                    fstate[F_PROV_PEAK2 : F_PROV_SIGN0 + 1] = fstate[
                        F_CAND_PEAK2 : F_CAND_SIGN0 + 1
                    ]
                    fstate[F_PROV_OPP] = 0.0
                    fstate[F_PROV_QUIET] = 0.0
                else:
                    out_idx[n_out] = c
                    n_out += 1
                last_ic = c
            # The impact level follows every searched swing end, found contact or not: soft
            # landings (slow backward walking) must be able to pull it down to their own level.
            impact = (1.0 - alpha) * impact + alpha * np.sqrt(best)
            p_start = NO_IDX
            p_end = NO_IDX
            if done == 2:
                done = 1
        # Isolated steps: a bout of motion above the absolute on-threshold (pauses shorter than
        # P_QUIET included) that turned the foot about the dominant axis but gave no contact
        # above, because it never reached the relative threshold (the small first or last step
        # of a walk, a step out of a turn). Once the foot has been quiet for P_QUIET, search
        # the bout's end as for a swing.
        if use_bout:
            if e2 > abs_on2:
                if b_start == NO_IDX:
                    b_start = g
                    b_count = 0
                    b_axis2 = 0.0
                    fstate[F_BPOS] = 0.0
                    fstate[F_BNEG] = 0.0
                b_last = g
                b_count += 1
                if sw2 > b_axis2:
                    b_axis2 = sw2
                _track_sense(fstate, F_BPOS, sw)
            elif b_start != NO_IDX and g - b_last >= ip[P_QUIET] and on == 0 and p_end == NO_IDX:
                if (
                    b_count >= ip[P_BOUT_MIN]
                    and (last_ic == NO_IDX or last_ic < b_start)
                    and (not _axis_known(fstate) or b_axis2 >= bout_axis2)
                ):
                    start = max(b_last - ip[P_WINDOW], b_start + ip[P_BOUT_MIN], g + 1 - mask)
                    sense = _sense_of(fstate[F_BPOS], fstate[F_BNEG])
                    mi = min(_min_impact(fstate, fp, sense, use_axis), fp[Q_BOUT_IMPACT])
                    c, best = _resolve(ring_jerk, mask, start, b_last + 1 + ip[P_LATE], ip, fp, mi)
                    if c != NO_IDX:
                        if prov != NO_IDX:  # keep the contacts in order
                            out_idx[n_out] = prov
                            n_out += 1
                            prov = NO_IDX
                        out_idx[n_out] = c
                        n_out += 1
                        last_ic = c
                b_start = NO_IDX
        if on == 0:
            if e2 > t_on2:
                on = 1
                if last_end == NO_IDX or g - last_end > ip[P_GAP]:
                    group_start = g
                    done = 0
                    peak = 0.0
                    drop = NO_IDX
                    dip = NO_IDX
                    for k in range(6):
                        fstate[F_MG + k] = 0.0
                    fstate[F_SPEAK] = 0.0
                    fstate[F_SPOS] = 0.0
                    fstate[F_SNEG] = 0.0
        else:
            if e2 > peak:
                peak = e2
                drop = NO_IDX
                dip = NO_IDX
            elif drop == NO_IDX and e2 < sdrop2 * peak:
                drop = g
            if use_axis:
                fstate[F_MG] += x * x
                fstate[F_MG + 1] += y * y
                fstate[F_MG + 2] += w * w
                fstate[F_MG + 3] += x * y
                fstate[F_MG + 4] += x * w
                fstate[F_MG + 5] += y * w
                if sw2 > fstate[F_SPEAK]:
                    fstate[F_SPEAK] = sw2
                _track_sense(fstate, F_SPOS, sw)
            if e2 < off2:
                on = 0
                last_end = g
                if (
                    group_start != NO_IDX
                    and g - group_start >= ip[P_MIN_SWING]
                    and (done == 1 or not use_axis or _axis_ok(fstate, axis2))
                    and (done == 1 or not use_axis or not _against_sense(fstate, fp[Q_SIGN]))
                ):
                    if done == 0:
                        _capture_candidate(fstate, peak, below2 * level * level)
                        # No impact ended the swing yet: search around the end of the swing,
                        # unless an impact still comes within the late window (below). If the
                        # motion dipped after the group's peak and rose again within the gap
                        # (slow backward gait: the shank's stance rotation follows the forefoot
                        # contact at once), the contact lies at that dip, before the window: the
                        # search starts there, but a swing after the last contact at the earliest
                        # (NO_IDX + P_MIN_SWING is still far below any index).
                        w0 = g - ip[P_WINDOW]
                        if ip[P_FROM_DIP] != 0 and dip != NO_IDX:
                            w0 = min(w0, max(dip, last_ic + ip[P_MIN_SWING]))
                        p_start = max(w0, group_start, g + 1 - mask)
                        p_end = g + 1 + ip[P_LATE]
                        done = 2
                    if use_axis:
                        _axis_update(fstate, alpha)
                        u0 = fstate[F_AXIS]
                        u1 = fstate[F_AXIS + 1]
                        u2 = fstate[F_AXIS + 2]
                    level = (1.0 - alpha) * level + alpha * np.sqrt(peak)
                    t_on2, off2, axis2 = _thresholds(level, fp)
                    group_start = NO_IDX
                    last_end = NO_IDX
        # A foot strike ending a long enough swing (or coming just after its end): decide a short
        # confirmation after it instead of waiting for the rotation to die down (this is what
        # keeps live latency low).
        if dip == NO_IDX and e2 <= drop2 * peak and peak > 0.0:
            dip = g
        if (
            trig_frac > 0.0
            and dip != NO_IDX
            and (e2 <= drop2 * peak or (e2 <= rise2 * peak and g - dip <= ip[P_RISE_HOLD]))
        ):
            trig = trig_frac * impact
            if trig < min_impact:
                trig = min_impact
            if jerk >= trig * trig:
                # Either way the window starts once the motion fell below Q_TRIGGER_WIN_DROP of
                # the swing's peak (I_DROP_IDX): a shank's mid-swing jerks are no foot strike.
                if done == 2:
                    done = 1
                    _learn_sense(fstate, alpha, fstate[F_CAND_SENSE])
                    p_start = max(g - ip[P_WINDOW], p_start, drop)
                    p_end = g + 1 + ip[P_CONFIRM]
                elif (
                    done == 0
                    and p_end == NO_IDX
                    and group_start != NO_IDX
                    and g - group_start >= ip[P_MIN_SWING]
                    and (
                        on == 1
                        or g - last_end <= ip[P_GAP]
                        or (
                            g - dip <= ip[P_RISE_HOLD]
                            and _sense_clear(fstate, fp[Q_SIGN])
                            and not _against_sense(fstate, fp[Q_SIGN])
                        )
                    )
                    and (not use_axis or _axis_ok(fstate, axis2))
                ):
                    done = 1
                    _capture_candidate(fstate, peak, below2 * level * level)
                    _learn_sense(fstate, alpha, _group_sense(fstate))
                    p_start = max(g - ip[P_WINDOW], group_start, g + 1 - mask, drop)
                    p_end = g + 1 + ip[P_CONFIRM]
        g += 1
    istate[I_COUNT] = g
    istate[I_ON] = on
    istate[I_GROUP_START] = group_start
    istate[I_LAST_END] = last_end
    istate[I_PENDING_START] = p_start
    istate[I_PENDING_END] = p_end
    istate[I_DONE] = done
    istate[I_LAST_IC] = last_ic
    istate[I_LAST_MOTION] = last_motion
    istate[I_BOUT_START] = b_start
    istate[I_BOUT_LAST] = b_last
    istate[I_BOUT_COUNT] = b_count
    istate[I_DROP_IDX] = drop
    istate[I_DIP_IDX] = dip
    istate[I_PROV_IDX] = prov
    istate[I_PROV_UNTIL] = prov_until
    fstate[F_BOUT_AXIS] = b_axis2
    fstate[F_IMPACT] = impact
    fstate[F_PEAK] = peak
    fstate[F_LEVEL] = level
    return n_out


@njit(cache=True)
def flush(
    istate: np.ndarray,
    fstate: np.ndarray,
    ring_jerk: np.ndarray,
    ip: np.ndarray,
    fp: np.ndarray,
    out_idx: np.ndarray,
) -> int:
    """End of stream: report a contact still waiting for a veto, and resolve one whose window
    was cut short by the end of the data (``out_idx`` holds two at least)."""
    n_out = 0
    if istate[I_PROV_IDX] != NO_IDX:
        out_idx[0] = istate[I_PROV_IDX]
        istate[I_PROV_IDX] = NO_IDX
        n_out = 1
    p_start = istate[I_PENDING_START]
    if p_start == NO_IDX:
        return n_out
    stop = istate[I_COUNT]
    istate[I_PENDING_START] = NO_IDX
    istate[I_PENDING_END] = NO_IDX
    if stop <= p_start:
        return n_out
    mi = _min_impact(fstate, fp, fstate[F_CAND_SENSE], _uses_axis(ip, fp))
    c, _ = _resolve(ring_jerk, ip[P_RING_MASK], p_start, stop, ip, fp, mi)
    if c == NO_IDX:
        return n_out
    out_idx[n_out] = c
    istate[I_LAST_IC] = c
    return n_out + 1
