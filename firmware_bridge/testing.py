"""Test doubles for serial code, shipped in the package so users can test their own readers.

Everything here uses real pseudo-terminals (``os.openpty``), never a mocked ``serial.Serial``:

- :class:`FakeDevice`: writes scripted bytes into a pty from a thread, with injected byte faults,
  optional baud-rate pacing (a pty ignores the baud rate) and random splitting of writes;
- :func:`running_emulator`: an :class:`~firmware_bridge.emulator.Emulator` playing a session in a
  background thread (context manager);
- :func:`walking_session`: a small synthetic walking-like session from a simple kinematic model
  (for tests and benchmarks when no recorded session is at hand);
- :func:`wire_roundtrip`: a block as a device speaking a protocol would deliver it (quantised to
  the protocol's resolution), so an emulated stream reproduces it exactly.

See research/ecosystem.md §3 for the pty behaviour these are built around (open() discards
earlier bytes, ptys apply back-pressure and never drop, closing the master looks like an unplug).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Self

import numpy as np

from firmware_bridge.emulator import (
    Emulator,
    EmulatorStopped,
    FaultInjector,
    FaultSpec,
    ReaderGone,
    VirtualPort,
    WaitRule,
)
from gait.consts import GRAVITY_MS2
from gait.types import SampleBlock, Session, SessionMeta, Subject

__all__ = [
    "FakeDevice",
    "FaultInjector",
    "FaultSpec",
    "VirtualPort",
    "running_emulator",
    "walking_session",
    "wire_roundtrip",
]


class FakeDevice:
    """Writes ``chunks`` of bytes into a pseudo-terminal once a reader is ready.

    ``faults`` corrupt/drop bytes; ``baudrate`` paces writes at ``len * 10 / baudrate`` s (8N1);
    ``split_writes`` cuts each chunk at random points into several writes; ``hold_open`` keeps the
    port open after the last chunk until :meth:`close` (else the port is closed, which a reader
    sees as an unplug). Errors of the writing thread are re-raised by :meth:`join`.
    """

    def __init__(
        self,
        chunks: Iterable[bytes],
        *,
        faults: FaultSpec | None = None,
        seed: int | None = None,
        baudrate: int | None = None,
        split_writes: bool = False,
        hold_open: bool = True,
        link: str | Path | None = None,
        wait: WaitRule = "byte",
    ) -> None:
        self.chunks = chunks
        self.injector = FaultInjector(faults or FaultSpec(), seed)
        self.rng = np.random.default_rng(seed)
        self.baudrate = baudrate
        self.split_writes = split_writes
        self.hold_open = hold_open
        self.wait = wait
        self.port = VirtualPort(link)
        self.n_bytes_written = 0
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="gait-fake-device", daemon=True)

    @property
    def path(self) -> str:
        return self.port.path

    def start(self) -> Self:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.port.wait_for_reader(self.wait, stop=self._stop)
            for chunk in self.chunks:
                data = self.injector.apply(chunk)
                pieces = [data]
                if self.split_writes and len(data) > 1:
                    cuts = np.sort(self.rng.choice(np.arange(1, len(data)), size=2))
                    pieces = [data[: cuts[0]], data[cuts[0] : cuts[1]], data[cuts[1] :]]
                for piece in pieces:
                    if not piece:
                        continue
                    self.port.write(piece, stop=self._stop)
                    self.n_bytes_written += len(piece)
                    if self.baudrate:
                        time.sleep(len(piece) * 10.0 / self.baudrate)
            if not self.hold_open:
                self.port.drain(5.0, stop=self._stop)
                self.port.unplug()
        except (EmulatorStopped, ReaderGone):
            pass
        except BaseException as e:
            self._error = e

    def join(self, timeout: float | None = 10.0) -> None:
        """Wait for all chunks to be written; re-raise the thread's error."""
        self._thread.join(timeout)
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5.0)
        self.port.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def running_emulator(samples: SampleBlock | Session, **kwargs: Any) -> Iterator[Emulator]:
    """An :class:`Emulator` playing ``samples`` in a background thread; stopped on exit.

    Keyword arguments go to :class:`Emulator`. Errors of the playing thread are re-raised on
    exit.
    """
    block = samples.samples if isinstance(samples, Session) else samples
    emu = Emulator(block, **kwargs)
    emu.start()
    try:
        yield emu
    finally:
        try:
            emu.stop()
        finally:
            emu.close()


# --------------------------------------------------------------------------------------------
# Synthetic data


