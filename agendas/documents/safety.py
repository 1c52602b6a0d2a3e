"""Opening an uploaded DOCX without trusting it.

Checked before python-docx (and lxml) sees a byte: the size of the upload, the OLE signature of
encrypted Office files, that it is a zip at all, the real uncompressed size of every member (read
in chunks, so a forged size in the zip directory does not help a bomb), the compression ratio of
each large member, and that no XML part declares a DOCTYPE or ENTITY (billion laughs, external
entities). Each refusal is an ``InvalidInput`` with its own catalogue key.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from agendas.errors import InvalidInput

#: Largest upload we look at (Telegram's getFile cap is 20 MB).
MAX_DOCX_BYTES = 20 * 1024 * 1024
#: Largest total uncompressed size of all members.
MAX_UNCOMPRESSED = 50 * 1024 * 1024
#: Largest compression ratio of one member, checked for members above ``RATIO_FLOOR`` bytes.
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 2000

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
_CHUNK = 64 * 1024
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def _mb(size: int) -> int:
    return size // (1024 * 1024)


def check_docx_bytes(
    data: bytes,
    max_bytes: int = MAX_DOCX_BYTES,
    max_uncompressed: int = MAX_UNCOMPRESSED,
    max_ratio: int = MAX_RATIO,
    required: tuple[str, ...] = ("word/document.xml", "[Content_Types].xml"),
) -> None:
    """Refuse a DOCX that is too large, encrypted, not a zip, a zip bomb or carries a DOCTYPE.

    ``required`` names the members the package must have (other OOXML packages, e.g. XLSX, pass
    their own and get the same checks)."""
    if len(data) > max_bytes:
        raise InvalidInput("err-docx-too-large", limit=_mb(max_bytes))
    if data.startswith(OLE_SIGNATURE[:4]):
        raise InvalidInput("err-docx-encrypted")
    if not data.startswith(ZIP_SIGNATURE):
        raise InvalidInput("err-docx-not-zip")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput("err-docx-not-zip") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise InvalidInput("err-docx-bomb")
        declared = sum(info.file_size for info in members)
        if declared > max_uncompressed:
            raise InvalidInput("err-docx-bomb")
        names = {info.filename for info in members}
        if any(member not in names for member in required):
            raise InvalidInput("err-docx-invalid")
        total = 0
        for info in members:
            if info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(
                info.compress_size, 1
            ):
                raise InvalidInput("err-docx-bomb")
            total = _read_member(archive, info, total, max_uncompressed, max_ratio)


def _read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    total: int,
    max_uncompressed: int,
    max_ratio: int,
) -> int:
    """Decompress one member in chunks, enforcing the real sizes; check XML for DOCTYPE."""
    is_xml = info.filename.lower().endswith(_XML_SUFFIXES)
    size = 0
    head = b""
    chunks: list[bytes] = []
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                size += len(chunk)
                total += len(chunk)
                if total > max_uncompressed or (
                    size > RATIO_FLOOR and size > max_ratio * max(info.compress_size, 1)
                ):
                    raise InvalidInput("err-docx-bomb")
                if is_xml:
                    chunks.append(chunk)
                elif not head:
                    head = chunk[:8]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise InvalidInput("err-docx-invalid") from exc
    if is_xml:
        _refuse_doctype(b"".join(chunks))
    return total


def _refuse_doctype(xml: bytes) -> None:
    text = xml
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = xml.decode("utf-16", errors="replace").encode("utf-8")
    lowered = text.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise InvalidInput("err-docx-doctype")


def open_docx_safely(data: bytes, max_bytes: int = MAX_DOCX_BYTES) -> Any:
    """Check ``data`` (see ``check_docx_bytes``) and open it with python-docx."""
    import docx  # on first use: python-docx and lxml are not needed to start the bot

    check_docx_bytes(data, max_bytes=max_bytes)
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx/lxml raise many types for a broken package
        raise InvalidInput("err-docx-invalid") from exc
