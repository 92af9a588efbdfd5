"""Helpers shared by the decoder tests.

Import as ``from _wire import blocks_of, feed_chunked`` (pytest puts this folder on sys.path).
"""

from __future__ import annotations

import numpy as np

from gait.types import SampleBlock


def feed_chunked(dec, wire: bytes, rng: np.random.Generator, max_chunk: int = 80) -> list:
    """Feed ``wire`` to a decoder in random pieces of 1..``max_chunk`` bytes; all its events."""
    events: list = []
    pos = 0
    while pos < len(wire):
        step = int(rng.integers(1, max_chunk + 1))
        events += dec.feed(wire[pos : pos + step])
        pos += step
    return events


def blocks_of(events: list) -> SampleBlock:
    """The sample blocks among a decoder's events, joined into one."""
    return SampleBlock.concatenate([e for e in events if isinstance(e, SampleBlock)])
