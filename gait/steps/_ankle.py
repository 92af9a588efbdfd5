"""AnkleStepDetector: streaming contact detection for an ankle (shank) or foot IMU."""

from __future__ import annotations

import math

import numpy as np

from gait.consts import MAX_SAMPLING_RATE_HZ, MIN_SAMPLING_RATE_HZ
from gait.steps._other_foot import OtherFootPredictor
from gait.steps.base import BaseStepDetector, StepTable
from gait.types import SampleBlock


def _biquad_coefficients(kind: str, cutoff_hz: float, sampling_rate_hz: float) -> np.ndarray:
    """(b0, b1, b2, a1, a2) of a 2nd-order Butterworth section (bilinear transform, prewarped;
    the same coefficients as ``scipy.signal.butter(2, ...)``, without importing scipy.signal)."""
    fc = min(cutoff_hz, 0.45 * sampling_rate_hz)
    k = math.tan(math.pi * fc / sampling_rate_hz)
    norm = 1.0 / (1.0 + math.sqrt(2.0) * k + k * k)
    a1 = 2.0 * (k * k - 1.0) * norm
    a2 = (1.0 - math.sqrt(2.0) * k + k * k) * norm
    if kind == "lowpass":
        b0 = k * k * norm
        return np.array([b0, 2.0 * b0, b0, a1, a2], dtype=np.float64)
    if kind == "highpass":
        return np.array([norm, -2.0 * norm, norm, a1, a2], dtype=np.float64)
    raise ValueError(f"unknown filter kind {kind!r}")


