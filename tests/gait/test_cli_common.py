"""gait.cli._common: the error handling every command reuses."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from gait.cli._common import (
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    handle_errors,
    print_json,
    to_json,
    user_errors,
)
from gait.errors import DeviceError, SessionFormatError

runner = CliRunner()


def make_app(exc: BaseException | None) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @handle_errors
    def go(name: str = "x") -> None:
        """A command that fails as told."""
        if exc is not None:
            raise exc
        print_json({"name": name, "nan": float("nan")})

    return app


@pytest.mark.parametrize(
    ("exc", "code", "message"),
    [
        (SessionFormatError("a.csv", "bad cell", line=3, column="acc_x"), 2, "a.csv, line 3"),
        (DeviceError("/dev/ttyUSB0: no such port"), 2, "/dev/ttyUSB0: no such port"),
        (FileNotFoundError(2, "No such file", "missing.csv"), 2, "missing.csv: no such file"),
        (KeyboardInterrupt(), EXIT_INTERRUPTED, "interrupted"),
    ],
)
def test_user_errors_become_one_line(exc: BaseException, code: int, message: str) -> None:
    result = runner.invoke(make_app(exc), ["--name", "y"])
    assert result.exit_code == code
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_markup_in_messages_is_printed_verbatim() -> None:
    exc = SessionFormatError("[bold]x[/].csv", "expected [t_s]")
    result = runner.invoke(make_app(exc), [])
    assert "[bold]x[/].csv" in result.stderr and "[t_s]" in result.stderr


def test_bugs_keep_their_traceback() -> None:
    result = runner.invoke(make_app(ZeroDivisionError("bug")), [])
    assert result.exit_code == 1
    assert isinstance(result.exception, ZeroDivisionError)


def test_success_prints_strict_json_only() -> None:
    result = runner.invoke(make_app(None), ["--name", "z"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"name": "z", "nan": None}
    assert result.stderr == ""


def test_context_manager_form() -> None:
    with pytest.raises(typer.Exit) as info, user_errors():
        raise SessionFormatError("b.csv", "empty")
    assert info.value.exit_code == EXIT_USER_ERROR


def test_to_json_handles_numpy_scalars() -> None:
    import numpy as np

    text = to_json({"a": np.float64(1.5), "b": np.int64(3), "c": [np.float32("nan")]})
    assert json.loads(text) == {"a": 1.5, "b": 3, "c": [None]}
