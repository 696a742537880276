"""Text encodings of registry files: detection with charset-normalizer, plus Kazakh KZ-1048.

Registries arrive as UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", with or
without BOM), Windows-1251, DOS CP866, KOI8-R, or Kazakhstan's Windows-1048 (KZ-1048, RK
1048-2002). Python has no KZ-1048 codec, so one is registered here: it is Windows-1251 with 16
positions re-assigned to the Kazakh letters Ә Ғ Қ Ң Ө Ұ Ү Һ (table checked against glibc's
RK1048). charset-normalizer chooses among the Cyrillic code pages; a Windows-1251 guess that
uses any of those 16 positions is KZ-1048 (in Windows-1251 they are Serbian, Macedonian and
Ukrainian letters, which a Kazakh or Russian registry does not contain).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

KZ1048 = "kz1048"
# byte -> Kazakh letter where KZ-1048 differs from Windows-1251
_KZ1048_DIFF = {0x8D: "Қ", 0x8E: "Һ", 0x9D: "қ", 0x9E: "һ", 0xA1: "Ұ", 0xA2: "ұ", 0xA3: "Ә",
                0xA5: "Ө", 0xAA: "Ғ", 0xAF: "Ү", 0xB4: "ө", 0xBA: "ғ", 0xBC: "ә", 0xBD: "Ң",
                0xBE: "ң", 0xBF: "ү"}
# Candidates for files that are not UTF-8; the order breaks ties (Excel's default first).
CANDIDATES = ("cp1251", "cp866", "koi8_r", "utf_16_le", "utf_16_be")
_SAMPLE = 256 * 1024  # bytes given to the detector: bounded time on any file size


def _kz1048_table() -> str:
    chars = []
    for byte in range(256):
        try:
            chars.append(_KZ1048_DIFF.get(byte) or bytes([byte]).decode("cp1251"))
        except UnicodeDecodeError:  # 0x98 is undefined in both code pages
            chars.append("\ufffe")
    return "".join(chars)


_DECODING = _kz1048_table()
_ENCODING = codecs.charmap_build(_DECODING)


def _encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
    return codecs.charmap_encode(text, errors, _ENCODING)


def _decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
    return codecs.charmap_decode(data, errors, _DECODING)


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("-", "_") not in (KZ1048, "cp1048", "rk1048", "kz_1048"):
        return None
    return codecs.CodecInfo(_encode, _decode, name=KZ1048)  # type: ignore[arg-type]


codecs.register(_search)


def guess(data: bytes) -> str | None:
    """The encoding of BOM-less text `data`: "utf-8", a Cyrillic code page, or None (binary)."""
    sample = data[:_SAMPLE]
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a character cut by the sample's end
            return "utf-8"
    best = from_bytes(sample, cp_isolation=list(CANDIDATES)).best()
    if best is None:
        return None
    encoding = best.encoding
    if encoding == "cp1251" and any(b in _KZ1048_DIFF for b in set(sample)):
        return KZ1048
    return encoding


def dbf_encoding(dbf: Path) -> str | None:
    """Encoding to force for a .dbf without .cpg, or None to let GDAL decide.

    GDAL reads the code page from the DBF header's language-driver byte (e.g. 0x65 DOS
    Russian, 0xC9 Windows Cyrillic) by itself; only when that byte is 0 (unknown, GDAL would
    assume ISO-8859-1) is the encoding guessed from the records.
    """
    with dbf.open("rb") as fh:
        header = fh.read(32)
        records = fh.read(_SAMPLE)
    if len(header) == 32 and header[29] != 0:
        return None
    if records.isascii():
        return None
    encoding = guess(records.replace(b"\x00", b" "))
    gdal_names = {"utf-8": "UTF-8", KZ1048: "RK1048", None: "CP1251"}
    return gdal_names.get(encoding) or str(encoding).upper()
