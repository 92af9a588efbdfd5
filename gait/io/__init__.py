"""Session files in and out: canonical CSV/Parquet plus the JSON sidecar (docs/session-files.md).

- :func:`read_session` reads a session in any accepted variant into canonical units.
- :func:`write_session` writes a whole session; :class:`SessionWriter` appends blocks live.
"""

from gait.io._names import (
    COLUMN_ALIASES,
    UNIT_FACTORS,
    UNIT_SPELLINGS,
    parse_unit,
    unit_choices,
)
from gait.io._read import read_session
from gait.io._sidecar import read_sidecar, sidecar_path, write_sidecar
from gait.io._write import SessionWriter, write_session

__all__ = [
    "COLUMN_ALIASES",
    "UNIT_FACTORS",
    "UNIT_SPELLINGS",
    "SessionWriter",
    "parse_unit",
    "read_session",
    "read_sidecar",
    "sidecar_path",
    "unit_choices",
    "write_session",
    "write_sidecar",
]
