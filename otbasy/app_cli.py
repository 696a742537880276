"""Open the web app: `streamlit run` on the bundled app, with the project's Streamlit settings.

Works from a checkout (runs `app.py`) and from an installed wheel (runs `otbasy/webapp.py`, whose
folder holds the shipped `static/`); the settings of `.streamlit/config.toml` are passed as
command-line flags so they apply whatever the current directory is.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib

from otbasy import paths


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `app` arguments."""
    parser.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    parser.add_argument("--address", default="localhost",
                        help="address to listen on (default localhost)")


def streamlit_flags() -> list[str]:
    """`--section.key=value` for every setting of the project's Streamlit config file."""
    config = tomllib.loads(paths.STREAMLIT_CONFIG.read_text(encoding="utf-8"))
    return [f"--{section}.{key}={str(value).lower() if isinstance(value, bool) else value}"
            for section, values in config.items() for key, value in values.items()]


def command(args: argparse.Namespace) -> list[str]:
    """The `streamlit run` command line for these arguments."""
    return [sys.executable, "-m", "streamlit", "run", str(paths.APP_SCRIPT), *streamlit_flags(),
            f"--server.port={args.port}", f"--server.address={args.address}"]


def run(args: argparse.Namespace) -> int:
    """Become the Streamlit server (exec: signals reach it directly); returns only on failure."""
    argv = command(args)
    os.execv(argv[0], argv)  # our own interpreter and script, no shell
    return 1  # not reached
