"""Malicious or broken DOCX uploads are refused with their own message, before parsing."""

from __future__ import annotations

import io
import zipfile

import pytest

from agendas.documents import open_docx_safely, parse_document, render_dagsorden
from agendas.documents.safety import check_docx_bytes
from agendas.errors import InvalidInput
from tests.documents.builders import meeting


def good_docx() -> bytes:
    return render_dagsorden(meeting(), public=False)


def rezip(data: bytes, replace: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.pop(info.filename, source.read(info)))
        for name, content in replace.items():
            target.writestr(name, content)
    return out.getvalue()


def refused(data: bytes, **kwargs: int) -> str:
    with pytest.raises(InvalidInput) as caught:
        open_docx_safely(data, **kwargs)
    return caught.value.key


def test_a_good_docx_opens() -> None:
    document = open_docx_safely(good_docx())
    assert document.paragraphs[0].text == "Sundheds- og Omsorgsudvalget"


def test_not_a_zip() -> None:
    assert refused(b"PK\x03\x04 but then nothing sensible") == "err-docx-not-zip"
    with pytest.raises(InvalidInput) as caught:
        check_docx_bytes(b"Hello, this is plain text")
    assert caught.value.key == "err-docx-not-zip"


def test_encrypted_ole_file() -> None:
    assert refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600) == "err-docx-encrypted"
    with pytest.raises(InvalidInput) as caught:
        parse_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert caught.value.key == "err-docx-encrypted"


def test_zip_bomb_by_ratio() -> None:
    bomb = rezip(good_docx(), {"word/media/zeros.bin": b"\x00" * (8 * 1024 * 1024)})
    assert len(bomb) < 200_000  # tiny on the wire
    assert refused(bomb) == "err-docx-bomb"


def test_zip_bomb_by_total_size() -> None:
    # stored, not compressed: no ratio trick, only the total uncompressed size is too large
    data = rezip(good_docx(), {"word/media/big.bin": b"x" * (3 * 1024 * 1024)}, zipfile.ZIP_STORED)
    with pytest.raises(InvalidInput) as caught:
        check_docx_bytes(data, max_uncompressed=2 * 1024 * 1024)
    assert caught.value.key == "err-docx-bomb"


@pytest.mark.parametrize(
    "declaration",
    [
        b'<!DOCTYPE lolz [<!ENTITY lol "lol">]>',
        b'<!ENTITY xxe SYSTEM "file:///etc/passwd">',
        b"<!doctype w:document>",
    ],
)
def test_doctype_or_entity_in_any_xml_part(declaration: bytes) -> None:
    original = zipfile.ZipFile(io.BytesIO(good_docx())).read("word/document.xml")
    head, rest = original.split(b"?>", 1)
    poisoned = rezip(good_docx(), {"word/document.xml": head + b"?>" + declaration + rest})
    assert refused(poisoned) == "err-docx-doctype"
    styles = rezip(good_docx(), {"word/styles.xml": b"<?xml version='1.0'?>" + declaration})
    assert refused(styles) == "err-docx-doctype"


def test_too_large() -> None:
    data = good_docx()
    assert refused(data, max_bytes=len(data) - 1) == "err-docx-too-large"
    with pytest.raises(InvalidInput) as caught:
        parse_document(data, max_bytes=1024)
    assert caught.value.key == "err-docx-too-large"


def test_zip_without_word_document() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a word file")
    assert refused(out.getvalue()) == "err-docx-invalid"


def test_a_broken_pdf_is_refused_as_unreadable() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_document(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 ...")
    assert caught.value.key == "err-pdf-unreadable"


def test_every_refusal_has_a_danish_and_english_text() -> None:
    from pathlib import Path

    keys = {
        "err-docx-not-zip",
        "err-docx-encrypted",
        "err-docx-bomb",
        "err-docx-doctype",
        "err-docx-too-large",
        "err-docx-invalid",
        "err-import-no-punkter",
        "err-import-no-date",
        "err-import-unsupported",
    }
    root = Path(__file__).resolve().parents[2] / "bot" / "locales"
    for language in ("da", "en"):
        text = (root / language / "LC_MESSAGES" / "documents.po").read_text(encoding="utf-8")
        for key in keys:
            assert f'msgid "{key}"' in text, (language, key)
