"""The gait protocol end to end in Python: encoder -> bytes (cut anywhere, corrupted) -> decoder."""

from __future__ import annotations

import numpy as np
import pytest
from _wire import blocks_of, feed_chunked
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_bridge.codecs import PROTOCOLS, Gap, make_decoder, make_encoder
from firmware_bridge.framing import frame_packet
from firmware_bridge.protocol import (
    MAX_PENDING_SAMPLES,
    DeviceInfo,
    GaitDecoder,
    GaitEncoder,
    ProtocolError,
    encode_device_info,
    encode_samples,
    encode_samples_payload,
)
from gait.consts import GRAVITY_MS2
from gait.errors import GaitError
from gait.types import SampleBlock

ACC_Q = 0.5 * GRAVITY_MS2 / 2048 + 1e-9  # half an LSB at ±16 g
GYR_Q = 0.5 * 2000 / 32768 + 1e-9  # half an LSB at ±2000 deg/s


def make_block(
    rng: np.random.Generator,
    n: int,
    rate: float,
    t0: float,
    *,
    jitter: float = 0.0,
    has_gyro: bool = True,
    acc_max: float = 15 * GRAVITY_MS2,
    gyr_max: float = 1900.0,
) -> SampleBlock:
    steps = (1.0 + jitter * rng.uniform(-1, 1, n)) / rate
    t = t0 + np.concatenate([[0.0], np.cumsum(steps[1:])])
    return SampleBlock(
        t_s=t,
        acc_ms2=rng.uniform(-acc_max, acc_max, (n, 3)),
        gyr_dps=rng.uniform(-gyr_max, gyr_max, (n, 3)) if has_gyro else None,
        sampling_rate_hz=rate,
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 400),
    rate=st.sampled_from([50.0, 100.0, 104.0, 200.0, 1000.0]),
    t0=st.one_of(st.just(0.0), st.floats(0, 4294.0), st.just(4294.967296 - 0.3)),
    spf=st.integers(1, 20),
    jitter=st.sampled_from([0.0, 0.0, 0.2]),
    has_gyro=st.booleans(),
)
def test_round_trip_any_chunking(seed, n, rate, t0, spf, jitter, has_gyro) -> None:
    rng = np.random.default_rng(seed)
    block = make_block(rng, n, rate, t0, jitter=jitter, has_gyro=has_gyro)
    enc = make_encoder("gait", sampling_rate_hz=rate, has_gyro=has_gyro, samples_per_frame=spf)
    half = n // 2
    wire = enc.start() + enc.encode(block.slice(0, half)) + enc.encode(block.slice(half, n))
    dec = make_decoder("gait")
    events = feed_chunked(dec, wire, rng)
    assert not any(isinstance(e, Gap) for e in events)
    got = blocks_of(events)
    assert got.n_samples == n
    # Device time survives to the µs, including across the u32 wrap at 4294.967296 s.
    np.testing.assert_allclose(got.t_s, block.t_s, atol=0.6e-6, rtol=0)
    np.testing.assert_allclose(got.acc_ms2, block.acc_ms2, atol=ACC_Q, rtol=0)
    if has_gyro:
        np.testing.assert_allclose(got.gyr_dps, block.gyr_dps, atol=GYR_Q, rtol=0)
    else:
        assert got.gyr_dps is None
    assert got.sampling_rate_hz == pytest.approx(rate)
    s = dec.stats
    assert (s.crc_errors, s.framing_errors, s.seq_gaps, s.samples_lost) == (0, 0, 0, 0)
    assert dec.device_info is not None and dec.device_info.has_gyro == has_gyro


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_hits=st.integers(1, 12),
    spf=st.sampled_from([1, 3]),
)
def test_random_corruption_is_counted_and_recovered(seed, n_hits, spf) -> None:
    rng = np.random.default_rng(seed)
    rate = 100.0
    block = make_block(rng, 300, rate, 1.0)
    enc = GaitEncoder(sampling_rate_hz=rate, samples_per_frame=spf)
    pieces = [enc.start()]
    # Encode frame by frame to know where each samples frame sits in the byte stream.
    regions: list[tuple[int, int, int]] = []  # (first byte incl. preceding 0x00, last byte, seq)
    pos = len(pieces[0])
    for i in range(0, 300, spf):
        wire = enc.encode(block.slice(i, i + spf))
        # A device-info frame may precede the samples frame in this piece.
        start = wire.rfind(b"\x00", 0, len(wire) - 1) + 1
        regions.append((pos + start - 1, pos + len(wire) - 1, i))
        pieces.append(wire)
        pos += len(wire)
    wire = bytearray(b"".join(pieces))
    hit = sorted(rng.choice(len(wire), size=n_hits, replace=False).tolist())
    dropped = set()
    for p in hit:
        if rng.random() < 0.7:
            wire[p] ^= 1 << int(rng.integers(0, 8))
        else:
            dropped.add(p)
    corrupted = bytes(b for i, b in enumerate(wire) if i not in dropped)
    dec = GaitDecoder()
    events = feed_chunked(dec, corrupted, rng, max_chunk=50)  # must never raise
    s = dec.stats
    touched = [any(a <= p <= b for p in hit) for a, b, _ in regions]
    if dec.device_info is None:
        return  # every device-info frame was hit: samples are held, nothing to compare
    got = blocks_of(events) if any(isinstance(e, SampleBlock) for e in events) else None
    decoded_idx = [] if got is None else np.rint((got.t_s - 1.0) * rate).astype(int).tolist()
    # Every frame whose bytes (and preceding delimiter) were not touched is decoded.
    for (_, _, i), bad in zip(regions, touched, strict=True):
        if not bad:
            assert i in decoded_idx
    # Whatever was decoded is right (the CRC lets no damaged sample through).
    if got is not None:
        np.testing.assert_allclose(got.acc_ms2, block.acc_ms2[decoded_idx], atol=ACC_Q, rtol=0)
        # Lost samples between decoded ones are reported exactly by the sequence numbers.
        gaps = [e for e in events if isinstance(e, Gap)]
        assert sum(g.n_missing for g in gaps) == decoded_idx[-1] - decoded_idx[0] + 1 - len(
            decoded_idx
        )
        assert s.samples_lost == sum(g.n_missing for g in gaps)
    n_bad_frames = sum(touched)
    if n_bad_frames:
        assert s.crc_errors + s.framing_errors + s.bytes_skipped > 0