class AnkleStepDetector(BaseStepDetector):
    """Initial and final contacts of the instrumented foot, and estimates for the other foot.

    A contact is where a swing's rotation ends, with or without an impact. With a gyroscope
    (one causal pass, ``gait/_kernels/_steps.py``; any mounting, either leg, shank or foot):

    1. Swing axis: the angular rate, low-passed at ``lowpass_hz``, is projected on the principal
       axis of its running second moments (time constant ``axis_tau_s`` of motion): the
       mediolateral axis, about which walking turns a shank or a foot. ``w`` is that rate.
    2. Lobes: a lobe is a run of ``w`` of one sign, from its zero crossing or, if the segment
       rested in between, from where ``w`` left a gyroscope's noise (5 deg/s): a first step
       from standing does not count the standing as its swing's duration. When motion resumes
       after a rest (``quiet_s``) turning the way the last lobe did, that is a new lobe (a
       first step in the sense of the last one before the rest); so is the rate leaving that
       noise again the way an ended lobe turned (a swing after a small rotation its own way,
       such as a shift of weight before a first step). Its rotation has ended
       (``Z``) when ``w`` falls below ``end_frac`` of its peak. A lobe is a swing candidate if
       its peak reaches max(``abs_on_dps``, ``rel_on`` x the running level of swing peaks), it
       lasted ``min_swing_s``-``max_swing_s`` (or ``fast_swing_s`` or more if it turned the
       segment through ``fast_swing_deg``: a running swing; never more than ``max_swing_deg``)
       and began ``min_stance_s`` or more after the last contact (a landing's own rotation is no
       swing).
    3. Swing sense: the swing is the rotation after which the segment turns little (it lands and
       stands); a push-off or pre-swing rotation is followed by the swing. The mean |w| from
       ``post_s[0]`` to ``post_s[1]`` after ``Z``, relative to the lobe's peak, is averaged per
       sign (weight ``sense_alpha`` x the lobe's excursion, so the small first rotation of a
       start teaches little); the sign with the lower ratio is the swing sense. It flips
       when the walker turns round. Until a sense is known, a lobe turning the segment 1.2 times
       further than the candidate before it is taken for the swing.
    4. Contact, one per swing. Heel first, the ground stops the swing: the contact is at ``Z``,
       or at the onset of a sharp impact (the acceleration changing ``impact_ratio`` times
       faster than it did over the swing) up to ``back_s`` before it. Forefoot first (backward
       walking), the foot is placed while the leg already turns back: the contact is at the
       reversal after ``Z`` (``w``'s extreme the other way, confirmed once it has risen back by
       ``rev_rise``, or ``rev_max_s`` after ``Z``), where the ground stops that rotation. Only a
       turn the other way (beyond 5 deg/s, a gyroscope's noise, and a fifth of the swing's peak:
       a foot placed while the leg turns back turns it at 0.4-1 of the swing's rate, a foot
       settling after a last step at under 0.1) is a reversal: a swing that eases off and
       speeds up again in its own sense has not reversed, and without such a turn back the
       reversal is ``Z`` itself. Which one: where the
       acceleration norm peaks between ``Z`` and the reversal (the ground stopping the foot);
       within ``heel_s`` of ``Z``, heel first; a later peak only if it rises above the lowest
       acceleration since ``Z`` by a tenth of the acceleration's range over the swing (an
       accelerometer averaged on board leaves only the swing's own acceleration trailing off
       there, no landing). An impact by ``heel_s`` decides at once. The
       accelerometer only places a contact: it never decides whether there is one.
    5. Isolated steps: a bout of motion (angular-rate norm above ``abs_on_dps``, pauses shorter
       than ``quiet_s`` included) that ends in rest without a contact, spent ``isolated_min_s``
       above the threshold and had a lobe of a swing's duration turning at
       ``isolated_axis_dps``, is a step (a small first or last step, a turn step): it landed
       where its last large lobe did (as in 4.), or ``settle_s`` before its motion ended. The
       bout waits for a swing-candidate lobe that began in it and is still undecided (in the
       swing sense, or any while the sense is unknown): a slow swing's rate falls below
       ``abs_on_dps`` 20-70 ms before its rotation has died away, so a slow walker's every
       step and a first step from standing end their bout with their swing still open. Such a
       swing, if heel first, landed where its rate fell fastest below half its peak, before
       ``Z`` (the ground stops it; after a last step the segment may keep turning slowly as the
       walker settles, and ``Z`` comes 0.1-0.2 s after the contact; a fall nearer the peak is
       the leg braking its own swing).
    6. Final contact (toe-off, ``fc_t_s``): the extreme of the rate the other way within
       ``fc_back_s`` before the swing lobe began (push-off or pre-swing peaks as the toe leaves).

    Contacts come out in time order, final once placed; with an impact about 40 ms after the
    contact, without one after the reversal (~0.1 s), before the sense is known after their
    lobe's after-window. The rotation before a swing (of the other sense) holds it up only
    until the part of its after-window measured so far shows it is no swing: its after-ratio
    only grows, so once that part keeps the sense, the rest of the window cannot change it.
    Known limit: a leg swung to and fro while seated turns like a step and is counted as one (no
    landing can be told from the kinematics alone).
    Without a gyroscope: one contact per burst of the norm of the band-passed acceleration
    (``acc_band_hz``; on above max(``abs_on_acc_ms2``, ``acc_rel_on`` x the running level of
    burst peaks), off below ``acc_off_ratio`` of that and of the burst's own peak, bursts closer
    than ``acc_gap_s`` merged, at least ``min_swing_s``): the onset (``onset_frac`` of the
    largest) of the largest acceleration change over ``jerk_lag_s`` from ``acc_window_s`` before
    the burst's end to ``acc_late_s`` after it. The other foot (``estimate_other_foot``): half a
    stride after each contact when the stride is plausible (``stride_range_s``).

    Why these values (physical, in s, deg/s and m/s², so 50-1000 Hz work alike; the timing
    figures are from the real mocap walker ``../shared/datasets/mocap_snu`` and the IPOL foot
    recordings' development subjects): ``lowpass_hz`` 6: a swing lobe is a 1-3 Hz half-cycle.
    ``abs_on_dps`` 50: the slowest walking swings exceed 100 deg/s, standing sway a few.
    ``rel_on`` 0.3: small first and last steps still count. ``min_swing_s`` 0.2, ``max_swing_s``
    1.0: real swing lobes last 0.28-0.38 s (5th percentile to median), a foot flattening after
    a heel strike about 0.15 s, a turn on the spot longer than 1 s. ``fast_swing_s`` 0.1,
    ``fast_swing_deg`` 45: a running swing's forward rotation is short (0.15-0.2 s in the
    simulator's running at 2.5-3.5 m/s: the knee flexes in early swing, so the shank turns
    forward only in the second half of a 0.35-0.5 s swing phase) but through as large an angle
    as a walking swing (70-80 deg; the real walker's swings 50-90 deg); the short lobes that
    are no swing (a foot flattening, a wiggle) turn far less: allowing them changed no IPOL
    contact and one of the mocap walker's 394 forward contacts, a 4000 deg/s lobe at the start
    of a clip (an edge artefact of the virtual IMU) until ``max_swing_deg`` 180 was set: no
    swing turns a shank or a foot through half a turn (50-120 deg). ``min_stance_s`` 0.15: no
    stance is shorter. ``end_frac`` 0.1: a slow step's foot keeps turning a little after
    landing. ``post_s`` (0.15, 0.45): the mean after-ratio is 0.03-0.32 after real swings and
    0.45-0.78 after the rotations before them (medians, foot to backward shank).
    ``sense_alpha`` 0.7: the sense follows the last swings, so a walk in the other direction
    after standing (a retro-walking session alternates) is learnt within its first stride
    (the bundled demo: two contacts of its backward walk reported after 0.34-0.36 s, at 0.3
    five after 0.34-0.48 s and one false contact; IPOL and the mocap walker lose no contact).
    ``impact_ratio`` 10: a heel strike on a real sensor
    changes the acceleration 10-30 times faster than the swing did; a smoothed or virtual
    sensor's landing 3-4 times (placed by the kinematics instead).
    ``heel_s`` 0.07 and ``back_s`` 0.1: heel first the acceleration peaks within 40 ms of ``Z``
    (real walker); a forefoot placement 80-130 ms after it or later (real and simulated
    backward walking), at the contact; compared as a time, not a rounded number of samples (at
    50 Hz, 70 ms once rounded to 80 and slow backward landings 80 ms after ``Z`` went to
    ``Z``). ``rev_rise`` 0.1, ``rev_max_s`` 0.3: the reversal follows ``Z`` by 0.05-0.2 s;
    10 % is no ripple of a 6 Hz signal. ``quiet_s`` 0.2,
    ``isolated_min_s`` 0.15, ``isolated_axis_dps`` 80: a step lifts and pitches the foot at over
    80 deg/s for longer than a wiggle; ``settle_s`` 0.1: the rotation after a landing stays above
    50 deg/s for about 0.1 s. ``fc_back_s`` 0.3: push-off peaks within 0.3 s before the swing.
    ``axis_tau_s`` 2: a few strides.
    """

    def __init__(
        self,
        *,
        lowpass_hz: float = 6.0,
        abs_on_dps: float = 50.0,
        rel_on: float = 0.3,
        level_alpha: float = 0.2,
        min_swing_s: float = 0.2,
        max_swing_s: float = 1.0,
        fast_swing_s: float = 0.1,
        fast_swing_deg: float = 45.0,
        max_swing_deg: float = 180.0,
        axis_tau_s: float = 2.0,
        post_s: tuple[float, float] = (0.15, 0.45),
        sense_alpha: float = 0.7,
        rev_max_s: float = 0.3,
        rev_rise: float = 0.1,
        back_s: float = 0.1,
        heel_s: float = 0.07,
        onset_frac: float = 0.5,
        fc_back_s: float = 0.3,
        min_stance_s: float = 0.15,
        quiet_s: float = 0.2,
        isolated_min_s: float = 0.15,
        settle_s: float = 0.1,
        isolated_axis_dps: float = 80.0,
        end_frac: float = 0.1,
        impact_ratio: float = 10.0,
        acc_band_hz: tuple[float, float] = (2.0, 6.0),
        abs_on_acc_ms2: float = 3.0,
        acc_rel_on: float = 0.25,
        acc_off_ratio: float = 0.4,
        acc_gap_s: float = 0.12,
        acc_window_s: float = 0.5,
        acc_late_s: float = 0.08,
        jerk_lag_s: float = 0.02,
        estimate_other_foot: bool = True,
        stride_range_s: tuple[float, float] = (0.6, 2.5),
    ) -> None:
        self.lowpass_hz = lowpass_hz
        self.abs_on_dps = abs_on_dps
        self.rel_on = rel_on
        self.level_alpha = level_alpha
        self.min_swing_s = min_swing_s
        self.max_swing_s = max_swing_s
        self.fast_swing_s = fast_swing_s
        self.fast_swing_deg = fast_swing_deg
        self.max_swing_deg = max_swing_deg
        self.axis_tau_s = axis_tau_s
        self.post_s = post_s
        self.sense_alpha = sense_alpha
        self.rev_max_s = rev_max_s
        self.rev_rise = rev_rise
        self.back_s = back_s
        self.heel_s = heel_s
        self.onset_frac = onset_frac
        self.fc_back_s = fc_back_s
        self.min_stance_s = min_stance_s
        self.quiet_s = quiet_s
        self.isolated_min_s = isolated_min_s
        self.settle_s = settle_s
        self.isolated_axis_dps = isolated_axis_dps
        self.end_frac = end_frac
        self.impact_ratio = impact_ratio
        self.acc_band_hz = acc_band_hz
        self.abs_on_acc_ms2 = abs_on_acc_ms2
        self.acc_rel_on = acc_rel_on
        self.acc_off_ratio = acc_off_ratio
        self.acc_gap_s = acc_gap_s
        self.acc_window_s = acc_window_s
        self.acc_late_s = acc_late_s
        self.jerk_lag_s = jerk_lag_s
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
                f"{MIN_SAMPLING_RATE_HZ * 0.8:g}-{MAX_SAMPLING_RATE_HZ * 1.25:g} Hz (built for "
                f"{MIN_SAMPLING_RATE_HZ:g}-{MAX_SAMPLING_RATE_HZ:g} Hz; "
                "gait.resample.to_detector_rate brings a session into it)"
            )
        d = detector
        self._k = k
        self.sampling_rate_hz = fs
        self.has_gyro = has_gyro

        def n(seconds: float) -> int:
            return max(1, round(seconds * fs))

        ip = np.zeros(k.N_IPARAM, np.int64)
        ip[k.P_HAS_GYRO] = int(has_gyro)
        ip[k.P_MIN_SWING] = n(d.min_swing_s)
        ip[k.P_MAX_SWING] = n(d.max_swing_s)
        ip[k.P_FAST_SWING] = n(d.fast_swing_s)
        ip[k.P_POST_LO] = n(d.post_s[0])
        ip[k.P_POST_HI] = n(d.post_s[1])
        ip[k.P_REV_MAX] = n(d.rev_max_s)
        ip[k.P_BACK] = n(d.back_s)
        ip[k.P_HEEL] = n(d.heel_s)
        ip[k.P_FC_BACK] = n(d.fc_back_s)
        ip[k.P_MIN_STANCE] = n(d.min_stance_s)
        # one power-iteration step of the axis every 40 ms of motion: the axis changes over
        # strides (moments with a time constant of axis_tau_s, 50 steps per constant), and the
        # same number of steps per second at any rate. Every 20 ms gave the same contacts
        # within a contact per matrix cell and cost 13 % of the kernel's time (its sqrt and
        # divisions sit on the chain each sample depends on).
        ip[k.P_AXIS_EVERY] = n(0.04)
        ip[k.P_QUIET] = n(d.quiet_s) if d.quiet_s > 0 else 0
        ip[k.P_BOUT_MIN] = n(d.isolated_min_s)
        ip[k.P_SETTLE] = n(d.settle_s)
        ip[k.P_JERK_LAG] = n(d.jerk_lag_s)
        ip[k.P_ACC_WINDOW] = n(d.acc_window_s)
        ip[k.P_ACC_LATE] = n(d.acc_late_s)
        ip[k.P_ACC_GAP] = n(d.acc_gap_s)
        if has_gyro:
            span = d.max_swing_s + d.fc_back_s + max(d.post_s[1], d.rev_max_s) + d.back_s
        else:
            span = d.acc_window_s + d.acc_late_s + d.acc_gap_s + d.jerk_lag_s
        ring = 1 << math.ceil(math.log2(span * fs + 8))
        ip[k.P_RING_MASK] = ring - 1
        fp = np.zeros(k.N_FPARAM, np.float64)
        fp[k.Q_ABS_ON] = d.abs_on_dps if has_gyro else d.abs_on_acc_ms2
        fp[k.Q_REL_ON] = d.rel_on if has_gyro else d.acc_rel_on
        fp[k.Q_LEVEL_ALPHA] = d.level_alpha
        fp[k.Q_AXIS_BETA] = 1.0 / (d.axis_tau_s * fs)
        fp[k.Q_SENSE_ALPHA] = d.sense_alpha
        fp[k.Q_REV_RISE] = d.rev_rise
        fp[k.Q_ONSET_FRAC] = d.onset_frac
        fp[k.Q_ACC_OFF] = d.acc_off_ratio
        fp[k.Q_BOUT_AXIS] = d.isolated_axis_dps
        fp[k.Q_END_FRAC] = d.end_frac
        fp[k.Q_IMPACT_RATIO] = d.impact_ratio
        fp[k.Q_FAST_EXC] = d.fast_swing_deg * fs
        fp[k.Q_MAX_EXC] = d.max_swing_deg * fs
        fp[k.Q_HEEL] = d.heel_s * fs
        if has_gyro:
            fp[k.Q_B : k.Q_B + 5] = _biquad_coefficients("lowpass", d.lowpass_hz, fs)
        else:
            fp[k.Q_B : k.Q_B + 5] = _biquad_coefficients("highpass", d.acc_band_hz[0], fs)
            fp[k.Q_B + 5 : k.Q_B + 10] = _biquad_coefficients("lowpass", d.acc_band_hz[1], fs)
        # Initial swing level: a typical walking swing peak (deg/s) or acceleration burst (m/s²).
        level0 = 4.0 * fp[k.Q_ABS_ON]
        self._ip, self._fp = ip, fp
        self._istate, self._fstate, self._ring, self._rec_i, self._rec_f = k.new_state(level0, ring)
        self._mask = ring - 1
        # Times of the last samples of earlier blocks: a contact or toe-off can lie a ring back.
        self._tail_t = np.zeros(0, np.float64)
        # toe-off times of the contacts returned by the kernel and not yet passed on, in order
        self._fc_pending = np.zeros(0, np.float64)
        self._other_foot = OtherFootPredictor(*d.stride_range_s) if d.estimate_other_foot else None

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
        k = self._k
        g0 = self.n_samples_seen
        acc = np.ascontiguousarray(block.acc_ms2, dtype=np.float64)
        out_ic = np.empty(n // 2 + 2, np.int64)
        out_fc = np.empty(n // 2 + 2, np.int64)  # the gyroscope kernel writes each contact's
        if self.has_gyro:
            gyr = np.ascontiguousarray(block.gyr_dps, dtype=np.float64)
            m = k.detect_block(
                acc, gyr, self._istate, self._fstate, self._ring, self._rec_i, self._rec_f,
                self._ip, self._fp, out_ic, out_fc,
            )  # fmt: skip
        else:
            m = k.detect_block_acc(
                acc, self._istate, self._fstate, self._ring, self._ip, self._fp, out_ic
            )
            out_fc[:m] = k.NO_IDX
        ic_idx = out_ic[:m]
        t_out = self._times(ic_idx, self._tail_t, block.t_s, g0)
        self._remember_fc(ic_idx, out_fc[:m], self._tail_t, block.t_s, g0)
        keep = min(n, self._mask + 1)
        self._tail_t = np.concatenate([self._tail_t, block.t_s[-keep:]])[-(self._mask + 1) :]
        return self._with_other_foot(ic_idx, t_out, final=False)

    def kernel_state(self) -> tuple[np.ndarray, ...]:
        """The arrays the kernel takes after the samples: state, ring, records and parameters."""
        return (
            self._istate,
            self._fstate,
            self._ring,
            self._rec_i,
            self._rec_f,
            self._ip,
            self._fp,
        )

    def finish(self) -> StepTable:
        """End of stream: a swing whose reversal the stream cut off still gets its contact."""
        k = self._k
        m = 0
        out_ic = np.empty(k.CAP, np.int64)
        out_fc = np.full(k.CAP, k.NO_IDX, np.int64)
        if self.has_gyro:
            m = k.flush(
                self._istate, self._fstate, self._ring, self._rec_i, self._rec_f,
                self._ip, self._fp, out_ic, out_fc,
            )  # fmt: skip
        g = self.n_samples_seen
        empty = np.zeros(0, np.float64)
        t = self._times(out_ic[:m], self._tail_t, empty, g)
        self._remember_fc(out_ic[:m], out_fc[:m], self._tail_t, empty, g)
        return self._with_other_foot(out_ic[:m], t, final=True)

    @staticmethod
    def _times(idx: np.ndarray, tail_t: np.ndarray, block_t: np.ndarray, g0: int) -> np.ndarray:
        """Times of samples at global indices ``idx``: the block's own from ``g0`` on, the
        kept tail of earlier blocks before it (no copy of the block's times)."""
        if idx.size == 0:
            return np.zeros(0, np.float64)
        rel = idx - g0
        new = rel >= 0
        t = np.empty(idx.size, np.float64)
        t[new] = block_t[rel[new]]
        t[~new] = tail_t[rel[~new] + tail_t.size]
        return t

    def _remember_fc(
        self, ic_idx: np.ndarray, fc_idx: np.ndarray, tail_t: np.ndarray, block_t: np.ndarray,
        g0: int,
    ) -> None:  # fmt: skip
        """Queue the toe-off times of the contacts just returned (NaN where unknown)."""
        if ic_idx.size == 0:
            return
        rel = fc_idx - g0
        ok = (fc_idx != self._k.NO_IDX) & (rel >= -tail_t.size) & (rel < block_t.size)
        t = np.full(ic_idx.size, np.nan)
        t[ok] = self._times(fc_idx[ok], tail_t, block_t, g0)
        self._fc_pending = np.concatenate([self._fc_pending, t])

    def next_contact_min_idx(self) -> int:
        """A lower bound on the index of any instrumented contact not yet returned.

        Stated by the kernel (``gait._kernels._steps.next_contact_min_idx``); the test
        ``test_next_contact_bound_holds`` checks it on real data, sample by sample.
        """
        return self._k.next_contact_min_idx(self._istate, self._rec_i, self._ip)

    def _with_other_foot(self, ic_idx: np.ndarray, t_s: np.ndarray, *, final: bool) -> StepTable:
        """Merge the other foot's estimated contacts into the instrumented ones (time order)."""
        if self._other_foot is None:
            table = StepTable(ic_idx.astype(np.int64), t_s, np.ones(len(ic_idx), bool))
        else:
            g = self.n_samples_seen
            t_now = float(self._tail_t[-1]) if self._tail_t.size else -math.inf
            if final:
                table = self._other_foot.finish(ic_idx, t_s, t_now=t_now)
            else:
                # No contact still to come lies before the bound's sample; in samples not yet
                # seen, it lies after t_now.
                h = self.next_contact_min_idx()
                if h >= g:
                    t_min = math.nextafter(t_now, math.inf)
                else:
                    t_min = float(self._tail_t[h - g]) if g - h <= self._tail_t.size else -math.inf
                table = self._other_foot.update(ic_idx, t_s, t_now=t_now, next_contact_min_t=t_min)
        # the instrumented rows are the kernel's contacts, in the order they were returned
        fc = np.full(len(table), np.nan)
        k = int(np.count_nonzero(table.instrumented))
        fc[table.instrumented] = self._fc_pending[:k]
        self._fc_pending = self._fc_pending[k:]
        return StepTable(table.ic_idx, table.t_s, table.instrumented, fc)
