"""Spaces after the separator: the reader's fast path (no ``skipinitialspace``) and its slow
path (taken when a column is not all numbers or a line has a field too many) read the same
numbers and name the same line, column and reason as a file without the spaces."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from gait.errors import SessionFormatError
from gait.io import read_session

HEAD = "t_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n"
ROWS = [
    ["0.00", "0.1", "-0.2", "9.81", "10", "-20.5", "3e1"],
    ["0.01", "0.15", "-0.25", "9.7", "11", "-21", "31"],
    ["0.02", "0.2", "-0.3", "9.9", "12", "-22.25", "32"],
    ["0.03", "0.25", "-0.35", "9.8", "13", "-23", "3.3e1"],
]


def _write(path: Path, text: str) -> Path:
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _text(rows: list[list[str]], sep: str = ",") -> str:
    return HEAD + "".join(sep.join(r) + "\n" for r in rows)


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
@pytest.mark.parametrize("sep", [", ", ",  ", ",\t"])
def test_spaces_before_numbers_read_the_same(tmp_path: Path, suffix: str, sep: str) -> None:
    plain = read_session(_write(tmp_path / f"plain{suffix}", _text(ROWS)))
    spaced = read_session(_write(tmp_path / f"spaced{suffix}", _text(ROWS, sep)))
    for name in ("t_s", "acc_ms2", "gyr_dps"):
        assert np.array_equal(getattr(plain.samples, name), getattr(spaced.samples, name))
    assert plain.meta.assumptions == spaced.meta.assumptions


def test_a_trailing_separator_with_a_space_is_harmless(tmp_path: Path) -> None:
    plain = read_session(_write(tmp_path / "plain.csv", _text(ROWS)))
    text = HEAD + "".join(",".join(r) + ", \n" for r in ROWS)
    trailing = read_session(_write(tmp_path / "trailing.csv", text))
    assert np.array_equal(plain.samples.gyr_dps, trailing.samples.gyr_dps)


BAD_CELLS = {
    # cell placed in row 2 (line 4), column acc_y: (value, phrase of the reason)
    "nan": ("nan", "NaN"),
    "text": ("abc", "text 'abc'"),
    "infinite": ("-inf", "infinite"),
    "empty": ("", "empty field"),
}


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
@pytest.mark.parametrize("name", list(BAD_CELLS))
def test_bad_cells_after_a_space_are_named_as_without(
    tmp_path: Path, suffix: str, name: str
) -> None:
    value, phrase = BAD_CELLS[name]
    rows = [list(r) for r in ROWS]
    rows[2][2] = value
    errors = []
    for sep in (",", ", "):
        path = _write(tmp_path / f"bad{len(errors)}{suffix}", _text(rows, sep))
        with pytest.raises(SessionFormatError) as err:
            read_session(path)
        errors.append(err.value)
    plain, spaced = errors
    assert (spaced.line, spaced.column) == (plain.line, plain.column) == (4, "acc_y")
    assert spaced.reason == plain.reason and phrase in spaced.reason


def test_a_field_too_many_after_a_space_is_named(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1] = [*rows[1], "7"]
    path = _write(tmp_path / "long.csv", _text(rows, ", "))
    with pytest.raises(SessionFormatError) as err:
        read_session(path)
    assert err.value.line == 3 and "8 fields but the header has 7" in err.value.reason
