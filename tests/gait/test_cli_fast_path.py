"""What ``gait analyse FILE --format json --quiet`` loads and how it sets the garbage collector
(issue 22, "a fast command"): no rich (nothing is printed on stderr), the import-time objects
frozen and collections made rarer; the stderr console still works when it is needed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gait.cli import _common

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "sample" / "demo.csv"

_PROBE = """
import gc, json, os, sys
_exit = os._exit
def report(code=0):
    info = {"rich": sorted(m for m in sys.modules if m == "rich" or m.startswith("rich.")),
            "threshold": gc.get_threshold(), "frozen": gc.get_freeze_count(), "code": code}
    sys.stderr.write("PROBE " + json.dumps(info) + "\\n")
    sys.stderr.flush()
    _exit(code)
os._exit = report
sys.argv = ["gait", "analyse", sys.argv[1], "--format", "json", "--quiet"]
from gait.cli import main
main()
"""


def test_analyse_json_quiet_loads_no_rich_and_sets_the_collector() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(DEMO)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    probe = [line for line in out.stderr.splitlines() if line.startswith("PROBE ")]
    assert probe, out.stderr[-2000:]
    info = json.loads(probe[-1][len("PROBE ") :])
    assert info["code"] == 0
    assert info["rich"] == []
    assert info["threshold"] == [50_000, 20, 100]
    assert info["frozen"] > 10_000  # the modules imported before the command ran
    doc = json.loads(out.stdout)
    assert doc["sessions"][0]["summary"]["n_steps"] > 0


def test_the_stderr_console_is_made_once_on_first_use(capsys) -> None:
    first = _common.err_console
    assert first is _common.err_console
    assert first.stderr
    _common.warn("a [bold]markup[/] look-alike stays text")
    assert "warning: a [bold]markup[/] look-alike stays text" in capsys.readouterr().err
