"""Check an uploaded file as a layer before anything is replaced.

Nothing about an upload is trusted: its name may be `..`, hold NUL or control characters or
be hundreds of bytes long, and its bytes may be built to crash or exhaust a parser. The name
is only shown (cleaned and shortened), never used as a path; the bytes are read under the
server's limits (`geo.limits`); every failure comes back as problems, never as an exception.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePosixPath

import geopandas as gpd

from geo.io import ACCEPTED, LayerError, Problem, read_layer
from geo.limits import limits, truncate

MAX_PROBLEMS = 1000  # problems returned for one file; the last one says how many more


def display_name(file_name: str) -> str:
    """The upload's name as shown in messages: the last path part, control characters
    removed, at most 100 characters ("upload" when nothing is left)."""
    base = re.split(r"[\\/]", str(file_name))[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if base in ("", ".", ".."):
        return "upload"
    return base if len(base) <= 100 else base[:80] + "..." + base[-17:]


def check_upload(file_name: str, data: bytes, layer: str,
                 country: str | None = None) -> tuple[gpd.GeoDataFrame | None, list[Problem]]:
    """Validate uploaded bytes as `layer` with the `geo` checks.

    Returns (layer, []) when every check passes, else (None, problems). Problems name the
    uploaded file (cleaned, not the temporary copy), the 1-based row and the field.
    """
    name = display_name(file_name)
    lim = limits()
    if len(str(file_name).encode("utf-8", errors="replace")) > lim.max_name_bytes:
        return None, [Problem(name, None, None, f"the file name is longer than "
                                                f"{lim.max_name_bytes} bytes: rename the file")]
    cap = lim.upload_max_bytes  # Streamlit's server.maxUploadSize should match it
    if len(data) > cap:
        return None, [Problem(name, None, None, f"is {len(data) / 1024 / 1024:.1f} MB; uploads "
                                                f"are limited to {cap / 1024 / 1024:g} MB")]
    suffix = PurePosixPath(name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        # the name on disk is ours: only the (accepted) extension comes from the user
        safe = suffix if suffix in ACCEPTED else re.sub(r"[^a-z0-9.]", "", suffix)[:10]
        path = Path(tmp) / f"upload{safe}"
        path.write_bytes(data)
        try:
            gdf = read_layer(path, layer, country=country)
        except LayerError as exc:
            return None, _renamed(exc.problems, str(path), name)
        except Exception as exc:  # ValueError, OverflowError, csv.Error ... from a parser:
            return None, [_unreadable(exc, str(path), name)]  # a problem, never a traceback
    gdf.attrs.pop("notes", None)
    return gdf, []


def _renamed(problems: list[Problem], temp: str, name: str) -> list[Problem]:
    """Problems naming the upload instead of the temporary copy, messages bounded."""
    out = [Problem(name, p.row, p.field if p.field is None else truncate(p.field, 100),
                   truncate(p.message.replace(temp, name)), p.level)
           for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        out.append(Problem(name, None, None,
                           f"... and {len(problems) - MAX_PROBLEMS:,} more problems"))
    return out


def _unreadable(exc: BaseException, temp: str, name: str) -> Problem:
    detail = truncate(str(exc).replace(temp, name), 120)
    return Problem(name, None, None, f"could not be read ({type(exc).__name__}: {detail})")
