"""Atomic, private file writes: write in a private temporary folder beside the target, fsync,
then rename over the target.

A crash or kill in the middle of a save leaves the previous version intact and readable,
because `os.replace` within one filesystem is atomic. The temporary folder is created 0700 and
the file is 0600 before it is renamed, so no other account can read a half-written or a
finished file at any moment. A killed save leaves its folder behind, named after the saving
process; `remove_leftovers` (called when the workspace opens) deletes those of dead processes.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)
PRIVATE = 0o600
_LEFTOVER = re.compile(r"^\..+\.pid(\d+)\.tmp-[A-Za-z0-9_]+$")


@contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it over `path` (mode 0600).

    Use it for writers that want a file name (GeoPandas `to_file`, SQLite, Folium `save`).
    The temporary file keeps the target's suffix so drivers that guess the format still work.
    On error the temporary file is removed and `path` is untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.pid{os.getpid()}.tmp-",
                                   dir=target.parent))  # mode 0700
    tmp = folder / (target.stem + (suffix if suffix is not None else target.suffix))
    try:
        yield tmp
        if tmp.exists():
            os.chmod(tmp, PRIVATE)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` atomically; the file is created 0600."""
    with atomic_path(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write `text` to `path` atomically."""
    atomic_write_bytes(path, text.encode(encoding))


def create_private(path: str | os.PathLike[str]) -> Path:
    """Create `path` empty with mode 0600 unless it exists (for SQLite databases and locks,
    which would otherwise be created with the umask's mode); an existing file that others
    can read (written by an earlier version) is made 0600."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        if p.stat().st_mode & 0o077:
            os.chmod(p, PRIVATE)
    return p


def remove_leftovers(folder: str | os.PathLike[str]) -> list[Path]:
    """Delete the temporary folders of saves whose process has died (killed mid-save);
    returns what was removed. Saves of running processes are left alone."""
    removed: list[Path] = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if match and entry.is_dir() and not _alive(int(match.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:  # e.g. a platform without directory handles: the rename stands
        log.debug("cannot open %s to fsync it: %s", folder, exc)
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some filesystems refuse fsync on directories
        log.debug("fsync of %s failed: %s", folder, exc)
    finally:
        os.close(fd)