def test_saturation_clips_to_int16() -> None:
    block = SampleBlock(
        t_s=np.array([0.0, 0.01]),
        acc_ms2=np.array([[20 * GRAVITY_MS2, -20 * GRAVITY_MS2, 0.0], [1.0, 2.0, 3.0]]),
        gyr_dps=np.array([[2500.0, -2500.0, 0.0], [0.0, 0.0, 0.0]]),
        sampling_rate_hz=100.0,
    )
    enc = GaitEncoder(sampling_rate_hz=100.0)
    dec = GaitDecoder()
    got = blocks_of(dec.feed(enc.start() + enc.encode(block)))
    assert enc.n_clipped == 4
    assert got.acc_ms2[0, 0] == pytest.approx(32767 / 2048 * GRAVITY_MS2)
    assert got.acc_ms2[0, 1] == pytest.approx(-32768 / 2048 * GRAVITY_MS2)
    assert got.gyr_dps[0, 0] == pytest.approx(32767 / 32768 * 2000, rel=1e-6)
    assert got.gyr_dps[0, 1] == pytest.approx(-2000, rel=1e-6)
    np.testing.assert_allclose(got.acc_ms2[1], [1.0, 2.0, 3.0], atol=ACC_Q)


def test_samples_before_device_info_are_held_then_converted() -> None:
    counts = np.array([[2048, 0, 0, 164, 0, 0]])
    frames = b"".join(encode_samples(s, 10_000 * s, 10_000, counts) for s in range(10))
    info = DeviceInfo(acc_lsb_per_g=2048.0, gyr_lsb_per_dps=16.4, sampling_rate_hz=100.0)
    dec = GaitDecoder()
    assert dec.feed(frames) == []  # no scale factors yet: nothing is guessed
    events = dec.feed(encode_device_info(10, 100_000, info))
    got = blocks_of(events)
    assert got.n_samples == 10
    np.testing.assert_allclose(got.acc_ms2[:, 0], GRAVITY_MS2)
    np.testing.assert_allclose(got.gyr_dps[:, 0], 164 / np.float32(16.4), rtol=1e-6)


def test_held_samples_are_bounded_and_the_overflow_is_reported() -> None:
    counts = np.zeros((20, 6), dtype=np.int16)
    n_frames = MAX_PENDING_SAMPLES // 20 + 50  # 1000 samples too many
    wire = b"".join(encode_samples(20 * i, 20 * i * 1000, 1000, counts) for i in range(n_frames))
    dec = GaitDecoder()
    assert dec.feed(wire) == []
    events = dec.feed(encode_device_info(0, 0, DeviceInfo(sampling_rate_hz=1000.0)))
    assert isinstance(events[0], Gap) and events[0].n_missing == 1000
    assert events[0].t_s_start == 0.0 and events[0].t_s_end == pytest.approx(1.0)
    assert blocks_of(events).n_samples == MAX_PENDING_SAMPLES
    assert dec.stats.samples_lost == 1000


