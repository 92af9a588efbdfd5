"""The virtual sensor through real pseudo-terminals: exact delivery, readiness, faults, unplug."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from firmware_bridge.codecs import Gap
from firmware_bridge.emulator import Emulator, FaultInjector, FaultSpec
from firmware_bridge.readers import DeviceGoneError, SerialReader
from firmware_bridge.testing import running_emulator, walking_session, wire_roundtrip
from gait.types import SampleBlock

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def block() -> SampleBlock:
    return walking_session(12.0, sampling_rate_hz=100.0, seed=1).samples


def _read_all(reader: SerialReader) -> tuple[list[SampleBlock], list[Gap]]:
    """Everything until the device is gone for good."""
    blocks: list[SampleBlock] = []
    gaps: list[Gap] = []
    with pytest.raises(DeviceGoneError):
        while True:
            ev = reader.get(timeout=1.0)
            if isinstance(ev, SampleBlock):
                blocks.append(ev)
            elif isinstance(ev, Gap):
                gaps.append(ev)
    return blocks, gaps


# -- faults ------------------------------------------------------------------------------------


def test_fault_spec_parses_rates_and_windows() -> None:
    spec = FaultSpec.parse("corrupt=0.01, drop=0.002,unplug=5:7,unplug=1:2.5")
    assert spec == FaultSpec(corrupt_rate=0.01, drop_rate=0.002, unplug=((1.0, 2.5), (5.0, 7.0)))
    assert FaultSpec.parse(None) == FaultSpec() == FaultSpec.parse("")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("corrupt=2", "between 0 and 1"),
        ("drop=x", "between 0 and 1"),
        ("unplug=7:5", "T1 < T2"),
        ("unplug=5", "T1 < T2"),
        ("shake=0.1", "unknown fault 'shake'"),
        ("corrupt", "KEY=VALUE"),
    ],
)
def test_fault_spec_rejects_bad_text_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultSpec.parse(text)


def test_fault_injector_rates_are_respected_and_reproducible() -> None:
    data = bytes(range(256)) * 400
    a = FaultInjector(FaultSpec(corrupt_rate=0.01, drop_rate=0.02), rng=7)
    b = FaultInjector(FaultSpec(corrupt_rate=0.01, drop_rate=0.02), rng=7)
    out = a.apply(data)
    assert out == b.apply(data)
    assert len(out) == len(data) - a.n_bytes_dropped
    assert 0.015 * len(data) < a.n_bytes_dropped < 0.025 * len(data)
    assert 0.007 * len(data) < a.n_bytes_corrupted < 0.013 * len(data)
    clean = FaultInjector(FaultSpec(), rng=7)
    assert clean.apply(data) == data


# -- delivery ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("protocol", "k"), [("gait", 1), ("gait", 5), ("csv", 1), ("witmotion", 1)]
)
def test_emulated_stream_gives_back_the_session(block: SampleBlock, protocol: str, k: int) -> None:
    expected = wire_roundtrip(block, protocol, samples_per_frame=k)
    with running_emulator(block, protocol=protocol, speed=0, samples_per_frame=k) as emu:
        with SerialReader(
            emu.device_path,
            protocol=protocol,
            sampling_rate_hz=block.sampling_rate_hz,
            reconnect_timeout_s=0.3,
        ) as reader:
            blocks, gaps = _read_all(reader)
    assert gaps == []
    got = SampleBlock.concatenate(blocks)
    np.testing.assert_array_equal(got.t_s, expected.t_s)  # the session's own t_s
    np.testing.assert_array_equal(got.acc_ms2, expected.acc_ms2)
    np.testing.assert_array_equal(got.gyr_dps, expected.gyr_dps)
    assert emu.stats.n_samples_sent == block.n_samples


def test_nothing_is_sent_before_the_reader_is_ready(block: SampleBlock) -> None:
    short = block.slice(0, 200)
    with running_emulator(short, speed=0) as emu:
        time.sleep(0.3)  # a device that started early would lose its first frames here
        assert emu.stats.n_samples_sent == 0
        with SerialReader(emu.device_path, reconnect_timeout_s=0.3) as reader:
            blocks, _ = _read_all(reader)
    got = SampleBlock.concatenate(blocks)
    assert got.n_samples == 200 and got.t_s[0] == 0.0


def test_real_time_pacing_follows_the_session_clock(block: SampleBlock) -> None:
    short = block.slice(0, 201)  # 2 s of device time at 100 Hz
    sent: list[tuple[float, int]] = []
    with running_emulator(short, speed=4, on_sent=lambda t, ns: sent.append((t, ns))) as emu:
        with SerialReader(emu.device_path, reconnect_timeout_s=0.3) as reader:
            _read_all(reader)
    t_dev = np.array([s[0] for s in sent])
    t_host = (np.array([s[1] for s in sent]) - sent[0][1]) / 1e9
    # absolute deadlines: host time = device time / speed, without drift
    lag = t_host - (t_dev - t_dev[0]) / 4
    assert np.median(lag) < 0.005 and lag[-1] < 0.02


# -- unplug and faults ---------------------------------------------------------------------------


def test_unplug_is_reported_as_a_gap_and_the_reader_reconnects(
    block: SampleBlock, tmp_path: Path
) -> None:
    link = tmp_path / "sensor"
    faults = FaultSpec(unplug=((3.0, 5.0),))
    with running_emulator(block, speed=10, faults=faults, link=link) as emu:
        assert emu.device_path == str(link)
        with SerialReader(str(link), reconnect_timeout_s=0.5) as reader:
            blocks, gaps = _read_all(reader)
            stats = reader.stats
    got = SampleBlock.concatenate(blocks)
    t = block.t_s
    last_before = t[t < 3.0][-1]
    first_after = t[t >= 5.0][0]
    keep = (t < 3.0) | (t >= 5.0)
    assert gaps == [Gap(float(last_before), float(first_after), int((~keep).sum()))]
    assert stats.n_reconnects == 1 and stats.outages == [(last_before, first_after)]
    np.testing.assert_array_equal(got.t_s, t[keep])
    assert emu.stats.n_unplugs == 1 and emu.stats.n_samples_skipped == int((~keep).sum())
    assert not link.exists()  # the emulator removed its symlink when it switched off


def test_clockless_protocol_keeps_time_increasing_across_an_unplug(block: SampleBlock) -> None:
    faults = FaultSpec(unplug=((3.0, 5.0),))
    with running_emulator(block, protocol="witmotion", speed=10, faults=faults) as emu:
        with SerialReader(
            emu.device_path,
            protocol="witmotion",
            sampling_rate_hz=100.0,
            reconnect_timeout_s=0.5,
        ) as reader:
            blocks, gaps = _read_all(reader)
    got = SampleBlock.concatenate(blocks)
    assert np.all(np.diff(got.t_s) > 0)
    assert len(gaps) == 1
    # WitMotion has no clock: the outage length is measured on the host (2 s at 10x = 0.2 s)
    assert 0.15 <= gaps[0].t_s_end - gaps[0].t_s_start <= 1.5


def test_corruption_and_drops_are_survived_and_reported(block: SampleBlock) -> None:
    faults = FaultSpec(corrupt_rate=0.001, drop_rate=0.001)
    with running_emulator(block, speed=0, faults=faults, seed=11) as emu:
        with SerialReader(emu.device_path, reconnect_timeout_s=0.3) as reader:
            blocks, gaps = _read_all(reader)
            stats = reader.stats
    got = SampleBlock.concatenate(blocks)
    assert emu.stats.n_bytes_corrupted > 0 and emu.stats.n_bytes_dropped > 0
    assert gaps and stats.decoder.crc_errors + stats.decoder.framing_errors > 0
    assert np.all(np.diff(got.t_s) > 0)
    lost = sum(g.n_missing for g in gaps)
    assert block.n_samples - 5 <= got.n_samples + lost <= block.n_samples


def test_emulator_waits_for_the_next_reader_when_one_leaves(block: SampleBlock) -> None:
    with running_emulator(block, speed=10) as emu:
        with SerialReader(emu.device_path) as first:
            got1 = 0
            while got1 < 100:
                ev = first.get(timeout=1.0)
                if isinstance(ev, SampleBlock):
                    got1 += ev.n_samples
                    t1 = float(ev.t_s[-1])
        time.sleep(0.3)
        n_sent = emu.stats.n_samples_sent
        time.sleep(0.3)
        assert emu.stats.n_samples_sent == n_sent  # paused while nobody listens
        with SerialReader(emu.device_path, reconnect_timeout_s=0.3) as second:
            blocks, _ = _read_all(second)
    got2 = SampleBlock.concatenate(blocks)
    assert got2.t_s[0] > t1 and got2.t_s[-1] == block.t_s[-1]
    assert emu.stats.n_connections == 2


def test_emulator_rejects_bad_settings(block: SampleBlock) -> None:
    with pytest.raises(ValueError, match="speed"):
        Emulator(block, speed=-1)
    with pytest.raises(ValueError, match="samples_per_frame"):
        Emulator(block, samples_per_frame=0)


def test_free_running_emulator_plays_on_while_readers_come_and_go(block: SampleBlock) -> None:
    """wait='none': frames due with nobody listening are lost and counted, never an error."""
    short = block.slice(0, 800)  # 8 s of device time, 2 s at 4x
    with running_emulator(short, speed=4, wait="none") as emu:
        time.sleep(0.3)  # nobody listening yet: the device plays on
        assert emu.stats.n_samples_unheard > 0 and emu.stats.n_samples_sent == 0
        got: list[SampleBlock] = []
        with SerialReader(emu.device_path, reconnect_timeout_s=0.3) as reader:
            deadline = time.monotonic() + 0.5  # 2 s of device time: device info included
            while time.monotonic() < deadline:
                ev = reader.get(timeout=0.05)
                if isinstance(ev, SampleBlock):
                    got.append(ev)
        # the reader has left; the device still plays to the end of the session, no error
        assert emu.wait_done(5.0)
        stats = emu.stats
    assert stats.n_samples_sent > 0 and stats.n_samples_unheard > 0
    assert stats.n_samples_sent + stats.n_samples_unheard == short.n_samples
    assert stats.last_t_s is not None and stats.last_t_s < float(short.t_s[-1])
    # what the reader got is a run of the session's own samples, from the middle of it
    heard = SampleBlock.concatenate(got)
    assert heard.n_samples > 0 and heard.t_s[0] > 0
    assert np.isin(heard.t_s, short.t_s).all() and np.all(np.diff(heard.t_s) > 0)


def test_free_running_emulator_needs_a_playback_speed(block: SampleBlock) -> None:
    with pytest.raises(ValueError, match="speed > 0"):
        Emulator(block, wait="none", speed=0)
    with pytest.raises(ValueError, match="finite"):
        Emulator(block, speed=float("nan"))