def walking_session(
    duration_s: float = 30.0,
    *,
    sampling_rate_hz: float = 100.0,
    stride_time_s: float = 1.1,
    still_s: float = 2.0,
    has_gyro: bool = True,
    placement: str = "left_ankle",
    mass_kg: float | None = 70.0,
    seed: int | None = 0,
) -> Session:
    """A walking-like shank-IMU session from a simple kinematic model.

    Not a physiological model: it has the features an ankle step detector keys on. Per stride
    (instrumented contact at phase 0): stance (60 %) with a small negative sagittal angular rate,
    swing (40 %) with a large positive hump of angular rate, a damped impact transient at each
    contact of the instrumented foot and a weak one at the other foot's contact (phase 0.5).
    Gravity is on the sensor's z axis; the session starts and ends with ``still_s`` of standing.
    Stride times vary by ±3 % at random (``seed``).
    """
    rng = np.random.default_rng(seed)
    fs = float(sampling_rate_hz)
    n = round(duration_s * fs)
    t = np.arange(n) / fs
    acc = np.zeros((n, 3))
    gyr = np.zeros((n, 3))
    acc[:, 2] = GRAVITY_MS2
    # contact times of the instrumented foot
    ics: list[float] = []
    tc = still_s
    while tc < duration_s - still_s:
        ics.append(tc)
        tc += stride_time_s * (1.0 + 0.03 * rng.uniform(-1, 1))
    for k in range(len(ics) - 1):
        t0, t1 = ics[k], ics[k + 1]
        m = (t >= t0) & (t < t1)
        phase = (t[m] - t0) / (t1 - t0)
        w = np.where(
            phase < 0.6,
            -60.0 * np.sin(np.pi * phase / 0.6),
            320.0 * np.sin(np.pi * (phase - 0.6) / 0.4),
        )
        gyr[m, 1] = w
        # forward acceleration of the shank in swing, tilt of gravity with the shank angle
        acc[m, 0] = np.where(phase < 0.6, 0.0, 12.0 * np.sin(2 * np.pi * (phase - 0.6) / 0.4))
        acc[m, 2] += np.where(phase < 0.6, 0.0, -4.0 * np.sin(np.pi * (phase - 0.6) / 0.4))
    for k, tc in enumerate(ics):
        for t_hit, amp in ((tc, 25.0), (tc + 0.5 * stride_time_s, 4.0)):
            if k == len(ics) - 1 and amp < 10:
                continue
            m = (t >= t_hit) & (t < t_hit + 0.15)
            dt = t[m] - t_hit
            ring = amp * np.exp(-dt / 0.025) * np.cos(2 * np.pi * 18.0 * dt)
            acc[m, 2] += ring
            acc[m, 0] -= 0.4 * ring
            gyr[m, 1] -= 4.0 * ring
    acc += rng.normal(0.0, 0.05, acc.shape)
    gyr += rng.normal(0.0, 0.5, gyr.shape)
    block = SampleBlock(t, acc, gyr if has_gyro else None, fs)
    meta = SessionMeta(
        sampling_rate_hz=fs,
        placement=placement,
        subject=Subject(id="synthetic", mass_kg=mass_kg),
        device={"model": "firmware_bridge.testing.walking_session"},
    )
    return Session(samples=block, meta=meta)


def wire_roundtrip(
    samples: SampleBlock,
    protocol: str,
    *,
    profile: str | None = None,
    samples_per_frame: int = 1,
) -> SampleBlock:
    """``samples`` as a device speaking ``protocol`` delivers them (quantised by the wire).

    Raises ``ValueError`` if the decoder reports a gap or loses samples.
    """
    from firmware_bridge.codecs import Gap, make_decoder, make_encoder

    enc = make_encoder(
        protocol,
        sampling_rate_hz=samples.sampling_rate_hz,
        has_gyro=samples.has_gyro,
        profile=profile,
        samples_per_frame=samples_per_frame,
    )
    dec = make_decoder(protocol, profile=profile, sampling_rate_hz=samples.sampling_rate_hz)
    k = samples_per_frame
    data = enc.start() + b"".join(
        enc.encode(samples.slice(a, min(a + k, samples.n_samples)))
        for a in range(0, samples.n_samples, k)
    )
    events = dec.feed(data)
    if any(isinstance(e, Gap) for e in events):
        raise ValueError(f"{protocol}: the round trip reported a gap")
    blocks = [e for e in events if isinstance(e, SampleBlock)]
    out = SampleBlock.concatenate(blocks)
    if out.n_samples != samples.n_samples:
        raise ValueError(
            f"{protocol}: {out.n_samples} of {samples.n_samples} samples came through the wire"
        )
    return out
