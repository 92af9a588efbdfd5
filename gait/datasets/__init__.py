"""Data sets: the bundled sample session and a loader for the IPOL healthy-gait recordings."""

from pathlib import Path

from gait.datasets.ipol import IpolFoot, find_ipol_dir, list_ipol_trials, load_ipol_foot

#: The repository root (this file is gait/datasets/__init__.py).
_REPO_ROOT = Path(__file__).resolve().parents[2]


def sample_dir() -> Path:
    """The repository's bundled ``datasets/sample`` folder (the demo session); may not exist."""
    return _REPO_ROOT / "datasets" / "sample"


__all__ = ["IpolFoot", "find_ipol_dir", "list_ipol_trials", "load_ipol_foot", "sample_dir"]
