"""User-facing errors: each names the file, line or field and what was expected."""

from __future__ import annotations

from pathlib import Path


class GaitError(Exception):
    """Base class of every error a user can cause (bad file, bad port, bad label, bad model).

    The command line prints ``str(error)`` and exits non-zero, without a traceback.
    """


class SessionFormatError(GaitError, ValueError):
    """A session file that cannot be read as it is, with the place of the problem."""

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.reason = message
        where = self.path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class LabelFormatError(SessionFormatError):
    """A labels or per-step truth file that breaks the labelled-session format."""


class ModelFileError(GaitError):
    """A model file that is missing, unsafe or of the wrong kind."""


class DeviceError(GaitError):
    """A serial port or device that cannot be opened or stopped talking."""
