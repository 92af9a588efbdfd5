"""The gait wire protocol (version 1): messages, a frame decoder and byte encoder/decoder.

Pure code, no I/O. The byte layout is specified in ``firmware_bridge/PROTOCOL.md``; the C
reference encoder is ``firmware_bridge/firmware/gait_frame.c``. Layers:

* :func:`encode_samples` / :func:`encode_device_info` build framed wire bytes,
  :func:`parse_payload` reads one CRC-checked payload;
* :class:`FrameDecoder` turns a byte stream into frames, unwraps the u32 µs device clock and
  turns sequence-number jumps into :class:`~firmware_bridge.samples.Gap` events;
* :class:`GaitDecoder` / :class:`GaitEncoder` convert between frames and canonical
  :class:`~gait.types.SampleBlock`s (m/s², deg/s, device seconds).
"""

from __future__ import annotations

import math
import struct
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from firmware_bridge.framing import DELIMITER, Deframer, frame_packet
from firmware_bridge.samples import BlockAssembler, DecoderStats, Gap
from gait.consts import GRAVITY_MS2
from gait.errors import GaitError
from gait.types import SampleBlock

__all__ = [
    "MAX_SAMPLES_PER_FRAME",
    "MSG_DEVICE_INFO",
    "MSG_SAMPLES_ACC3",
    "MSG_SAMPLES_IMU6",
    "PROTOCOL_VERSION",
    "DeviceInfo",
    "DeviceInfoFrame",
    "FrameDecoder",
    "GaitDecoder",
    "GaitEncoder",
    "ProtocolError",
    "SampleFrame",
    "encode_device_info",
    "encode_device_info_payload",
    "encode_samples",
    "encode_samples_payload",
    "parse_payload",
]

PROTOCOL_VERSION = 1
#: First payload byte: high nibble = protocol version, low nibble = message type.
MSG_DEVICE_INFO = 0x11
MSG_SAMPLES_IMU6 = 0x12  # acc xyz + gyro xyz per sample
MSG_SAMPLES_ACC3 = 0x13  # acc xyz per sample (accelerometer-only sensors)
#: At most this many samples per frame, so that every frame fits one 255-byte COBS block.
MAX_SAMPLES_PER_FRAME = 20
MAX_TEXT_LEN = 32

U32 = 1 << 32
U32_MASK = U32 - 1
HALF_U32 = 1 << 31

_HEADER = struct.Struct("<BII")  # ver_type, seq, t_us
_SAMPLES_HEADER = struct.Struct("<BIIHB")  # + period_us, count
_INFO_BODY = struct.Struct("<ffHHfB")  # acc_lsb_per_g, gyr_lsb_per_dps, ranges, rate, flags
FLAG_HAS_GYRO = 0x01
_KNOWN = (MSG_DEVICE_INFO, MSG_SAMPLES_IMU6, MSG_SAMPLES_ACC3)


class ProtocolError(GaitError, ValueError):
    """A message, option or profile that breaks a wire protocol; the text says which field."""


@dataclass(frozen=True)
class DeviceInfo:
    """What a device says about itself; the scale factors turn raw counts into units.

    Float fields travel as float32; :meth:`as_sent` gives the values the receiver will see.
    """

    acc_lsb_per_g: float = 2048.0
    gyr_lsb_per_dps: float = 16.4
    acc_range_g: int = 16
    gyr_range_dps: int = 2000
    sampling_rate_hz: float = 100.0
    firmware_version: str = ""
    sensor_model: str = ""
    has_gyro: bool = True

    def as_sent(self) -> DeviceInfo:
        """This record after a float32 round trip (what a decoder reports)."""
        return parse_payload(encode_device_info_payload(0, 0, self)).info  # type: ignore[union-attr]


