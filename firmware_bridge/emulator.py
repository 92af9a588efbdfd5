"""A virtual sensor: plays a recorded session into a pseudo-terminal, in real time.

The emulator encodes a session with one of the wire protocols and writes it to the master side of
a pseudo-terminal (``os.openpty``); a reader opens the slave side (``/dev/pts/N``, or a symlink
the emulator owns) exactly as it would open a USB-serial sensor. The session's own ``t_s`` is the
device clock, so decoding the stream gives back the session's ``t_s``.

Readiness rule (why the emulator waits). pyserial's ``open()`` flushes the input buffer, so bytes
written before a reader has opened the port are lost (research/ecosystem.md §3). The emulator
therefore waits, before it sends anything, until the reader writes at least one byte to the port
(``wait="byte"``, the default). :class:`firmware_bridge.readers.SerialReader` writes one wake byte
right after every (re)open; real sensors ignore it. ``wait="open"`` instead starts once a process
has the slave open plus a settling delay (for readers that never write). With these two rules,
when the reader goes away mid-session (the pty reports hang-up) the emulator pauses and waits for
the next reader in the same way, then resumes where it stopped.

``wait="none"`` is a free-running sensor: it starts at once and keeps playing in real time
whether or not a reader has the port open, so readers may come and go. A frame due while no
reader has the port open (or whose reader leaves while it is written) is lost, as with a real
sensor; such frames are counted in :attr:`EmulatorStats.n_samples_unheard` and
:attr:`EmulatorStats.n_bytes_unheard`, never dropped silently. It needs ``speed > 0``: pacing by
the reader (``speed=0``) means nothing without one.

Pacing uses absolute deadlines: frame ``j`` goes out at ``start + (t_last_j - t_first) / speed``,
so timing errors never accumulate; ``speed=0`` sends as fast as the reader takes the bytes (a pty
applies back-pressure rather than dropping). After a pause (no reader, replug) the clock is
re-anchored so the next frame goes out at once instead of in a burst.

Faults (see :class:`FaultSpec`) are injected on purpose because a pty never loses or corrupts
bytes: per-byte corruption (one random bit flipped), per-byte drops, and unplug windows. An
unplug closes the pseudo-terminal (the reader's ``read`` then fails as with a pulled USB cable),
removes the device symlink, skips the samples whose device time falls in the window, and after
the window's length (at the playback speed) opens a new pseudo-terminal, re-points the symlink
at it and waits for the reader to come back. Unplug therefore needs a symlink path; one is made
in a temporary folder when none is given. Faults apply to sample frames only, never to the
start/device-info bytes sent on each connection.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import math
import os
import select
import shutil
import struct
import tempfile
import termios
import threading
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Self

import numpy as np

from gait.types import SampleBlock

WaitRule = Literal["byte", "open", "none"]

#: Delay after a reader opened the slave before sending, for ``wait="open"`` (pyserial flushes the
#: input buffer right after opening; 0.2 s is far longer than that takes).
OPEN_SETTLE_S: float = 0.2
#: How often blocking waits look at their stop event (s).
_POLL_S: float = 0.05


class EmulatorStopped(Exception):
    """Raised inside the play loop when the stop event is set (internal)."""


# --------------------------------------------------------------------------------------------
# Faults


@dataclass(frozen=True)
class FaultSpec:
    """Faults to inject into the byte stream.

    ``corrupt_rate``: probability per byte of flipping one random bit; ``drop_rate``: probability
    per byte of dropping it; ``unplug``: device-time windows ``(t1_s, t2_s)`` during which the
    device is unplugged.
    """

    corrupt_rate: float = 0.0
    drop_rate: float = 0.0
    unplug: tuple[tuple[float, float], ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> FaultSpec:
        """Parse ``"corrupt=RATE,drop=RATE,unplug=T1:T2"`` (``unplug`` may repeat)."""
        if not text:
            return cls()
        corrupt = drop = 0.0
        unplug: list[tuple[float, float]] = []
        for item in text.split(","):
            key, sep, value = item.strip().partition("=")
            if not sep:
                raise ValueError(f"fault '{item}': expected KEY=VALUE (corrupt, drop or unplug)")
            key = key.strip()
            if key in ("corrupt", "drop"):
                try:
                    rate = float(value)
                except ValueError:
                    raise ValueError(f"fault '{item}': expected a rate between 0 and 1") from None
                if not 0.0 <= rate <= 1.0:
                    raise ValueError(f"fault '{item}': expected a rate between 0 and 1")
                if key == "corrupt":
                    corrupt = rate
                else:
                    drop = rate
            elif key == "unplug":
                t1, sep2, t2 = value.partition(":")
                try:
                    window = (float(t1), float(t2))
                except ValueError:
                    window = (float("nan"), float("nan"))
                if not sep2 or not (0.0 <= window[0] < window[1] < math.inf):
                    raise ValueError(
                        f"fault '{item}': expected unplug=T1:T2 with 0 <= T1 < T2 "
                        "(finite device seconds)"
                    )
                unplug.append(window)
            else:
                raise ValueError(f"fault '{item}': unknown fault '{key}' (corrupt, drop, unplug)")
        return cls(corrupt_rate=corrupt, drop_rate=drop, unplug=tuple(sorted(unplug)))

    @property
    def any_byte_faults(self) -> bool:
        return self.corrupt_rate > 0 or self.drop_rate > 0


class FaultInjector:
    """Applies a :class:`FaultSpec`'s byte faults to chunks of bytes and counts what it did."""

    def __init__(self, spec: FaultSpec, rng: np.random.Generator | int | None = None) -> None:
        self.spec = spec
        self.rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        self.n_bytes_in = 0
        self.n_bytes_dropped = 0
        self.n_bytes_corrupted = 0

    def apply(self, data: bytes) -> bytes:
        """The bytes as the faulty link delivers them."""
        self.n_bytes_in += len(data)
        if not data or not self.spec.any_byte_faults:
            return data
        buf = np.frombuffer(data, dtype=np.uint8).copy()
        if self.spec.corrupt_rate > 0:
            hit = self.rng.random(buf.size) < self.spec.corrupt_rate
            n_hit = int(hit.sum())
            if n_hit:
                bits = self.rng.integers(0, 8, size=n_hit).astype(np.uint8)
                buf[hit] ^= np.left_shift(np.uint8(1), bits)
                self.n_bytes_corrupted += n_hit
        if self.spec.drop_rate > 0:
            keep = self.rng.random(buf.size) >= self.spec.drop_rate
            self.n_bytes_dropped += int(buf.size - keep.sum())
            buf = buf[keep]
        return buf.tobytes()


