"""The one logging configuration of Otbasy's command-line tools and web app.

Libraries (geo, planning, access, ui) only create `logging.getLogger(__name__)` loggers; the
entry points call `configure` once. Messages go to stderr so that `--json` output stays clean.
"""

from __future__ import annotations

import logging
import os

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(verbosity: int = 0) -> None:
    """Warnings by default, info with -v, debug with -vv (or OTBASY_LOG_LEVEL=DEBUG)."""
    level = os.environ.get("OTBASY_LOG_LEVEL", "").upper() or (
        "DEBUG" if verbosity >= 2 else "INFO" if verbosity == 1 else "WARNING")
    logging.basicConfig(level=level, format=FORMAT)
    logging.captureWarnings(True)
