"""The reference firmware's C frame encoder, built with the host compiler, against shared vectors.

Each vector is checked three ways: the C encoder's bytes equal the expected bytes; the expected
bytes are right by independent oracles (the ``cobs`` and ``crc`` packages); and the Python decoder
turns them back into the vector's inputs.
"""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess
from pathlib import Path

import cobs.cobs
import numpy as np
import pytest
from crc import Calculator, Crc16

from firmware_bridge.protocol import (
    DeviceInfoFrame,
    GaitDecoder,
    SampleFrame,
    encode_device_info,
    encode_samples,
    parse_payload,
)
from firmware_bridge.samples import Gap
from gait.consts import GRAVITY_MS2
from gait.types import SampleBlock

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware_bridge" / "firmware"
VECTORS = json.loads((Path(__file__).parent / "vectors" / "gait_frames.json").read_text())
CRC_ORACLE = Calculator(Crc16.IBM_3740)  # the catalogue name of CRC-16/CCITT-FALSE
CFLAGS = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Werror"]


@pytest.fixture(scope="module")
def host_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no host C compiler (cc/gcc/clang) on PATH: cannot build the firmware encoder")
    exe = tmp_path_factory.mktemp("fw") / "gait_frame_host"
    sources = [FIRMWARE / "gait_frame.c", FIRMWARE / "host" / "gait_frame_host.c"]
    subprocess.run([cc, *CFLAGS, "-o", str(exe), *map(str, sources)], check=True)
    return exe


def run_c(exe: Path, commands: list[str]) -> list[str]:
    res = subprocess.run(
        [str(exe)], input="\n".join(commands) + "\n", capture_output=True, text=True, check=True
    )
    lines = res.stdout.split("\n")[:-1]
    assert len(lines) == len(commands), res.stdout
    return lines


def c_command(vec: dict) -> str:
    if vec["kind"] == "samples":
        values = " ".join(str(v) for row in vec["counts"] for v in row)
        return (
            f"samples {vec['seq']} {vec['t_us']} {vec['period_us']} {vec['n_axes']} "
            f"{len(vec['counts'])} {values}"
        )
    info = vec["info"]

    def f32(name: str, default: float) -> str:
        return struct.pack(">f", info.get(name, default)).hex()  # bits as a hex number

    def text(name: str) -> str:
        return info.get(name, "").encode().hex() or "-"

    return (
        f"info {vec['seq']} {vec['t_us']} {f32('acc_lsb_per_g', 2048.0)} "
        f"{f32('gyr_lsb_per_dps', 16.4)} {info.get('acc_range_g', 16)} "
        f"{info.get('gyr_range_dps', 2000)} {f32('sampling_rate_hz', 100.0)} "
        f"{int(info.get('has_gyro', True))} {text('firmware_version')} {text('sensor_model')}"
    )


def all_frames() -> list[dict]:
    frames = list(VECTORS["frames"])
    for stream in VECTORS["streams"]:
        frames += stream["frames"]
    return frames


def oracle_payload(frame: bytes) -> bytes:
    """Payload of a frame decoded with the ``cobs`` and ``crc`` packages only."""
    assert frame.endswith(b"\x00") and b"\x00" not in frame[:-1]
    raw = cobs.cobs.decode(frame[:-1])
    payload, crc = raw[:-2], int.from_bytes(raw[-2:], "little")
    assert CRC_ORACLE.checksum(payload) == crc
    return payload


def test_vectors_cover_required_cases() -> None:
    frames = all_frames()
    kinds = {f["kind"] for f in frames}
    assert kinds == {"samples", "device_info"}
    assert any(f["kind"] == "samples" and len(f["counts"]) > 1 for f in frames)
    assert any(b"\x00" in oracle_payload(bytes.fromhex(f["frame_hex"])) for f in frames)
    wrap = next(s for s in VECTORS["streams"] if s["name"] == "u32_timestamp_wrap")
    assert max(wrap["expected_t_us"]) >= 2**32 > min(wrap["expected_t_us"])


def test_crc_and_cobs_match_c_and_oracles(host_encoder: Path) -> None:
    crc_cases, cobs_cases = VECTORS["crc"], VECTORS["cobs"]
    cmds = [f"crc {c['input_hex'] or '-'}" for c in crc_cases]
    cmds += [f"cobs {c['input_hex'] or '-'}" for c in cobs_cases]
    out = run_c(host_encoder, cmds)
    for case, got in zip(crc_cases, out, strict=False):
        data = bytes.fromhex(case["input_hex"])
        assert got == case["crc"] == f"{CRC_ORACLE.checksum(data):04x}"
    assert VECTORS["crc"][0]["crc"] == "29b1"  # the catalogue check value for b"123456789"
    for case, got in zip(cobs_cases, out[len(crc_cases) :], strict=True):
        data = bytes.fromhex(case["input_hex"])
        assert got == case["output_hex"] == cobs.cobs.encode(data).hex()