def test_device_restart_rebases_the_clock() -> None:
    rng = np.random.default_rng(1)
    first = make_block(rng, 100, 100.0, 10.0)
    second = make_block(rng, 100, 100.0, 0.0)
    enc1, enc2 = GaitEncoder(sampling_rate_hz=100.0), GaitEncoder(sampling_rate_hz=100.0)
    dec = GaitDecoder()
    events = dec.feed(enc1.start() + enc1.encode(first) + enc2.start() + enc2.encode(second))
    gaps = [e for e in events if isinstance(e, Gap)]
    assert len(gaps) == 1 and gaps[0].n_missing == 0
    assert dec.stats.device_restarts == 1
    got = blocks_of(events)
    assert np.all(np.diff(got.t_s) > 0)
    np.testing.assert_allclose(got.t_s[100:] - got.t_s[100], second.t_s - second.t_s[0], atol=1e-6)
    assert got.t_s[100] == pytest.approx(first.t_s[-1] + 0.01, abs=1e-6)


def test_unknown_and_malformed_messages_are_counted_not_fatal() -> None:
    enc = GaitEncoder(sampling_rate_hz=100.0)
    block = make_block(np.random.default_rng(2), 5, 100.0, 0.0)
    future = frame_packet(b"\x21" + bytes(20))  # protocol version 2
    bad_len = frame_packet(encode_samples_payload(5, 50_000, 10_000, np.zeros((2, 6)))[:-2])
    dec = GaitDecoder()
    events = dec.feed(enc.start() + future + bad_len + enc.encode(block))
    assert blocks_of(events).n_samples == 5
    assert dec.stats.frames_ignored == 1 and dec.stats.framing_errors == 1


def test_irregular_times_with_multi_sample_frames_stay_exact() -> None:
    t = np.array([0.0, 0.01, 0.02, 0.0301, 0.04, 0.05, 0.06, 0.0700005, 0.08])
    block = SampleBlock(t, np.zeros((9, 3)), np.zeros((9, 3)), 100.0)
    enc = GaitEncoder(sampling_rate_hz=100.0, samples_per_frame=4)
    got = blocks_of(GaitDecoder().feed(enc.start() + enc.encode(block)))
    np.testing.assert_allclose(got.t_s, t, atol=0.6e-6, rtol=0)


def test_factory_errors_are_gait_errors() -> None:
    assert PROTOCOLS == ("gait", "csv", "witmotion")
    with pytest.raises(GaitError, match="unknown protocol 'nmea'"):
        make_decoder("nmea")
    with pytest.raises(GaitError, match="sampling_rate_hz"):
        make_decoder("witmotion")
    with pytest.raises(ProtocolError, match="samples_per_frame"):
        make_encoder("gait", sampling_rate_hz=100.0, samples_per_frame=21)
    with pytest.raises(ProtocolError, match="negative"):
        GaitEncoder(sampling_rate_hz=100.0).encode(
            SampleBlock(np.array([-1.0]), np.zeros((1, 3)), np.zeros((1, 3)), 100.0)
        )


def test_time_hint_lets_a_new_decoder_continue_a_wrapped_clock() -> None:
    rng = np.random.default_rng(3)
    block = make_block(rng, 50, 100.0, 5000.0)  # beyond 2**32 µs = 4294.967296 s
    enc = GaitEncoder(sampling_rate_hz=100.0)
    wire = enc.start() + enc.encode(block)
    plain = blocks_of(make_decoder("gait").feed(wire))
    np.testing.assert_allclose(plain.t_s, block.t_s - 4294.967296, atol=1e-6)  # first epoch
    hinted = blocks_of(make_decoder("gait", device_time_hint_s=4999.0).feed(wire))
    np.testing.assert_allclose(hinted.t_s, block.t_s, atol=1e-6)


def test_finish_counts_samples_that_never_got_device_info() -> None:
    dec = GaitDecoder()
    counts = np.zeros((3, 6), dtype=np.int16)
    assert (
        dec.feed(encode_samples(0, 0, 1000, counts) + encode_samples(3, 3000, 1000, counts)) == []
    )
    assert dec.finish() == []
    assert dec.stats.samples_lost == 6
