"""Serve Leaflet from the app itself so maps render with no internet.

Folium loads Leaflet from CDNs by default; with no network the map stays
blank. `use_local_assets()` points Folium's asset lists at the copy vendored under
`static/vendor/` (served by Streamlit at `/app/static/...` with `server.enableStaticServing`).
`standalone_html()` inlines the same files, for the app's sandboxed map frame and for
downloaded maps, and adds a Content-Security-Policy that lets only those scripts run.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import folium
import folium.folium

from otbasy import paths

STATIC_DIR = paths.STATIC_DIR
STATIC_URL = "/app/static"
LEAFLET_VERSION = "1.9.4"

LOCAL_JS: list[tuple[str, str]] = [("leaflet", f"{STATIC_URL}/vendor/leaflet/leaflet.js")]
LOCAL_CSS: list[tuple[str, str]] = [("leaflet_css", f"{STATIC_URL}/vendor/leaflet/leaflet.css")]

_URL = re.compile(r"https?://[^\s\"'<>)]+")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
TILE_ORIGIN = "https://tile.openstreetmap.org"


def use_local_assets() -> None:
    """Replace Folium's CDN asset lists with the vendored Leaflet (idempotent).

    jQuery, Bootstrap and awesome-markers are dropped: Otbasy maps draw circle markers and
    GeoJSON only, which need nothing but Leaflet.
    """
    folium.Map.default_js = list(LOCAL_JS)
    folium.Map.default_css = list(LOCAL_CSS)
    folium.folium._default_js[:] = LOCAL_JS
    folium.folium._default_css[:] = LOCAL_CSS


def local_path(url: str) -> Path:
    """Map a `/app/static/...` URL to the vendored file on disk."""
    if not url.startswith(STATIC_URL + "/"):
        raise ValueError(f"not a vendored asset URL: {url}")
    return STATIC_DIR / url[len(STATIC_URL) + 1:]


def external_urls(html: str, allowed_prefixes: tuple[str, ...] = ()) -> list[str]:
    """Every http(s) URL in `html` that a browser could fetch, minus allowed prefixes.

    Hyperlinks (`<a href=...>`) are not fetched, so attribution links are ignored.
    """
    found = []
    for match in _URL.finditer(html):
        url = match.group(0)
        before = html[max(0, match.start() - 6):match.start()]
        if "href=" in before and "<link" not in html[max(0, match.start() - 60):match.start()]:
            continue
        if url.startswith(allowed_prefixes):
            continue
        found.append(url)
    return found


def _inline_css(path: Path) -> str:
    """Read a CSS file and embed the images it refers to as data URIs."""
    css = path.read_text(encoding="utf-8")

    def embed(match: re.Match[str]) -> str:
        image = path.parent / match.group(1)
        if not image.exists():
            return match.group(0)
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", embed, css)


def content_security_policy(html: str) -> str:
    """A strict policy for a rendered map: only its own inline scripts run (each allowed by
    its SHA-256, so an injected `<script>` or `onerror=` attribute never does), no script or
    frame from anywhere, no requests but inline images and OpenStreetMap tiles."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode()
        + "'" for code in dict.fromkeys(_INLINE_SCRIPT.findall(html))) or "'none'"
    return ("default-src 'none'; "
            f"script-src {hashes}; "
            "style-src 'unsafe-inline'; "
            f"img-src data: {TILE_ORIGIN}; "
            "base-uri 'none'; form-action 'none'")


def with_csp(html: str) -> str:
    """`html` (a rendered map with every script inline) with `content_security_policy` as
    the first element of its head."""
    meta = (f'<meta http-equiv="Content-Security-Policy" '
            f'content="{content_security_policy(html)}">')
    return html.replace("<head>", "<head>\n    " + meta, 1)


def standalone_html(m: folium.Map) -> str:
    """Render `m` as one self-contained HTML file with Leaflet inlined (opens offline) under
    a strict Content-Security-Policy (`content_security_policy`)."""
    use_local_assets()
    html = m.get_root().render()
    for _, url in LOCAL_JS:
        code = local_path(url).read_text(encoding="utf-8")
        html = html.replace(f'<script src="{url}"></script>', f"<script>{code}</script>")
    for _, url in LOCAL_CSS:
        css = _inline_css(local_path(url))
        html = re.sub(rf'<link rel="stylesheet" href="{re.escape(url)}"\s*/>',
                      lambda _m, css=css: f"<style>{css}</style>", html)
    return with_csp(html)
