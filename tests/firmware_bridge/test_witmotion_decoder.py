"""WitMotion 0x55 packets: vendor vectors, grouping, byte-wise resync, loss estimates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from _wire import blocks_of, feed_chunked
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_bridge.codecs import Gap, make_decoder, make_encoder
from firmware_bridge.witmotion import (
    TYPE_ACC,
    TYPE_ANGLE,
    TYPE_GYRO,
    WitMotionDecoder,
    WitMotionEncoder,
    packet,
    parse_packet,
)
from gait.consts import GRAVITY_MS2
from gait.types import SampleBlock

VECTORS = json.loads((Path(__file__).parent / "vectors" / "witmotion.json").read_text())
PKT = {p["type"]: bytes.fromhex(p["hex"]) for p in VECTORS["packets"]}
ACC_Q = 0.5 * 16 / 32768 * GRAVITY_MS2 + 1e-9
GYR_Q = 0.5 * 2000 / 32768 + 1e-9


@pytest.mark.parametrize("vec", VECTORS["packets"], ids=lambda v: v["type"])
def test_vendor_vectors(vec: dict) -> None:
    kind, values = parse_packet(bytes.fromhex(vec["hex"]))
    full_scale = {TYPE_ACC: 16.0, TYPE_GYRO: 2000.0, TYPE_ANGLE: 180.0}[kind]
    got = [v / 32768 * full_scale for v in values[:3]]
    assert got == pytest.approx(vec["values"], abs=vec["tolerance"])
    if "temperature_c" in vec:
        assert values[3] / 100 == pytest.approx(vec["temperature_c"])
    assert packet(kind, values) == bytes.fromhex(vec["hex"])  # our checksum agrees


def test_vendor_group_decodes_to_one_sample_with_temperature_and_angles() -> None:
    dec = WitMotionDecoder(sampling_rate_hz=10.0)
    group = PKT["acc"] + PKT["gyro"] + PKT["angle"]
    events = dec.feed(b"\x13\x55\x51" + group + group)  # junk first, like joining mid-stream
    # The first group is emitted when the layout is known (at the next acc packet), the second
    # as soon as its last packet (the angle) arrives.
    got = blocks_of(events)
    assert got.n_samples == 2
    np.testing.assert_allclose(
        got.acc_ms2[0], np.array([0.1577, -0.4883, 0.8765]) * GRAVITY_MS2, atol=1e-3
    )
    np.testing.assert_allclose(got.gyr_dps, 0.0)
    np.testing.assert_allclose(got.t_s, [0.0, 0.1])
    assert dec.temperature_c == pytest.approx(35.99)
    assert dec.angle_deg == pytest.approx((-29.125, -8.937, -86.166), abs=1e-3)
    assert dec.stats.bytes_skipped == 3 and dec.stats.samples_lost == 0


def test_mpu6050_temperature_model() -> None:
    dec = WitMotionDecoder(sampling_rate_hz=10.0, model="mpu6050")
    acc = packet(TYPE_ACC, (0, 0, 2048, -340))
    dec.feed((acc + PKT["gyro"]) * 2)
    assert dec.temperature_c == pytest.approx(-1 + 36.53)


def test_type_bytes_outside_range_and_bad_checksums_are_rejected() -> None:
    fake = bytearray(PKT["acc"])
    fake[1] = 0x61  # BLE-style type: not a UART packet
    fake[10] = sum(fake[:10]) & 0xFF  # even with a matching checksum
    bad_sum = bytearray(PKT["gyro"])
    bad_sum[10] ^= 0xFF
    dec = WitMotionDecoder(sampling_rate_hz=100.0)
    dec.feed(bytes(fake) + bytes(bad_sum))
    assert dec.stats.frames_ok == 0
    assert dec.stats.crc_errors == 1  # the 0x52 packet with a wrong sum


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 300), has_gyro=st.booleans())
def test_round_trip_any_chunking(seed: int, n: int, has_gyro: bool) -> None:
    rng = np.random.default_rng(seed)
    rate = 200.0
    block = SampleBlock(
        t_s=np.arange(n) / rate,
        acc_ms2=rng.uniform(-15.9 * GRAVITY_MS2, 15.9 * GRAVITY_MS2, (n, 3)),
        gyr_dps=rng.uniform(-1990, 1990, (n, 3)) if has_gyro else None,
        sampling_rate_hz=rate,
    )
    enc = make_encoder("witmotion", sampling_rate_hz=rate, has_gyro=has_gyro)
    wire = enc.start() + enc.encode(block)
    dec = make_decoder("witmotion", sampling_rate_hz=rate)
    events = feed_chunked(dec, wire, rng, max_chunk=69)
    got = blocks_of(events)
    assert got.n_samples == n  # the last group closes on its angle packet, nothing is held back
    np.testing.assert_allclose(got.t_s, block.t_s)
    np.testing.assert_allclose(got.acc_ms2, block.acc_ms2, atol=ACC_Q, rtol=0)
    if has_gyro:
        np.testing.assert_allclose(got.gyr_dps, block.gyr_dps, atol=GYR_Q, rtol=0)
    else:
        assert got.gyr_dps is None
    assert dec.stats.samples_lost == dec.stats.bytes_skipped == 0


def make_stream(n: int, rate: float = 100.0) -> tuple[SampleBlock, bytes]:
    rng = np.random.default_rng(7)
    block = SampleBlock(
        np.arange(n) / rate, rng.normal(0, 20, (n, 3)), rng.normal(0, 200, (n, 3)), rate
    )
    return block, WitMotionEncoder().encode(block)


@pytest.mark.parametrize(
    ("where", "how"),
    [
        (0, "flip"),  # the acc packet of sample 10
        (11, "flip"),  # its gyro packet
        (22, "flip"),  # its angle packet: the sample survives
        (5, "drop_bytes"),  # a few bytes of the acc packet are lost
    ],
)
def test_losses_are_estimated_and_decoding_recovers(where: int, how: str) -> None:
    n, g = 40, 33  # 33 bytes per sample: acc + gyro + angle
    block, wire = make_stream(n)
    data = bytearray(wire)
    pos = 10 * g + where
    if how == "flip":
        data[pos + 3] ^= 0x10
    else:
        del data[pos : pos + 3]
    dec = WitMotionDecoder(sampling_rate_hz=100.0)
    events = dec.feed(bytes(data))
    got = blocks_of(events)
    gaps = [e for e in events if isinstance(e, Gap)]
    expect_lost = 0 if where == 22 else 1
    assert got.n_samples == n - expect_lost
    assert dec.stats.samples_lost == expect_lost
    assert sum(gap.n_missing for gap in gaps) == expect_lost
    if expect_lost:
        assert gaps[0].t_s_start == pytest.approx(0.09) and gaps[0].t_s_end == pytest.approx(0.11)
    # Every sample that came through sits at its own nominal time with its own values.
    idx = np.rint(got.t_s * 100).astype(int)
    np.testing.assert_allclose(got.acc_ms2, block.acc_ms2[idx], atol=ACC_Q, rtol=0)
    assert dec.stats.bytes_skipped > 0


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.binary(max_size=400), st.integers(1, 50))
def test_garbage_never_raises(junk: bytes, chunk: int) -> None:
    _, wire = make_stream(20)
    dec = WitMotionDecoder(sampling_rate_hz=100.0)
    data = junk + wire
    events: list = []
    for i in range(0, len(data), chunk):
        events += dec.feed(data[i : i + chunk])
    assert dec.stats.bytes_in == len(data)
    got = [e for e in events if isinstance(e, SampleBlock)]
    assert sum(b.n_samples for b in got) >= 18  # the clean tail comes through


def test_a_cleanly_missing_group_is_invisible() -> None:
    """Documented limit: no clock and no sequence number, so a group that vanishes on exact
    packet boundaries leaves no trace; later samples move one period earlier."""
    block, wire = make_stream(40)
    data = wire[: 10 * 33] + wire[11 * 33 :]
    dec = WitMotionDecoder(sampling_rate_hz=100.0)
    got = blocks_of(dec.feed(data))
    assert got.n_samples == 39 and dec.stats.samples_lost == 0
    np.testing.assert_allclose(got.acc_ms2[10], block.acc_ms2[11], atol=ACC_Q, rtol=0)
    assert got.t_s[10] == pytest.approx(0.10)


def test_finish_emits_a_lone_group() -> None:
    dec = WitMotionDecoder(sampling_rate_hz=50.0)
    assert dec.feed(PKT["acc"] + PKT["gyro"] + PKT["angle"] + b"\x55\x51") == []
    got = blocks_of(dec.finish())
    assert got.n_samples == 1 and got.gyr_dps is not None
    assert dec.stats.bytes_skipped == 2


@pytest.mark.parametrize("damaged", [11, 22], ids=["gyro", "angle"])
def test_layout_learnt_from_a_damaged_first_group_is_repaired(damaged: int) -> None:
    block, wire = make_stream(30)
    data = bytearray(wire)
    data[damaged + 4] ^= 0x01  # break one packet of the first group
    dec = WitMotionDecoder(sampling_rate_hz=100.0)
    events = dec.feed(bytes(data))
    blocks = [e for e in events if isinstance(e, SampleBlock)]
    assert sum(b.n_samples for b in blocks) == 30
    assert dec.stats.samples_lost == 0
    assert blocks[-1].gyr_dps is not None and blocks[-1].n_samples >= 29
    np.testing.assert_allclose(
        blocks[-1].gyr_dps, block.gyr_dps[-blocks[-1].n_samples :], atol=GYR_Q
    )