@dataclass(frozen=True, eq=False)
class SampleFrame:
    """One samples message: ``counts`` is int16 of shape (k, 6) (acc+gyro) or (k, 3) (acc).

    ``t_us`` is the wire value (u32) for the first sample; sample ``i`` was taken at
    ``t_us + i * period_us``. ``device_t_us`` is the host-unwrapped time of the first sample.
    """

    seq: int
    t_us: int
    period_us: int
    counts: np.ndarray
    device_t_us: int = -1

    @property
    def n_samples(self) -> int:
        return int(self.counts.shape[0])

    @property
    def has_gyro(self) -> bool:
        return self.counts.shape[1] == 6


@dataclass(frozen=True)
class DeviceInfoFrame:
    """A device-info message: ``seq`` is the sequence number of the next sample."""

    seq: int
    t_us: int
    info: DeviceInfo


Frame = SampleFrame | DeviceInfoFrame


def _text(value: str, name: str) -> bytes:
    raw = value.encode("utf-8")
    if len(raw) > MAX_TEXT_LEN:
        raise ProtocolError(f"device info field '{name}' is longer than {MAX_TEXT_LEN} bytes")
    return bytes([len(raw)]) + raw


def encode_device_info_payload(seq: int, t_us: int, info: DeviceInfo) -> bytes:
    """Unframed device-info payload."""
    flags = FLAG_HAS_GYRO if info.has_gyro else 0
    return (
        _HEADER.pack(MSG_DEVICE_INFO, seq & U32_MASK, t_us & U32_MASK)
        + _INFO_BODY.pack(
            info.acc_lsb_per_g,
            info.gyr_lsb_per_dps,
            int(info.acc_range_g),
            int(info.gyr_range_dps),
            info.sampling_rate_hz,
            flags,
        )
        + _text(info.firmware_version, "firmware_version")
        + _text(info.sensor_model, "sensor_model")
    )


def encode_samples_payload(seq: int, t_us: int, period_us: int, counts: np.ndarray) -> bytes:
    """Unframed samples payload; ``counts`` int16-convertible of shape (k, 6) or (k, 3)."""
    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[1] not in (3, 6):
        raise ProtocolError(f"sample counts must have shape (k, 6) or (k, 3), got {counts.shape}")
    k = counts.shape[0]
    if not 1 <= k <= MAX_SAMPLES_PER_FRAME:
        raise ProtocolError(f"a frame carries 1..{MAX_SAMPLES_PER_FRAME} samples, got {k}")
    if not 0 <= period_us <= 0xFFFF:
        raise ProtocolError(f"sample period {period_us} µs does not fit in u16")
    msg = MSG_SAMPLES_IMU6 if counts.shape[1] == 6 else MSG_SAMPLES_ACC3
    head = _SAMPLES_HEADER.pack(msg, seq & U32_MASK, t_us & U32_MASK, period_us, k)
    return head + counts.astype("<i2", copy=False).tobytes()


def encode_device_info(seq: int, t_us: int, info: DeviceInfo) -> bytes:
    """Wire bytes (COBS + CRC + delimiter) of a device-info message."""
    return frame_packet(encode_device_info_payload(seq, t_us, info))


def encode_samples(seq: int, t_us: int, period_us: int, counts: np.ndarray) -> bytes:
    """Wire bytes (COBS + CRC + delimiter) of a samples message."""
    return frame_packet(encode_samples_payload(seq, t_us, period_us, counts))


def _read_text(payload: bytes, pos: int, name: str) -> tuple[str, int]:
    if pos >= len(payload):
        raise ProtocolError(f"device info ends before field '{name}'")
    n = payload[pos]
    end = pos + 1 + n
    if end > len(payload) or n > MAX_TEXT_LEN:
        raise ProtocolError(f"device info field '{name}' has a bad length {n}")
    return payload[pos + 1 : end].decode("utf-8", errors="replace"), end


