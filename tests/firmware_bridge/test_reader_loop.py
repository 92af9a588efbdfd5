"""SerialReader unit tests on pyserial's loop:// port and on real pseudo-terminals (no mocks)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from firmware_bridge.codecs import Gap, make_encoder
from firmware_bridge.emulator import FaultInjector, FaultSpec
from firmware_bridge.readers import DeviceGoneError, SerialReader
from firmware_bridge.testing import FakeDevice, walking_session, wire_roundtrip
from gait.errors import DeviceError
from gait.types import SampleBlock

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def block() -> SampleBlock:
    return walking_session(6.0, sampling_rate_hz=100.0, seed=3).samples


def _frames(block: SampleBlock, protocol: str = "gait", k: int = 1) -> tuple[bytes, list[bytes]]:
    enc = make_encoder(
        protocol, sampling_rate_hz=block.sampling_rate_hz, has_gyro=True, samples_per_frame=k
    )
    start = enc.start()
    frames = [
        enc.encode(block.slice(a, min(a + k, block.n_samples)))
        for a in range(0, block.n_samples, k)
    ]
    return start, frames


def _collect(reader: SerialReader, n_samples: int, timeout_s: float = 10.0) -> list[object]:
    events: list[object] = []
    got = 0
    deadline = time.monotonic() + timeout_s
    while got < n_samples and time.monotonic() < deadline:
        ev = reader.get(timeout=0.2)
        if ev is None:
            continue
        events.append(ev)
        if isinstance(ev, SampleBlock):
            got += ev.n_samples
    return events


@pytest.mark.parametrize("protocol", ["gait", "csv", "witmotion"])
def test_loop_delivers_every_sample_in_order(block: SampleBlock, protocol: str) -> None:
    expected = wire_roundtrip(block, protocol)
    start, frames = _frames(block, protocol)
    with SerialReader(
        "loop://", protocol=protocol, sampling_rate_hz=block.sampling_rate_hz, wake=None
    ) as reader:
        reader.write(start)
        for i in range(0, len(frames), 50):  # chunks cut across frames
            reader.write(b"".join(frames[i : i + 50]))
        events = _collect(reader, block.n_samples)
        stats = reader.stats
    blocks = [e for e in events if isinstance(e, SampleBlock)]
    assert not [e for e in events if isinstance(e, Gap)]
    got = SampleBlock.concatenate(blocks)
    np.testing.assert_array_equal(got.t_s, expected.t_s)
    np.testing.assert_array_equal(got.acc_ms2, expected.acc_ms2)
    np.testing.assert_array_equal(got.gyr_dps, expected.gyr_dps)
    assert stats.n_samples == block.n_samples
    assert stats.decoder.crc_errors == 0 and stats.decoder.samples_lost == 0


def test_corrupt_and_dropped_bytes_become_gaps_not_errors(block: SampleBlock) -> None:
    start, frames = _frames(block)
    injector = FaultInjector(FaultSpec(corrupt_rate=0.002, drop_rate=0.002), rng=5)
    with SerialReader("loop://", wake=None) as reader:
        reader.write(start)
        reader.write(b"".join(injector.apply(f) for f in frames))
        events = _collect(reader, block.n_samples, timeout_s=1.0)
        stats = reader.stats
    gaps = [e for e in events if isinstance(e, Gap)]
    n_got = sum(e.n_samples for e in events if isinstance(e, SampleBlock))
    assert injector.n_bytes_corrupted > 0 and injector.n_bytes_dropped > 0
    assert gaps, "lost frames must be reported as gaps"
    assert stats.decoder.crc_errors + stats.decoder.framing_errors > 0
    # every sample is either received or counted as lost (sequence numbers); only losses at
    # the very end of the stream cannot be seen
    lost = sum(g.n_missing for g in gaps)
    assert block.n_samples - 5 <= n_got + lost <= block.n_samples
    t = np.concatenate([e.t_s for e in events if isinstance(e, SampleBlock)])
    assert np.all(np.diff(t) > 0)


def test_bad_port_is_a_device_error_naming_it() -> None:
    with pytest.raises(DeviceError, match=r"^cannot open /dev/gait-no-such-port: "):
        SerialReader("/dev/gait-no-such-port").open()


def test_full_queue_blocks_the_reader_instead_of_dropping(block: SampleBlock) -> None:
    start, frames = _frames(block)
    with SerialReader("loop://", queue_size=2, wake=None) as reader:
        reader.write(start)
        for f in frames[:100]:  # < 4096 bytes: loop:// blocks the writer beyond that
            reader.write(f)
            time.sleep(0.0005)  # many small reads -> many events
        time.sleep(0.5)  # consumer stalls; the reader thread must wait, not drop
        events = _collect(reader, 100)
        stats = reader.stats
    assert sum(e.n_samples for e in events if isinstance(e, SampleBlock)) == 100
    assert stats.n_queue_full > 0


class _Boom(Exception):
    pass


class _FailingDecoder:
    """Decodes like the real one until it has taken ``limit`` bytes, then fails (a bug)."""

    limit = 0

    def __init__(self, real: object) -> None:
        self.real = real
        self.stats = real.stats  # type: ignore[attr-defined]
        self.device_info = None
        self.n_bytes = 0

    def feed(self, data: bytes) -> list[object]:
        self.n_bytes += len(data)
        if self.n_bytes > self.limit:
            raise _Boom("decoder bug")
        return self.real.feed(data)  # type: ignore[attr-defined]


class _FailingReader(SerialReader):
    def _new_decoder(self, device_time_hint_s: float | None = None) -> None:
        super()._new_decoder(device_time_hint_s)
        self._decoder = _FailingDecoder(self._decoder)


def test_thread_exception_reaches_the_consumer_after_earlier_events(block: SampleBlock) -> None:
    start, frames = _frames(block)
    _FailingDecoder.limit = len(start) + len(frames[0]) + len(frames[1])
    with _FailingReader("loop://", wake=None) as reader:
        reader.write(start + frames[0] + frames[1])
        time.sleep(0.2)
        reader.write(frames[2])
        time.sleep(0.2)
        events = []
        with pytest.raises(_Boom, match="decoder bug"):
            for _ in range(50):
                events.append(reader.get(timeout=0.1))
        # the samples decoded before the failure were handed out first
        assert sum(e.n_samples for e in events if isinstance(e, SampleBlock)) == 2
        assert reader.ended
        assert reader.get(timeout=0) is None  # raised once, then the stream is over


def test_unplug_without_reconnect_raises_device_gone_after_the_data(block: SampleBlock) -> None:
    start, frames = _frames(block)
    small = block.slice(0, 50)
    with FakeDevice([start, *frames[:50]], hold_open=False) as dev:
        with SerialReader(dev.path, reconnect=False) as reader:
            got = 0
            with pytest.raises(DeviceGoneError, match=r"device disconnected"):
                while True:
                    ev = reader.get(timeout=1.0)
                    if isinstance(ev, SampleBlock):
                        got += ev.n_samples
            assert got == small.n_samples  # nothing before the unplug was lost
        dev.join()


def test_unplug_with_reconnect_timeout_names_the_port(block: SampleBlock, tmp_path: Path) -> None:
    start, frames = _frames(block)
    link = tmp_path / "sensor"
    with FakeDevice([start, *frames[:10]], hold_open=False, link=link) as dev:
        with SerialReader(dev.path, reconnect_timeout_s=0.3) as reader:
            t0 = time.monotonic()
            with pytest.raises(DeviceGoneError) as info:
                for _ in range(100):
                    reader.get(timeout=0.2)
            assert time.monotonic() - t0 >= 0.3  # it waited for the device to come back
            assert str(info.value).startswith(f"{link}: device disconnected and did not")


def test_a_closed_pseudo_terminal_is_gone_at_once(block: SampleBlock) -> None:
    start, frames = _frames(block)
    with FakeDevice([start, *frames[:10]], hold_open=False) as dev:
        assert dev.path.startswith("/dev/pts/")
        with SerialReader(dev.path, reconnect_timeout_s=30) as reader:
            with pytest.raises(DeviceGoneError, match="pseudo-terminal closed"):
                for _ in range(100):
                    reader.get(timeout=0.2)


def test_close_joins_the_thread_quickly() -> None:
    reader = SerialReader("loop://", wake=None).open()
    thread = reader._thread
    assert thread is not None and thread.is_alive()
    t0 = time.monotonic()
    reader.close()
    assert time.monotonic() - t0 < 1.0
    assert not thread.is_alive()
    assert reader.get(timeout=0.1) is None
    names = [t.name for t in threading.enumerate()]
    assert not any(n.startswith("gait-reader") for n in names)