@pytest.mark.parametrize("vec", all_frames(), ids=lambda v: v["name"])
def test_c_frames_match_vectors_byte_for_byte(host_encoder: Path, vec: dict) -> None:
    (got,) = run_c(host_encoder, [c_command(vec)])
    assert got == vec["frame_hex"]
    frame = bytes.fromhex(got)
    parsed = parse_payload(oracle_payload(frame))
    assert parsed.seq == vec["seq"] and parsed.t_us == vec["t_us"]
    if vec["kind"] == "samples":
        assert isinstance(parsed, SampleFrame)
        assert parsed.period_us == vec["period_us"]
        np.testing.assert_array_equal(parsed.counts, np.array(vec["counts"]))
        again = encode_samples(vec["seq"], vec["t_us"], vec["period_us"], np.array(vec["counts"]))
    else:
        assert isinstance(parsed, DeviceInfoFrame)
        info = vec["info"]
        for key, value in info.items():
            got_value = getattr(parsed.info, key)
            if isinstance(value, float):
                assert got_value == struct.unpack("<f", struct.pack("<f", value))[0]
            else:
                assert got_value == value
        again = encode_device_info(vec["seq"], vec["t_us"], parsed.info)
    assert again.hex() == vec["frame_hex"]


@pytest.mark.parametrize("stream", VECTORS["streams"], ids=lambda s: s["name"])
def test_c_stream_decodes_to_inputs(host_encoder: Path, stream: dict) -> None:
    wire = b"".join(
        bytes.fromhex(h) for h in run_c(host_encoder, [c_command(f) for f in stream["frames"]])
    )
    rng = random.Random(stream["name"])
    dec = GaitDecoder()
    events: list = []
    pos = 0
    while pos < len(wire):
        step = rng.randint(1, 40)
        events += dec.feed(wire[pos : pos + step])
        pos += step
    blocks = [e for e in events if isinstance(e, SampleBlock)]
    gaps = [e for e in events if isinstance(e, Gap)]
    block = SampleBlock.concatenate(blocks)
    np.testing.assert_allclose(block.t_s * 1e6, stream["expected_t_us"], atol=1e-3, rtol=0)
    counts = np.array([row for f in stream["frames"][1:] for row in f["counts"]], dtype=float)
    info = dec.device_info
    assert info is not None
    np.testing.assert_allclose(block.acc_ms2, counts[:, :3] * GRAVITY_MS2 / info.acc_lsb_per_g)
    np.testing.assert_allclose(block.gyr_dps, counts[:, 3:] / info.gyr_lsb_per_dps)
    expected_gaps = stream["expected_gaps"]
    assert [(round(g.t_s_start * 1e6), round(g.t_s_end * 1e6), g.n_missing) for g in gaps] == [
        (g["t_us_start"], g["t_us_end"], g["n_missing"]) for g in expected_gaps
    ]
    assert dec.stats.crc_errors == dec.stats.framing_errors == 0


def test_c_batcher_closes_frames_on_missed_ticks(host_encoder: Path) -> None:
    b = VECTORS["batcher"]
    cmds = [f"batch {b['n_axes']} {b['per_frame']} {b['period_us']}"]
    cmds += [f"add {a['seq']} {a['t_us']} {' '.join(map(str, a['values']))}" for a in b["adds"]]
    cmds += ["flush"]
    out = run_c(host_encoder, cmds)
    assert out[0] == "0"
    assert out[1:-1] == b["expected_hex"]
    assert out[-1] == b["flush_hex"]
    dec = GaitDecoder()
    events = dec.feed(bytes.fromhex(VECTORS["emulator_device_info_hex"]))
    events += dec.feed(bytes.fromhex("".join(out[1:])))
    gaps = [e for e in events if isinstance(e, Gap)]
    assert [g.n_missing for g in gaps] == [1]  # seq 5 was never sampled
    block = SampleBlock.concatenate([e for e in events if isinstance(e, SampleBlock)])
    np.testing.assert_allclose(block.t_s, [0.0, 0.01, 0.02, 0.03, 0.04, 0.06, 0.07])


def test_c_saturation(host_encoder: Path) -> None:
    out = run_c(host_encoder, ["sat 40000", "sat -40000", "sat 32767", "sat -32768", "sat 5"])
    assert out == ["32767", "-32768", "32767", "-32768", "5"]


def test_c_rejects_bad_arguments(host_encoder: Path) -> None:
    too_long = ("x" * 33).encode().hex()
    out = run_c(
        host_encoder,
        [
            "samples 0 0 0 6 0",  # zero samples
            "samples 0 0 0 6 21 " + " ".join(["1"] * 126),  # more than 20 samples
            "samples 0 0 0 4 1 1 2 3 4",  # 4 axes
            f"info 0 0 45000000 41833333 16 2000 42c80000 1 {too_long} -",
            "batch 6 0 1000",
        ],
    )
    assert out == ["", "", "", "", "-1"]