def parse_payload(payload: bytes) -> Frame:
    """Parse one CRC-checked payload; raises :class:`ProtocolError` if it is malformed."""
    if len(payload) < _HEADER.size:
        raise ProtocolError(f"payload of {len(payload)} bytes is shorter than the header")
    kind = payload[0]
    if kind in (MSG_SAMPLES_IMU6, MSG_SAMPLES_ACC3):
        if len(payload) < _SAMPLES_HEADER.size:
            raise ProtocolError("samples message shorter than its header")
        _, seq, t_us, period_us, k = _SAMPLES_HEADER.unpack_from(payload)
        n_axes = 6 if kind == MSG_SAMPLES_IMU6 else 3
        expected = _SAMPLES_HEADER.size + 2 * n_axes * k
        if k == 0 or len(payload) != expected:
            raise ProtocolError(
                f"samples message with count {k} should be {expected} bytes, got {len(payload)}"
            )
        counts = np.frombuffer(payload, dtype="<i2", offset=_SAMPLES_HEADER.size)
        return SampleFrame(seq, t_us, period_us, counts.reshape(k, n_axes), t_us)
    if kind == MSG_DEVICE_INFO:
        _, seq, t_us = _HEADER.unpack_from(payload)
        if len(payload) < _HEADER.size + _INFO_BODY.size:
            raise ProtocolError("device info message is truncated")
        acc_lsb, gyr_lsb, acc_range, gyr_range, rate, flags = _INFO_BODY.unpack_from(
            payload, _HEADER.size
        )
        pos = _HEADER.size + _INFO_BODY.size
        fw, pos = _read_text(payload, pos, "firmware_version")
        model, pos = _read_text(payload, pos, "sensor_model")
        has_gyro = bool(flags & FLAG_HAS_GYRO)
        if pos != len(payload):
            raise ProtocolError("device info message has trailing bytes")
        if not (math.isfinite(acc_lsb) and acc_lsb > 0):
            raise ProtocolError(f"device info acc_lsb_per_g must be positive, got {acc_lsb}")
        if has_gyro and not (math.isfinite(gyr_lsb) and gyr_lsb > 0):
            raise ProtocolError(f"device info gyr_lsb_per_dps must be positive, got {gyr_lsb}")
        if not (math.isfinite(rate) and rate > 0):
            raise ProtocolError(f"device info sampling_rate_hz must be positive, got {rate}")
        info = DeviceInfo(acc_lsb, gyr_lsb, acc_range, gyr_range, rate, fw, model, has_gyro)
        return DeviceInfoFrame(seq, t_us, info)
    raise ProtocolError(f"unknown message type 0x{kind:02x}")


@dataclass
class _Clock:
    """Host-side unwrapping of the u32 µs clock and the u32 sample sequence number."""

    prev_raw_t: int | None = None
    prev_t: int = 0  # unwrapped µs of the previous frame's first sample
    next_seq: int = 0
    last_sample_t: int = 0  # unwrapped µs of the last sample received
    last_period: int = 0


