"""Signed session tokens: what the browser keeps (in an HTTP-only cookie) to stay signed in.

A token is `v1.<claims>.<mac>`: base64url JSON claims (username `u`, server-side session id
`sid`, issue time `iat`, expiry `exp`) and their HMAC-SHA256 under the workspace's session key.
Any edit of the claims (another username, a later expiry) breaks the MAC, which is compared in
constant time. The token only says which server-side session it belongs to; whether that
session is still open (not signed out, account unchanged, not idle) is decided by
`access.session_store` on every run.

The key is 32 random bytes in `workspace/session.key` (`OTBASY_SESSION_KEY`), created 0600
and atomically (two processes starting at once end up with the same key), and replaced by
`rotate_key` (`python -m access rotate-session-key`), which makes every token issued before
invalid.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from geo.atomic import PRIVATE, atomic_write_bytes
from geo.paths import workspace_dir

VERSION = "v1"
KEY_BYTES = 32
MAX_TOKEN_CHARS = 1024  # a longer cookie is refused before any parsing


class TokenError(ValueError):
    """A token that is refused; `reason` is a short code for the audit log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Claims:
    """What a valid token says: who, which server-side session, issued and expiring when."""

    username: str
    sid: str
    issued: float
    expires: float


def key_path() -> Path:
    """Where the session key is: `OTBASY_SESSION_KEY` or workspace/session.key."""
    return Path(os.environ.get("OTBASY_SESSION_KEY") or workspace_dir() / "session.key")


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` (0600) holding `data` unless it already exists: the file is written and
    synced under a temporary name, then hard-linked into place, which fails if another process
    got there first (its key is kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.pid{os.getpid()}.tmp-",
                                   dir=path.parent))
    try:
        tmp = folder / path.name
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):  # another process's key stays
            os.link(tmp, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def load_key(path: Path | None = None) -> bytes:
    """The session key, created on first use; a damaged key file is an error, never replaced
    silently (that would sign everyone out without a trace)."""
    path = path or key_path()
    if not path.exists():
        _write_new(path, secrets.token_hex(KEY_BYTES).encode("ascii"))
    if path.stat().st_mode & 0o077:
        os.chmod(path, PRIVATE)
    text = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError as err:
        raise ValueError(f"{path}: the session key is not hexadecimal") from err
    if len(key) < KEY_BYTES:
        raise ValueError(f"{path}: the session key has {len(key)} bytes, expected {KEY_BYTES}")
    return key


def rotate_key(path: Path | None = None) -> None:
    """Replace the session key atomically: every token signed before is refused from now on."""
    atomic_write_bytes(path or key_path(), secrets.token_hex(KEY_BYTES).encode("ascii"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, signed: str) -> str:
    return _b64(hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest())


def sign(claims: Claims, key: bytes) -> str:
    """The token carrying `claims`, signed with `key`."""
    body = json.dumps({"u": claims.username, "sid": claims.sid, "iat": int(claims.issued),
                       "exp": int(claims.expires)}, separators=(",", ":"), sort_keys=True)
    signed = f"{VERSION}.{_b64(body.encode('utf-8'))}"
    return f"{signed}.{_mac(key, signed)}"


def verify(token: str, key: bytes, now: float) -> Claims:
    """The claims of `token` if its MAC is right and it has not expired, else TokenError
    (`malformed`, `bad_signature`, `expired`)."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise TokenError("malformed")
    version, body, mac = token.split(".")
    if version != VERSION:
        raise TokenError("malformed")
    if not hmac.compare_digest(_mac(key, f"{version}.{body}").encode("ascii"),
                               mac.encode("ascii", "replace")):
        raise TokenError("bad_signature")
    try:
        data = json.loads(_unb64(body))
        claims = Claims(str(data["u"]), str(data["sid"]), float(data["iat"]),
                        float(data["exp"]))
    except (ValueError, KeyError, TypeError, binascii.Error) as err:
        raise TokenError("malformed") from err
    if now >= claims.expires or claims.issued > now + 60:  # 60 s of clock skew between workers
        raise TokenError("expired")
    return claims
