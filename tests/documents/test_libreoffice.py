"""The exported protocol opens in LibreOffice (Debian: libreoffice-writer, poppler-utils)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from agendas.documents import render_protokol
from tests.documents.builders import UDVALG, meeting


@pytest.mark.libreoffice
def test_libreoffice_converts_the_protokol_to_pdf(tmp_path: Path) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    assert office, "libreoffice is not installed (apt-get install libreoffice-writer)"
    source = tmp_path / "protokol.docx"
    source.write_bytes(render_protokol(meeting(), public=False))
    env = {**os.environ, "HOME": str(tmp_path)}  # a private profile: no clash with other runs
    completed = subprocess.run(
        [office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    pdf = tmp_path / "protokol.pdf"
    assert completed.returncode == 0, completed.stderr
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF"), completed.stdout
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:  # the PDF exists; without poppler we cannot read its text
        return
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        UDVALG,
        "Beslutningsprotokol",
        "3. Ny model for genoptræning efter sygehusophold",
        "4. Lukket punkt: Køb af ejendom til midlertidige døgnpladser",
        "Mødet afsluttet kl. 16.05",
    ):
        assert expected in text, expected
    assert text.index("3. Ny model") < text.rindex("5. Eventuelt")