class FrameDecoder:
    """Incremental ``bytes -> [SampleFrame | DeviceInfoFrame | Gap]``; pure, never raises.

    * resynchronises at the next ``0x00`` after any corrupt frame (counted in ``stats``);
    * unwraps the u32 µs timestamp on the host: device time is the first frame's value, then
      advances by the u32 difference between frames; a jump of 2³¹ µs or more (time going
      backwards) or a sequence number going backwards is a device restart: the clock is re-based
      to continue one period after the last sample and a ``Gap(n_missing=0)`` is emitted;
    * a forward jump of the sample sequence number emits ``Gap(n_missing=jump)``. The sequence
      number counts samples, so the jump is exactly the number of samples lost. The first frame
      seen sets the baseline (a stream may be joined at any point).

    ``device_time_hint_s`` (e.g. the last device time seen before a reconnect) places the first
    frame's u32 timestamp in the 2³² µs epoch nearest to the hint instead of the first epoch, so a
    new decoder can continue a device clock that has already wrapped.
    """

    def __init__(
        self, stats: DecoderStats | None = None, *, device_time_hint_s: float | None = None
    ) -> None:
        self.stats = stats if stats is not None else DecoderStats()
        self._deframer = Deframer()
        self._clock = _Clock()
        self._hint_us = None if device_time_hint_s is None else round(device_time_hint_s * 1e6)

    def feed(self, data: bytes) -> list[Frame | Gap]:
        stats = self.stats
        stats.bytes_in += len(data)
        d = self._deframer
        payloads = d.feed(data)
        c = d.counts
        stats.crc_errors += c.crc_errors
        stats.framing_errors += c.framing_errors
        stats.bytes_skipped += c.bytes_skipped
        c.crc_errors = c.framing_errors = c.bytes_skipped = 0
        out: list[Frame | Gap] = []
        for payload in payloads:
            try:
                frame = parse_payload(payload)
            except ProtocolError:
                if payload[:1] and payload[0] in _KNOWN:
                    stats.framing_errors += 1
                else:
                    stats.frames_ignored += 1  # another version or a message type we do not know
                continue
            stats.frames_ok += 1
            if isinstance(frame, SampleFrame):
                gap = self._place(frame)
                frame = SampleFrame(
                    frame.seq, frame.t_us, frame.period_us, frame.counts, self._clock.prev_t
                )
                if gap is not None:
                    out.append(gap)
            out.append(frame)
        return out

    def _place(self, frame: SampleFrame) -> Gap | None:
        clk = self._clock
        k = frame.n_samples
        gap = None
        if clk.prev_raw_t is None:
            clk.prev_t = frame.t_us
            if self._hint_us is not None:
                clk.prev_t += U32 * max(0, round((self._hint_us - frame.t_us) / U32))
        else:
            dt = (frame.t_us - clk.prev_raw_t) & U32_MASK
            dseq = (frame.seq - clk.next_seq) & U32_MASK
            if dt >= HALF_U32 or dseq >= HALF_U32:
                self.stats.device_restarts += 1
                self.stats.seq_gaps += 1
                new_t = clk.last_sample_t + max(clk.last_period, frame.period_us, 1)
                gap = Gap(clk.last_sample_t / 1e6, new_t / 1e6, 0)
                clk.prev_t = new_t
            else:
                clk.prev_t += dt
                if dseq:
                    self.stats.seq_gaps += 1
                    self.stats.samples_lost += dseq
                    gap = Gap(clk.last_sample_t / 1e6, clk.prev_t / 1e6, dseq)
        clk.prev_raw_t = frame.t_us
        clk.next_seq = (frame.seq + k) & U32_MASK
        clk.last_sample_t = clk.prev_t + (k - 1) * frame.period_us
        if frame.period_us:
            clk.last_period = frame.period_us
        return gap


#: Samples held while waiting for the first device-info message (5 s at 1 kHz).
MAX_PENDING_SAMPLES = 5000