# --------------------------------------------------------------------------------------------
# Pseudo-terminal


class ReaderGone(Exception):
    """The reader closed the port (the pty reports hang-up)."""


class VirtualPort:
    """The device side of a pseudo-terminal, optionally reachable through a symlink we own.

    ``path`` is what a reader opens: the symlink when ``link`` is given, else the slave's
    ``/dev/pts/N``. The emulator keeps no slave descriptor open, so the master sees hang-up
    exactly when no reader has the port open.
    """

    def __init__(self, link: str | Path | None = None) -> None:
        self.link = None if link is None else Path(link)
        self.master_fd: int = -1
        self.slave_name: str = ""
        self._open_pty()

    @property
    def path(self) -> str:
        return str(self.link) if self.link is not None else self.slave_name

    @property
    def is_open(self) -> bool:
        return self.master_fd >= 0

    def _open_pty(self) -> None:
        master, slave = os.openpty()
        try:
            tty.setraw(slave)  # before anything is sent: the line discipline would mangle bytes
            self.slave_name = os.ttyname(slave)
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self.master_fd = master
        if self.link is not None:
            tmp = self.link.with_name(f".{self.link.name}.{os.getpid()}.tmp")
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            os.symlink(self.slave_name, tmp)
            os.replace(tmp, self.link)  # atomic re-point

    def _poll(self, events: int, timeout_s: float) -> int:
        p = select.poll()
        p.register(self.master_fd, events)
        res = p.poll(max(0.0, timeout_s) * 1000.0)
        return res[0][1] if res else 0

    def reader_attached(self) -> bool:
        """True while some process has the slave side open."""
        return self.is_open and not (self._poll(select.POLLOUT, 0) & select.POLLHUP)

    def drain_input(self) -> int:
        """Read and discard what the reader wrote to the device (wake bytes, commands)."""
        n = 0
        while True:
            try:
                chunk = os.read(self.master_fd, 4096)
            except BlockingIOError:
                return n
            except OSError as e:  # EIO: no reader
                if e.errno == errno.EIO:
                    return n
                raise
            if not chunk:
                return n
            n += len(chunk)

    def wait_for_reader(
        self, rule: WaitRule = "byte", *, stop: threading.Event | None = None
    ) -> None:
        """Block until a reader is ready according to ``rule`` (see the module docstring)."""
        if rule == "none":
            return
        while True:
            if stop is not None and stop.is_set():
                raise EmulatorStopped
            ev = self._poll(select.POLLIN, _POLL_S)
            if ev & select.POLLHUP or ev & select.POLLNVAL:
                # no reader has the slave open: poll returns at once, so sleep a little
                time.sleep(_POLL_S / 2)
                continue
            if rule == "open":
                if stop is not None:
                    if stop.wait(OPEN_SETTLE_S):
                        raise EmulatorStopped
                else:
                    time.sleep(OPEN_SETTLE_S)
                self.drain_input()
                if self.reader_attached():
                    return
                continue
            if ev & select.POLLIN and self.drain_input() > 0:
                return

    def write(self, data: bytes, *, stop: threading.Event | None = None) -> None:
        """Write all of ``data``, waiting while the reader is slow (a pty's back-pressure).

        Raises :class:`ReaderGone` when the reader closed the port.
        """
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.master_fd, view)
            except BlockingIOError:
                n = 0
            except OSError as e:
                if e.errno == errno.EIO:
                    raise ReaderGone from None
                raise
            view = view[n:]
            if view:
                if stop is not None and stop.is_set():
                    raise EmulatorStopped
                ev = self._poll(select.POLLOUT, _POLL_S)
                if ev & select.POLLHUP:
                    raise ReaderGone
        if not self.reader_attached():
            raise ReaderGone

    def pending_to_reader(self) -> int:
        """Bytes written but not yet read by the reader (the slave's input queue)."""
        if not self.reader_attached():
            return 0
        try:
            fd = os.open(self.slave_name, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError:
            return 0
        try:
            raw = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
            return int(struct.unpack("i", raw)[0])
        finally:
            os.close(fd)

    def drain(self, stall_s: float = 10.0, *, stop: threading.Event | None = None) -> bool:
        """Wait until the reader has read everything written (closing the pty discards unread
        bytes). Gives up (False) when the reader left or read nothing for ``stall_s`` seconds,
        so a reader that is slow for a while (e.g. compiling at start-up) loses nothing."""
        # The kernel moves written bytes to the slave's queue asynchronously, so an empty queue
        # right after a write proves nothing: wait a little and require two empty looks.
        deadline = time.monotonic() + stall_s
        n_empty = 0
        last_pending = -1
        time.sleep(0.02)
        while n_empty < 2:
            pending = self.pending_to_reader()
            if pending > 0:
                n_empty = 0
                if last_pending < 0 or pending < last_pending:
                    deadline = time.monotonic() + stall_s  # progress
                last_pending = pending
            else:
                n_empty += 1
            if time.monotonic() > deadline or (stop is not None and stop.is_set()):
                return False
            if not self.reader_attached():
                return False
            time.sleep(0.01)
        return True

    def unplug(self) -> None:
        """Close the pseudo-terminal and remove the symlink (as pulling the cable does)."""
        if self.link is not None:
            with contextlib.suppress(FileNotFoundError):
                self.link.unlink()
        if self.master_fd >= 0:
            os.close(self.master_fd)
            self.master_fd = -1

    def replug(self) -> None:
        """A new pseudo-terminal behind the same symlink."""
        self.unplug()
        self._open_pty()

    def close(self) -> None:
        self.unplug()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------------------------
# Emulator


@dataclass
class EmulatorStats:
    """What the emulator sent (counts accumulate over loops and reconnections)."""

    n_samples_sent: int = 0
    n_samples_skipped: int = 0  # inside unplug windows
    n_frames_sent: int = 0
    n_bytes_sent: int = 0
    n_bytes_dropped: int = 0
    n_bytes_corrupted: int = 0
    n_unplugs: int = 0
    #: Frames due while no reader had the port open (``wait="none"`` only): lost, as with a
    #: free-running sensor. Not part of the ``*_sent`` counts.
    n_samples_unheard: int = 0
    n_bytes_unheard: int = 0
    n_connections: int = 0
    n_loops: int = 0
    last_t_s: float | None = None
    outages: list[tuple[float, float]] = field(default_factory=list)


SentCallback = Callable[[float, int], None]


class Emulator:
    """Plays ``samples`` into a pseudo-terminal as a sensor speaking ``protocol``.

    Use :meth:`open` (or the context manager) to create the port, read :attr:`device_path`,
    then :meth:`run` (blocking) or :meth:`start` (background thread) to play. ``on_sent(t_s,
    monotonic_ns)`` is called after each frame with the device time of its last sample.
    """

    def __init__(
        self,
        samples: SampleBlock,
        *,
        protocol: str = "gait",
        profile: str | None = None,
        speed: float = 1.0,
        loop: bool = False,
        samples_per_frame: int = 1,
        faults: FaultSpec | None = None,
        seed: int | None = None,
        link: str | Path | None = None,
        wait: WaitRule = "byte",
        on_sent: SentCallback | None = None,
    ) -> None:
        from firmware_bridge.codecs import make_encoder

        if samples.n_samples == 0:
            raise ValueError("the session has no samples to play")
        if not (math.isfinite(speed) and speed >= 0):
            raise ValueError("speed must be a finite number >= 0 (0 = as fast as possible)")
        if samples_per_frame < 1:
            raise ValueError("samples_per_frame must be >= 1")
        if wait not in ("byte", "open", "none"):
            raise ValueError(f"wait must be 'byte', 'open' or 'none', got {wait!r}")
        if wait == "none" and speed == 0:
            raise ValueError(
                "wait='none' needs speed > 0: with speed=0 the reader paces playback, and "
                "without a reader every frame would be lost at once"
            )
        # a bad protocol, profile or frame size is an error now, before any port exists
        make_encoder(
            protocol,
            sampling_rate_hz=samples.sampling_rate_hz,
            has_gyro=samples.has_gyro,
            profile=profile,
            samples_per_frame=samples_per_frame,
        )
        self.samples = samples
        self.protocol = protocol
        self.profile = profile
        self.speed = float(speed)
        self.loop = loop
        self.samples_per_frame = int(samples_per_frame)
        self.faults = faults or FaultSpec()
        self.seed = seed
        self.link = None if link is None else Path(link)
        self.wait = wait
        self.on_sent = on_sent
        self.stats = EmulatorStats()
        self.port: VirtualPort | None = None
        self._tmpdir: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()

    # -- port --------------------------------------------------------------------------------

    def open(self) -> str:
        """Create the pseudo-terminal (and symlink); return the device path readers open."""
        if self.port is None:
            link = self.link
            if link is None and self.faults.unplug:
                self._tmpdir = tempfile.mkdtemp(prefix="gait-emulate-")
                link = Path(self._tmpdir) / "sensor"
            self.port = VirtualPort(link)
        return self.port.path

    @property
    def device_path(self) -> str:
        return self.open()

    def close(self) -> None:
        """Stop playing and remove the port and any symlink."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5.0)
        if self.port is not None:
            self.port.close()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- background use ---------------------------------------------------------------------

    def start(self) -> Self:
        """Play in a background thread (see :meth:`wait_done`, :meth:`stop`)."""
        self.open()

        def target() -> None:
            try:
                self.run(self._stop)
            except BaseException as e:  # stored, re-raised by stop()/wait_done()
                self._error = e
            finally:
                self._done.set()

        self._thread = threading.Thread(target=target, name="gait-emulator", daemon=True)
        self._thread.start()
        return self

    def wait_done(self, timeout: float | None = None) -> bool:
        """Wait until playback has ended; re-raise an error from the playing thread."""
        done = self._done.wait(timeout)
        if self._error is not None:
            raise self._error
        return done

    def stop(self) -> None:
        """Stop playing (a background thread is joined); re-raise its error if it had one."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
        if self._error is not None:
            raise self._error

    # -- playing ----------------------------------------------------------------------------

    def _sleep_until(self, deadline: float, stop: threading.Event) -> None:
        while True:
            dt = deadline - time.monotonic()
            if dt <= 0:
                return
            if stop.wait(min(dt, 0.25)):
                raise EmulatorStopped

    def _connect(self, enc: object, stop: threading.Event) -> None:
        assert self.port is not None
        self.port.wait_for_reader(self.wait, stop=stop)
        start = enc.start()  # type: ignore[attr-defined]
        if self.wait == "none":
            # free-running: the greeting reaches a reader only if one is there (the gait
            # protocol repeats its device info every second, so a later reader still decodes)
            if self.port.reader_attached():
                with contextlib.suppress(ReaderGone):
                    self.port.write(start, stop=stop)
            return
        self.stats.n_connections += 1
        self.port.write(start, stop=stop)

    def _unheard(self, n_samples: int, n_bytes: int) -> None:
        self.stats.n_samples_unheard += n_samples
        self.stats.n_bytes_unheard += n_bytes

    def run(self, stop: threading.Event | None = None) -> EmulatorStats:
        """Play the session (blocking) until its end, or forever with ``loop``; return stats.

        At the end the port is closed after the reader has read everything (the device is
        switched off). Returns early, without error, when ``stop`` is set.
        """
        from firmware_bridge.codecs import make_encoder

        stop = stop if stop is not None else self._stop
        self.open()
        assert self.port is not None
        port = self.port
        blk = self.samples
        enc = make_encoder(
            self.protocol,
            sampling_rate_hz=blk.sampling_rate_hz,
            has_gyro=blk.has_gyro,
            profile=self.profile,
            samples_per_frame=self.samples_per_frame,
        )
        injector = FaultInjector(self.faults, self.seed)
        k = self.samples_per_frame
        n = blk.n_samples
        t = np.asarray(blk.t_s, dtype=np.float64)
        period_s = float(np.median(np.diff(t))) if n > 1 else 1.0 / blk.sampling_rate_hz
        loop_len_s = float(t[-1] - t[0]) + period_s
        windows = list(self.faults.unplug)
        try:
            self._connect(enc, stop)
            anchor_wall = time.monotonic()
            anchor_dev = float(t[min(k, n) - 1])
            i_loop = 0
            while True:
                offset = i_loop * loop_len_s
                a = 0
                while a < n:
                    b = min(a + k, n)
                    t_first = float(t[a]) + offset
                    t_last = float(t[b - 1]) + offset
                    win = next((w for w in windows if w[0] <= t_first < w[1]), None)
                    if win is not None:
                        # unplug: skip the window's samples, stay away for its length. What
                        # was sent before is delivered first, so the outage is exactly the
                        # window (a real unplug may also lose bytes in flight).
                        a_start = a
                        while a < n and float(t[a]) + offset < win[1]:
                            a += 1
                        self.stats.n_samples_skipped += a - a_start
                        self.stats.n_unplugs += 1
                        port.drain(stop=stop)
                        port.unplug()
                        if self.speed > 0:
                            self._sleep_until(
                                time.monotonic() + (win[1] - t_first) / self.speed, stop
                            )
                        windows.remove(win)
                        port.replug()
                        self._connect(enc, stop)
                        if a < n:
                            anchor_wall = time.monotonic()
                            anchor_dev = float(t[min(a + k, n) - 1]) + offset
                        self.stats.outages.append(win)
                        continue
                    if self.speed > 0:
                        self._sleep_until(anchor_wall + (t_last - anchor_dev) / self.speed, stop)
                    frame = blk.slice(a, b)
                    if offset:
                        frame = SampleBlock(
                            frame.t_s + offset,
                            frame.acc_ms2,
                            frame.gyr_dps,
                            frame.sampling_rate_hz,
                            frame.frame,
                        )
                    data = injector.apply(enc.encode(frame))
                    if self.wait == "none" and not port.reader_attached():
                        self._unheard(b - a, len(data))  # free-running, nobody listening
                        a = b
                        continue
                    try:
                        port.write(data, stop=stop)
                    except ReaderGone:
                        if self.wait == "none":
                            self._unheard(b - a, len(data))  # the reader left meanwhile
                            a = b
                            continue
                        # the reader left: wait for the next one and resume at this frame
                        self._connect(enc, stop)
                        anchor_wall = time.monotonic()
                        anchor_dev = t_last
                        continue
                    self.stats.n_frames_sent += 1
                    self.stats.n_samples_sent += b - a
                    self.stats.n_bytes_sent += len(data)
                    self.stats.last_t_s = t_last
                    if self.on_sent is not None:
                        self.on_sent(t_last, time.monotonic_ns())
                    a = b
                i_loop += 1
                self.stats.n_loops = i_loop
                if not self.loop:
                    break
            # closing the pty discards unread bytes: let the reader take the last frames, then
            # switch the device off (the reader sees an unplug, as with a real sensor)
            port.drain(stop=stop)
            port.unplug()
        except EmulatorStopped:
            pass
        finally:
            self.stats.n_bytes_dropped = injector.n_bytes_dropped
            self.stats.n_bytes_corrupted = injector.n_bytes_corrupted
        return self.stats
