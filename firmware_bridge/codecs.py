"""One interface over every wire protocol: bytes <-> canonical ``SampleBlock``s (pure, no I/O).

>>> enc = make_encoder("gait", sampling_rate_hz=100.0)
>>> dec = make_decoder("gait")
>>> events = dec.feed(enc.start() + enc.encode(block))  # doctest: +SKIP

Decoders return, in stream order, ``SampleBlock``s (t_s in seconds on the device clock, acc m/s²,
gyr deg/s) and :class:`Gap` events; they never raise on bad bytes, they count them in ``stats``.
"""

from __future__ import annotations

from typing import Protocol

from firmware_bridge.csvlines import CSV_PRESETS, CsvDecoder, CsvEncoder, CsvProfile
from firmware_bridge.protocol import DeviceInfo, GaitDecoder, GaitEncoder, ProtocolError
from firmware_bridge.samples import DecoderStats, Gap
from firmware_bridge.witmotion import WitMotionDecoder, WitMotionEncoder
from gait.types import SampleBlock

__all__ = [
    "CSV_PRESETS",
    "PROTOCOLS",
    "ByteDecoder",
    "ByteEncoder",
    "CsvProfile",
    "DecoderStats",
    "DeviceInfo",
    "Gap",
    "ProtocolError",
    "make_decoder",
    "make_encoder",
]

PROTOCOLS = ("gait", "csv", "witmotion")


class ByteDecoder(Protocol):
    """Incremental decoder: feed any chunk of bytes, get what it completes."""

    stats: DecoderStats
    #: Latest device-info message (gait protocol), else None.
    device_info: DeviceInfo | None

    def feed(self, data: bytes) -> list[SampleBlock | Gap]: ...

    def finish(self) -> list[SampleBlock | Gap]:
        """End of stream: whatever the decoder still holds, converted or counted as lost."""
        ...


class ByteEncoder(Protocol):
    """What a device sends: ``start()`` at connect, then ``encode(block)`` for each block."""

    def start(self) -> bytes: ...

    def encode(self, block: SampleBlock) -> bytes: ...


def _check_protocol(protocol: str) -> None:
    if protocol not in PROTOCOLS:
        raise ProtocolError(
            f"unknown protocol '{protocol}': expected one of {', '.join(PROTOCOLS)}"
        )


def make_decoder(
    protocol: str,
    *,
    profile: CsvProfile | str | None = None,
    sampling_rate_hz: float | None = None,
    device_time_hint_s: float | None = None,
) -> ByteDecoder:
    """A fresh decoder for ``protocol`` (one of :data:`PROTOCOLS`).

    ``profile`` (a :class:`CsvProfile` or a preset name, default ``"gait"``) applies to ``csv``.
    ``sampling_rate_hz`` is required for ``witmotion`` (its packets carry no clock), optional for
    ``csv`` (estimated from the time column if omitted) and unused by ``gait`` (the device info
    states it). ``device_time_hint_s`` (``gait`` only; e.g. the last ``t_s`` seen before a
    reconnect) lets a new decoder continue a device clock that has passed 2³² µs (71.6 min).
    """
    _check_protocol(protocol)
    if protocol == "gait":
        return GaitDecoder(device_time_hint_s=device_time_hint_s)
    if protocol == "witmotion":
        if sampling_rate_hz is None:
            raise ProtocolError(
                "protocol 'witmotion' needs sampling_rate_hz: its packets carry no timestamps"
            )
        return WitMotionDecoder(sampling_rate_hz=sampling_rate_hz)
    return CsvDecoder(profile=CsvProfile.resolve(profile), sampling_rate_hz=sampling_rate_hz)


def make_encoder(
    protocol: str,
    *,
    sampling_rate_hz: float,
    has_gyro: bool = True,
    profile: CsvProfile | str | None = None,
    samples_per_frame: int = 1,
) -> ByteEncoder:
    """A fresh encoder producing what a device speaking ``protocol`` would send.

    ``samples_per_frame`` applies to ``gait`` (1..20), ``profile`` to ``csv``.
    """
    _check_protocol(protocol)
    if not sampling_rate_hz > 0:
        raise ProtocolError(f"sampling_rate_hz must be positive, got {sampling_rate_hz}")
    if protocol == "gait":
        return GaitEncoder(
            sampling_rate_hz=sampling_rate_hz,
            has_gyro=has_gyro,
            samples_per_frame=samples_per_frame,
        )
    if protocol == "witmotion":
        return WitMotionEncoder(has_gyro=has_gyro)
    return CsvEncoder(profile=CsvProfile.resolve(profile), has_gyro=has_gyro)