class GaitDecoder:
    """Gait protocol bytes -> canonical ``SampleBlock``s and ``Gap``s.

    Samples that arrive before any device-info message are held (up to
    :data:`MAX_PENDING_SAMPLES`) and converted once the device info arrives; if the bound is
    exceeded the oldest held samples are dropped, counted in ``samples_lost`` and reported as a Gap.
    Without device info there is no way to know the scale factors, so nothing is guessed.
    ``device_time_hint_s``: see :class:`FrameDecoder`.
    """

    def __init__(self, *, device_time_hint_s: float | None = None) -> None:
        self.stats = DecoderStats()
        self.device_info: DeviceInfo | None = None
        self._frames = FrameDecoder(self.stats, device_time_hint_s=device_time_hint_s)
        self._pending: deque[SampleFrame | Gap] = deque()
        self._n_pending = 0
        self._dropped: tuple[int, float | None] = (0, None)  # held samples dropped, first t_s

    def feed(self, data: bytes) -> list[SampleBlock | Gap]:
        events = self._frames.feed(data)
        if not events:
            return []
        asm = BlockAssembler()
        run: list[SampleFrame] = []
        for ev in events:
            if isinstance(ev, DeviceInfoFrame):
                self._flush(run, asm)
                self.device_info = ev.info
                self._release(run, asm)
            elif self.device_info is None:
                self._hold(ev)
            elif isinstance(ev, Gap):
                self._flush(run, asm)
                asm.gap(ev)
            else:
                run.append(ev)
        self._flush(run, asm)
        return asm.take()

    def finish(self) -> list[SampleBlock | Gap]:
        """End of stream: samples still held for lack of device info are counted as lost."""
        self.stats.samples_lost += self._n_pending
        self._pending.clear()
        self._n_pending = 0
        self._dropped = (0, None)
        return []

    def _hold(self, ev: SampleFrame | Gap) -> None:
        self._pending.append(ev)
        if isinstance(ev, SampleFrame):
            self._n_pending += ev.n_samples
        while self._n_pending > MAX_PENDING_SAMPLES:
            old = self._pending.popleft()
            if isinstance(old, SampleFrame):
                self._n_pending -= old.n_samples
                self.stats.samples_lost += old.n_samples
                n, t0 = self._dropped
                self._dropped = (n + old.n_samples, old.device_t_us / 1e6 if t0 is None else t0)
            else:  # a gap inside the dropped stretch becomes part of the one reported gap
                n, t0 = self._dropped
                self._dropped = (n + old.n_missing, old.t_s_start if t0 is None else t0)
                self.stats.seq_gaps -= 1

    def _release(self, run: list[SampleFrame], asm: BlockAssembler) -> None:
        """Device info arrived: convert what was held, reporting what the bound dropped."""
        n_dropped, t0 = self._dropped
        if n_dropped:
            nxt = next((f for f in self._pending if isinstance(f, SampleFrame)), None)
            t_end = nxt.device_t_us / 1e6 if nxt is not None else float(t0 or 0.0)
            asm.gap(Gap(float(t0 or 0.0), t_end, n_dropped))
            self.stats.seq_gaps += 1
            self._dropped = (0, None)
        while self._pending:
            held = self._pending.popleft()
            if isinstance(held, Gap):
                self._flush(run, asm)
                asm.gap(held)
            else:
                run.append(held)
        self._n_pending = 0

    def _flush(self, run: list[SampleFrame], asm: BlockAssembler) -> None:
        if not run:
            return
        info = self.device_info
        assert info is not None
        i = 0
        while i < len(run):
            # Split the run where the axis count changes.
            j = i + 1
            while j < len(run) and run[j].counts.shape[1] == run[i].counts.shape[1]:
                j += 1
            part = run[i:j]
            ks = np.array([f.n_samples for f in part], dtype=np.int64)
            t0 = np.array([f.device_t_us for f in part], dtype=np.int64)
            per = np.array([f.period_us for f in part], dtype=np.int64)
            counts = np.concatenate([f.counts for f in part]).astype(np.float64)
            starts = np.cumsum(ks) - ks
            idx = np.arange(int(ks.sum()), dtype=np.int64) - np.repeat(starts, ks)
            t_us = np.repeat(t0, ks) + idx * np.repeat(per, ks)
            acc = counts[:, :3] * (GRAVITY_MS2 / info.acc_lsb_per_g)
            gyr = None
            if counts.shape[1] == 6 and info.gyr_lsb_per_dps > 0:
                gyr = counts[:, 3:] / info.gyr_lsb_per_dps  # (no scale: the device has no gyro)
            asm.add(t_us / 1e6, acc, gyr, info.sampling_rate_hz)
            i = j
        run.clear()


