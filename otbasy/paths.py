"""Where the bundled data/ and static/ folders are, in a checkout and in an installed wheel.

In a wheel they ship inside the `otbasy` package (`otbasy/data`, `otbasy/static`, mapped in
pyproject.toml) and are found through `importlib.resources`; in a checkout (or an editable
install) they are the repository's top-level `data/` and `static/` folders.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _bundled(name: str) -> Path:
    """The folder `name` shipped with the package, else the checkout's top-level one."""
    packaged = Path(str(resources.files("otbasy").joinpath(name)))
    return packaged if packaged.is_dir() else _CHECKOUT / name


DATA_DIR: Path = _bundled("data")
STATIC_DIR: Path = _bundled("static")
# The Streamlit main script: Streamlit serves `static/` from the folder beside it.
APP_SCRIPT: Path = (STATIC_DIR.parent / "app.py" if (STATIC_DIR.parent / "app.py").is_file()
                    else Path(__file__).resolve().parent / "webapp.py")
STREAMLIT_CONFIG: Path = (_CHECKOUT / ".streamlit" / "config.toml"
                          if (_CHECKOUT / ".streamlit" / "config.toml").is_file()
                          else _bundled("streamlit_config") / "config.toml")
