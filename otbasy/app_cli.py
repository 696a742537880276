"""Open the web app: `streamlit run otbasy/server.py` with the project's Streamlit settings.

`otbasy/server.py` is an `st.App` serving the bundled script (`app.py` in a checkout,
`otbasy/webapp.py` in an installed wheel, whose folder holds the shipped `static/`) together with
the session-cookie route (`access.web`). The settings of `.streamlit/config.toml` are passed as
command-line flags so they apply whatever the current directory is.
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from pathlib import Path

from otbasy import paths

SERVER = Path(__file__).resolve().parent / "server.py"
PACKAGES_ROOT = SERVER.parent.parent  # the folder holding `otbasy`, `access`, `app_pages`...


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
    return [sys.executable, "-m", "streamlit", "run", str(SERVER), *streamlit_flags(),
            f"--server.port={args.port}", f"--server.address={args.address}"]


def environment() -> dict[str, str]:
    """The server's environment: ours, with the folder of the app's packages first on the
    Python path (Streamlit puts only the server module's own folder there)."""
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(PACKAGES_ROOT), *([path] if path else [])]))


def run(args: argparse.Namespace) -> int:
    """Become the Streamlit server (exec: signals reach it directly); returns only on failure."""
    argv = command(args)
    os.execve(argv[0], argv, environment())  # our own interpreter and script, no shell
    return 1  # not reached
