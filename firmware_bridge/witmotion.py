"""WitMotion "WIT standard protocol" (``0x55``, 11-byte packets) over UART / Bluetooth SPP.

Pure code, no I/O. A packet is ``0x55, type, 4 × int16 LE, checksum`` where the checksum is the low
byte of the sum of the first 10 bytes (WitMotion WT901 datasheet; official SDK
``WITMOTION/WitStandardProtocol_JY901``). Scalings: acceleration ``raw/32768*16`` g, angular rate
``raw/32768*2000`` deg/s, angle ``raw/32768*180`` deg; temperature ``raw/100`` °C on the WT901 and
``raw/340+36.53`` °C on MPU-6050-based models (BWT61CL/JY61).

**Timing.** These packets carry no device clock. Sample ``i`` (counting every sample received
or known to be lost since the decoder started) gets ``t_s = i / sampling_rate_hz``, the nominal
rate configured on the device. Lost samples are estimated from broken groups and skipped bytes.

Not for the BLE models (WT901BLECL, BWT901BLE5.0): they send 20-byte ``0x55 0x61`` packets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_bridge.samples import BlockAssembler, DecoderStats, Gap
from gait.consts import GRAVITY_MS2
from gait.types import SampleBlock

__all__ = [
    "ACC_RANGE_G",
    "ANGLE_RANGE_DEG",
    "GYR_RANGE_DPS",
    "PACKET_LEN",
    "TYPE_ACC",
    "TYPE_ANGLE",
    "TYPE_GYRO",
    "WitMotionDecoder",
    "WitMotionEncoder",
    "packet",
    "parse_packet",
]

HEADER = 0x55
PACKET_LEN = 11
TYPE_TIME = 0x50
TYPE_ACC = 0x51
TYPE_GYRO = 0x52
TYPE_ANGLE = 0x53
TYPE_MAG = 0x54
#: Type bytes outside this range are rejected (fewer false syncs than the checksum alone).
TYPE_MIN, TYPE_MAX = 0x50, 0x5F
ACC_RANGE_G = 16.0
GYR_RANGE_DPS = 2000.0
ANGLE_RANGE_DEG = 180.0
FULL_SCALE = 32768.0

#: Temperature conversion per model family: ``raw * scale + offset`` in °C.
TEMPERATURE_MODELS: dict[str, tuple[float, float]] = {
    "wt901": (1 / 100.0, 0.0),
    "mpu6050": (1 / 340.0, 36.53),  # BWT61CL / JY61 (MPU-6050 datasheet formula)
}


def packet(kind: int, values: tuple[int, int, int, int]) -> bytes:
    """One 11-byte packet of type ``kind`` carrying four int16 values (clipped)."""
    body = bytes([HEADER, kind]) + np.clip(values, -32768, 32767).astype("<i2").tobytes()
    return body + bytes([sum(body) & 0xFF])


def parse_packet(data: bytes) -> tuple[int, tuple[int, int, int, int]]:
    """``(type, four int16 values)`` of one checked packet; raises ValueError if it is invalid."""
    if len(data) != PACKET_LEN or data[0] != HEADER:
        raise ValueError("not an 11-byte packet starting with 0x55")
    if not TYPE_MIN <= data[1] <= TYPE_MAX:
        raise ValueError(f"type byte 0x{data[1]:02x} outside 0x50..0x5F")
    if sum(data[:10]) & 0xFF != data[10]:
        raise ValueError("checksum mismatch")
    v = np.frombuffer(data, dtype="<i2", offset=2, count=4)
    return data[1], (int(v[0]), int(v[1]), int(v[2]), int(v[3]))


class WitMotionDecoder:
    """Incremental WitMotion bytes -> ``SampleBlock``s (acc + gyro per sample) and ``Gap``s.

    Resynchronises byte by byte like the vendor SDK. A sample is the group of packets from one
    acceleration packet (``0x51``) to the next; the group layout is learnt from the first full
    group and a sample is emitted as soon as its group's last packet arrives. A group missing
    its acceleration or (if the device sends it) gyro packet is dropped and counted as lost.
    """

    def __init__(self, sampling_rate_hz: float, model: str = "wt901") -> None:
        if not sampling_rate_hz > 0:
            raise ValueError(f"sampling_rate_hz must be positive, got {sampling_rate_hz}")
        if model not in TEMPERATURE_MODELS:
            raise ValueError(f"unknown WitMotion model '{model}': {', '.join(TEMPERATURE_MODELS)}")
        self.sampling_rate_hz = float(sampling_rate_hz)
        self.model = model
        self.stats = DecoderStats()
        self.device_info = None
        #: Latest temperature (°C) and angles (roll, pitch, yaw in deg) seen, if any.
        self.temperature_c: float | None = None
        self.angle_deg: tuple[float, float, float] | None = None
        self._buf = b""
        self._synced = False
        self._group: dict[int, np.ndarray] = {}
        self._group_order: list[int] = []
        self._layout: tuple[int, ...] | None = None  # packet types of one group, in order
        self._orphan = False
        self._index = 0  # index of the next sample (received or lost)
        self._missing = 0  # lost samples not yet reported
        self._skipped_since_packet = 0
        self._last_t: float | None = None

    # -- byte level ----------------------------------------------------------------------------

    def _scan(self) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """Valid packets in the buffer: types (m,), values (m, 4), bytes skipped before each."""
        buf = self._buf
        n = len(buf)
        i = 0
        kinds: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        skips: list[int] = []
        skipped = self._skipped_since_packet
        stats = self.stats
        while n - i >= PACKET_LEN:
            m = (n - i) // PACKET_LEN
            rows = np.frombuffer(buf, dtype=np.uint8, count=m * PACKET_LEN, offset=i).reshape(
                m, PACKET_LEN
            )
            ok = (
                (rows[:, 0] == HEADER)
                & (rows[:, 1] >= TYPE_MIN)
                & (rows[:, 1] <= TYPE_MAX)
                & ((rows[:, :10].sum(axis=1, dtype=np.uint32) & 0xFF) == rows[:, 10])
            )
            n_ok = m if ok.all() else int(np.argmin(ok))
            if n_ok:
                good = rows[:n_ok]
                kinds.append(good[:, 1].copy())
                vals.append(good[:, 2:10].copy().view("<i2").reshape(n_ok, 4))
                skips.extend([skipped] + [0] * (n_ok - 1))
                skipped = 0
                self._synced = True
                i += n_ok * PACKET_LEN
                continue
            # Byte-wise resync, as the vendor SDK: drop one byte, look for the next header.
            if buf[i] == HEADER and TYPE_MIN <= buf[i + 1] <= TYPE_MAX:
                stats.crc_errors += 1
            j = buf.find(b"\x55", i + 1)
            j = n if j < 0 else j
            skipped += j - i
            i = j
        self._buf = buf[i:]
        self._skipped_since_packet = skipped
        if not kinds:
            return np.zeros(0, np.uint8), np.zeros((0, 4), np.int16), []
        return np.concatenate(kinds), np.concatenate(vals), skips

    # -- packet level ---------------------------------------------------------------------------

    def feed(self, data: bytes) -> list[SampleBlock | Gap]:
        self.stats.bytes_in += len(data)
        self._buf += bytes(data)
        if len(self._buf) < PACKET_LEN:
            return []
        kinds, vals, skips = self._scan()
        self.stats.frames_ok += len(kinds)
        asm = BlockAssembler()
        out_t: list[float] = []
        out_v: list[np.ndarray] = []
        for kind, row, skip in zip(kinds.tolist(), vals, skips, strict=True):
            if skip:
                self._lost_bytes(skip)
            if kind == TYPE_ACC:
                if self._group:
                    self._finish_group(asm, out_t, out_v)
                self._orphan = False
                self._group = {TYPE_ACC: row}
                self._group_order = [TYPE_ACC]
                continue
            if kind == TYPE_ANGLE:
                s = ANGLE_RANGE_DEG / FULL_SCALE
                self.angle_deg = (row[0] * s, row[1] * s, row[2] * s)
            if not self._group:
                if self._layout is None:
                    continue  # before the first acceleration packet
                if kind not in self._layout:
                    # The layout was learnt from a damaged group: this type belongs at its end.
                    self._layout = (*self._layout, kind)
                elif not self._orphan:
                    # A group whose acceleration packet was lost.
                    self._orphan = True
                    self._missing += 1
                continue
            if kind in self._group:  # repeated type: the next acceleration packet was lost
                self._finish_group(asm, out_t, out_v)
                self._orphan = True
                self._missing += 1
                continue
            self._group[kind] = row
            self._group_order.append(kind)
            if self._layout is not None and kind == self._layout[-1]:
                self._finish_group(asm, out_t, out_v)
        self._emit(asm, out_t, out_v)
        return asm.take()

    def finish(self) -> list[SampleBlock | Gap]:
        """End of stream: the last group, if complete, is emitted (its layout may be unknown)."""
        asm = BlockAssembler()
        out_t: list[float] = []
        out_v: list[np.ndarray] = []
        if self._group:
            self._finish_group(asm, out_t, out_v)
        self._emit(asm, out_t, out_v)
        if self._buf or self._skipped_since_packet:
            self.stats.bytes_skipped += len(self._buf) + self._skipped_since_packet
            self._buf, self._skipped_since_packet = b"", 0
        return asm.take()

    def _lost_bytes(self, n_bytes: int) -> None:
        self.stats.bytes_skipped += n_bytes
        if self._layout is not None:
            # Whole groups that vanished; partly damaged groups are counted when they close.
            self._missing += n_bytes // (PACKET_LEN * len(self._layout))

    def _finish_group(
        self, asm: BlockAssembler, out_t: list[float], out_v: list[np.ndarray]
    ) -> None:
        group, order = self._group, self._group_order
        self._group, self._group_order = {}, []
        if self._layout is None or not set(order) <= set(self._layout):
            # The first group seen from its acceleration packet on defines the layout; a group
            # with more packet types (the first one was damaged) replaces it.
            self._layout = tuple(order)
        needed = [TYPE_ACC] + ([TYPE_GYRO] if TYPE_GYRO in self._layout else [])
        if any(k not in group for k in needed):
            self._missing += 1
            return
        acc = group[TYPE_ACC]
        scale, offset = TEMPERATURE_MODELS[self.model]
        self.temperature_c = float(acc[3]) * scale + offset
        if self._missing:
            self._emit(asm, out_t, out_v)
            t_start = (
                self._last_t
                if self._last_t is not None
                else (self._index - 1) / self.sampling_rate_hz
            )
            self._index += self._missing
            self.stats.seq_gaps += 1
            self.stats.samples_lost += self._missing
            asm.gap(Gap(t_start, self._index / self.sampling_rate_hz, self._missing))
            self._missing = 0
        gyr = group.get(TYPE_GYRO)
        v = np.concatenate([acc[:3], gyr[:3]]) if gyr is not None else acc[:3]
        if out_v and out_v[-1].shape != v.shape:
            self._emit(asm, out_t, out_v)  # gyro appeared or vanished: start a new block
        t = self._index / self.sampling_rate_hz
        out_t.append(t)
        out_v.append(v)
        self._last_t = t
        self._index += 1

    def _emit(self, asm: BlockAssembler, out_t: list[float], out_v: list[np.ndarray]) -> None:
        if not out_t:
            return
        v = np.vstack(out_v).astype(np.float64)
        acc = v[:, :3] * (ACC_RANGE_G / FULL_SCALE * GRAVITY_MS2)
        gyr = v[:, 3:6] * (GYR_RANGE_DPS / FULL_SCALE) if v.shape[1] == 6 else None
        asm.add(np.array(out_t), acc, gyr, self.sampling_rate_hz)
        out_t.clear()
        out_v.clear()


@dataclass
class WitMotionEncoder:
    """``SampleBlock``s -> WitMotion packets: acc (0x51), gyro (0x52), angle (0x53) per sample.

    Angles are the accelerometer tilt (roll, pitch; yaw 0), enough for a realistic byte stream.
    Values beyond ±16 g / ±2000 deg/s are clipped (counted in ``n_clipped``). Sample times are
    not sent: the protocol has no clock.
    """

    has_gyro: bool = True
    temperature_c: float = 25.0
    n_clipped: int = 0

    def start(self) -> bytes:
        return b""

    def encode(self, block: SampleBlock) -> bytes:
        n = block.n_samples
        if n == 0:
            return b""
        acc_g = block.acc_ms2 / GRAVITY_MS2
        roll = np.degrees(np.arctan2(acc_g[:, 1], acc_g[:, 2]))
        pitch = np.degrees(np.arctan2(-acc_g[:, 0], np.hypot(acc_g[:, 1], acc_g[:, 2])))
        temp = np.full(n, round(self.temperature_c * 100))
        rows = [(TYPE_ACC, acc_g * (FULL_SCALE / ACC_RANGE_G), temp)]
        if self.has_gyro:
            if block.gyr_dps is None:
                raise ValueError("this encoder sends gyro data but the block has none")
            rows.append((TYPE_GYRO, block.gyr_dps * (FULL_SCALE / GYR_RANGE_DPS), temp))
        ang = np.column_stack([roll, pitch, np.zeros(n)]) * (FULL_SCALE / ANGLE_RANGE_DEG)
        rows.append((TYPE_ANGLE, ang, np.zeros(n)))
        out = np.empty((n, len(rows), PACKET_LEN), dtype=np.uint8)
        for j, (kind, xyz, last) in enumerate(rows):
            raw = np.rint(np.column_stack([xyz, last]))
            self.n_clipped += int(((raw < -32768) | (raw > 32767)).sum())
            vals = np.clip(raw, -32768, 32767).astype("<i2")
            out[:, j, 0] = HEADER
            out[:, j, 1] = kind
            out[:, j, 2:10] = vals.view(np.uint8).reshape(n, 8)
            out[:, j, 10] = out[:, j, :10].sum(axis=1, dtype=np.uint32) & 0xFF
        return out.tobytes()