@dataclass
class GaitEncoder:
    """Canonical ``SampleBlock``s -> gait protocol bytes (what the reference firmware sends).

    Sample times are rounded to whole µs and sent modulo 2³² (t_s must be ≥ 0). Consecutive
    samples share a frame (up to ``samples_per_frame``) only while their µs spacing is constant,
    so every sample's time survives exactly. Values beyond the int16 range are clipped
    (counted in ``n_clipped``). A device-info message goes out at ``start()``, before the first
    samples if ``start()`` was not called, and then every ``device_info_interval_s`` of device time.
    """

    sampling_rate_hz: float
    has_gyro: bool = True
    samples_per_frame: int = 1
    acc_range_g: int = 16
    gyr_range_dps: int = 2000
    firmware_version: str = "gait-emulator 1"
    sensor_model: str = "virtual"
    device_info_interval_s: float = 1.0
    n_clipped: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if not 1 <= self.samples_per_frame <= MAX_SAMPLES_PER_FRAME:
            raise ProtocolError(
                f"samples_per_frame must be 1..{MAX_SAMPLES_PER_FRAME}, "
                f"got {self.samples_per_frame}"
            )
        info = DeviceInfo(
            acc_lsb_per_g=32768.0 / self.acc_range_g,
            gyr_lsb_per_dps=32768.0 / self.gyr_range_dps if self.has_gyro else 0.0,
            acc_range_g=self.acc_range_g,
            gyr_range_dps=self.gyr_range_dps if self.has_gyro else 0,
            sampling_rate_hz=self.sampling_rate_hz,
            firmware_version=self.firmware_version,
            sensor_model=self.sensor_model,
            has_gyro=self.has_gyro,
        )
        self.info = info.as_sent()
        self._seq = 0
        self._t_us = 0  # unwrapped time of the last sample sent
        self._last_info_t: int | None = None
        self._period_us = max(1, min(0xFFFF, round(1e6 / self.sampling_rate_hz)))

    def start(self) -> bytes:
        """A delimiter (so a listening decoder syncs at once) and a device-info message."""
        self._last_info_t = self._t_us
        return DELIMITER + encode_device_info(self._seq, self._t_us, self.info)

    def counts(self, block: SampleBlock) -> np.ndarray:
        """Raw int16 counts (n, 6) or (n, 3) for ``block``, clipped to the int16 range."""
        scaled = [block.acc_ms2 * (self.info.acc_lsb_per_g / GRAVITY_MS2)]
        if self.has_gyro:
            if block.gyr_dps is None:
                raise ProtocolError("this encoder sends gyro data but the block has none")
            scaled.append(block.gyr_dps * self.info.gyr_lsb_per_dps)
        raw = np.rint(np.hstack(scaled))
        clipped = (raw < -32768) | (raw > 32767)
        self.n_clipped += int(clipped.sum())
        return np.clip(raw, -32768, 32767).astype(np.int16)

    def encode(self, block: SampleBlock) -> bytes:
        n = block.n_samples
        if n == 0:
            return b""
        counts = self.counts(block)
        t_us = np.rint(np.asarray(block.t_s, dtype=np.float64) * 1e6).astype(np.int64)
        if t_us[0] < 0:
            raise ProtocolError("the gait protocol cannot send negative device times")
        dt = np.diff(t_us)
        out = bytearray()
        interval_us = round(self.device_info_interval_s * 1e6)
        spf = self.samples_per_frame
        i = 0
        while i < n:
            t0 = int(t_us[i])
            if self._last_info_t is None or t0 - self._last_info_t >= interval_us:
                out += encode_device_info(self._seq, t0, self.info)
                self._last_info_t = t0
            k = 1
            period = self._period_us
            if spf > 1 and i + 1 < n and 0 < dt[i] <= 0xFFFF:
                period = int(dt[i])
                while k < spf and i + k < n and dt[i + k - 1] == period:
                    k += 1
            out += encode_samples(self._seq, t0, period, counts[i : i + k])
            self._seq = (self._seq + k) & U32_MASK
            self._t_us = int(t_us[i + k - 1])
            i += k
        return bytes(out)
