"""Regenerate gait_frames.json: inputs of the shared test vectors and the expected frame bytes.

Run from the repository root:
``PYTHONPATH=. python tests/firmware_bridge/vectors/make_vectors.py``. The bytes come from the
Python encoder; the tests check them independently (``cobs`` and ``crc`` packages as oracles),
check that the C encoder produces exactly the same bytes, and that the Python decoder turns them
back into the inputs. Review any diff of the JSON by hand before committing it.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

from firmware_bridge.framing import cobs_encode, crc16_ccitt_false
from firmware_bridge.protocol import DeviceInfo, GaitEncoder, encode_device_info, encode_samples

OUT = Path(__file__).with_name("gait_frames.json")


def samples(name: str, seq: int, t_us: int, period_us: int, counts: list[list[int]]) -> dict:
    arr = np.array(counts, dtype=np.int16)
    return {
        "name": name,
        "kind": "samples",
        "seq": seq,
        "t_us": t_us,
        "period_us": period_us,
        "n_axes": arr.shape[1],
        "counts": counts,
        "frame_hex": encode_samples(seq, t_us, period_us, arr).hex(),
    }


def info(name: str, seq: int, t_us: int, **kw: object) -> dict:
    di = DeviceInfo(**kw)  # type: ignore[arg-type]
    f32 = {
        k: struct.pack("<f", getattr(di, k)).hex()
        for k in ("acc_lsb_per_g", "gyr_lsb_per_dps", "sampling_rate_hz")
    }
    return {
        "name": name,
        "kind": "device_info",
        "seq": seq,
        "t_us": t_us,
        "info": {**kw},
        "f32_le_hex": f32,
        "frame_hex": encode_device_info(seq, t_us, di).hex(),
    }


def main() -> None:
    rng = np.random.default_rng(20240521)
    extreme = [[32767, -32768, 0, -1, 1, 256]]
    full = [[0x0505 + i, 0x0606, 0x0707, 0x0808, 0x0909, 0x0A0A] for i in range(20)]
    frames = [
        samples("imu6_single", 0, 0, 10000, [[100, -200, 2048, 16, -16, 0]]),
        samples("imu6_extremes", 7, 1_000_000, 5000, extreme),
        samples("imu6_multi_4", 1000, 123456, 5000, rng.integers(-4000, 4000, (4, 6)).tolist()),
        samples("zeros_payload", 0, 0, 10000, [[0] * 6, [0] * 6]),
        samples("acc3_multi_3", 42, 99, 10000, [[1, 2, 3], [-2048, 0, 2048], [7, 7, 7]]),
        samples("imu6_max_20_no_zero_bytes", 0x01010101, 0x02020202, 0x0303, full),
        info(
            "device_info_mpu6050",
            0,
            0,
            acc_lsb_per_g=2048.0,
            gyr_lsb_per_dps=16.4,
            acc_range_g=16,
            gyr_range_dps=2000,
            sampling_rate_hz=200.0,
            firmware_version="gait-fw 1.0.0",
            sensor_model="MPU-6050",
            has_gyro=True,
        ),
        info(
            "device_info_acc_only",
            123,
            4_000_000_000,
            acc_lsb_per_g=256.0,
            gyr_lsb_per_dps=0.0,
            acc_range_g=16,
            gyr_range_dps=0,
            sampling_rate_hz=100.0,
            firmware_version="",
            sensor_model="ADXL345",
            has_gyro=False,
        ),
    ]
    # Streams: device info then sample frames, with what a decoder must return.
    wrap_t0 = 2**32 - 7500
    wrap = [
        info("wrap_info", 500, wrap_t0, sampling_rate_hz=200.0, sensor_model="MPU-6050"),
        samples("wrap_a", 500, wrap_t0, 5000, [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]),
        samples("wrap_b", 502, 2500, 5000, [[-1, -2, -3, -4, -5, -6], [0, 0, 0, 0, 0, 0]]),
        samples("wrap_c", 504, 12500, 5000, [[2048, 0, 0, 164, 0, 0]]),
    ]
    gap = [
        info("gap_info", 10, 0, sampling_rate_hz=100.0),
        samples("gap_a", 10, 100_000, 10000, [[1, 1, 1, 1, 1, 1]]),
        samples("gap_b", 11, 110_000, 10000, [[2, 2, 2, 2, 2, 2]]),
        samples("gap_c", 15, 150_000, 10000, [[3, 3, 3, 3, 3, 3]]),
    ]
    streams = [
        {
            "name": "u32_timestamp_wrap",
            "frames": wrap,
            "expected_t_us": [wrap_t0 + 5000 * i for i in range(5)],
            "expected_gaps": [],
        },
        {
            "name": "sequence_gap",
            "frames": gap,
            "expected_t_us": [100_000, 110_000, 150_000],
            "expected_gaps": [{"t_us_start": 110_000, "t_us_end": 150_000, "n_missing": 3}],
        },
    ]
    # The batcher: 3 samples per frame, a missed tick at seq 5, then a flush.
    enc_samples = [[i, -i, 2 * i, 0, 1, -1] for i in range(8)]
    batch = {
        "n_axes": 6,
        "per_frame": 3,
        "period_us": 10000,
        "adds": [
            {"seq": s, "t_us": 10000 * s, "values": enc_samples[s]} for s in (0, 1, 2, 3, 4, 6, 7)
        ],
        "expected_hex": [
            "",
            "",
            encode_samples(0, 0, 10000, np.array(enc_samples[0:3])).hex(),
            "",
            "",
            encode_samples(3, 30000, 10000, np.array(enc_samples[3:5])).hex(),
            "",
        ],
        "flush_hex": encode_samples(6, 60000, 10000, np.array(enc_samples[6:8])).hex(),
    }
    cobs_inputs = [
        "",
        "00",
        "0000",
        "11",
        "112200",
        "1122003300",
        "01" * 253,
        "01" * 254,
        "01" * 255,
        "01" * 254 + "00",
        "01" * 254 + "0002",
        "00" + "ff" * 300,
    ]
    cobs_cases = [
        {"input_hex": h, "output_hex": cobs_encode(bytes.fromhex(h)).hex()} for h in cobs_inputs
    ]
    crc_cases = [
        {"input_hex": d.hex(), "crc": f"{crc16_ccitt_false(d):04x}"}
        for d in (b"123456789", b"", b"\x00", bytes(range(256)))
    ]
    enc = GaitEncoder(sampling_rate_hz=100.0)
    doc = {
        "about": "Shared gait-protocol test vectors (PROTOCOL.md), written by make_vectors.py.",
        "protocol_version": 1,
        "crc": crc_cases,
        "cobs": cobs_cases,
        "frames": frames,
        "streams": streams,
        "batcher": batch,
        "emulator_device_info_hex": enc.start().hex(),
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
