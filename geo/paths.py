"""Where the server keeps its shared state: the workspace directory (`OTBASY_WORKSPACE`)."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "OTBASY_WORKSPACE"
DEFAULT_DIR = Path("workspace")


def workspace_dir() -> Path:
    """The workspace directory from `OTBASY_WORKSPACE` (default ./workspace)."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)
