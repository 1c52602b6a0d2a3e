"""``udvalgsbot export … --format pdf``: the dagsorden and protokol as PDF/A from the command line,
in a fresh working folder with the default SQLite database, as a secretary would run it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.support.pdfa import assert_pdfa, pdf_text
from tests.test_import_export import CLOSED_DOC, run_json

SECRET = "Købesummen er 4,2 mio. kr."
PUNKTER = ["1. Godkendelse af dagsorden", "2. Lukket punkt: Salg af grund på Havnevej"]


@pytest.fixture
def meeting_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """A clean folder with the SOU udvalg and one imported meeting with a closed punkt."""
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_BASE", "ADMIN_IDS", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    args = ["udvalg", "create", "SOU", "Sundheds- og Omsorgsudvalget"]
    assert main([*args, "--forvaltning", "Social- og Sundhedsforvaltningen"]) == 0
    source = tmp_path / "lukket.txt"
    source.write_text(CLOSED_DOC, encoding="utf-8")
    return str(run_json(capsys, "import", str(source), "--udvalg", "SOU")["meeting_id"])


def export(meeting_id: str, *args: str) -> int:
    return main(["export", meeting_id, *args])


def test_export_as_pdf_writes_pdfa_and_the_public_edition_hides_the_closed_content(
    meeting_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    internal, public = tmp_path / "intern.pdf", tmp_path / "ud" / "offentlig.bin"
    public.parent.mkdir()
    assert export(meeting_id, "--kind", "protokol", "--format", "pdf", "-o", str(internal)) == 0
    assert str(internal.resolve()) in capsys.readouterr().out
    assert (
        export(meeting_id, "--kind", "protokol", "--public", "--format", "pdf", "-o", str(public))
        == 0
    )
    # An output named .pdf is a PDF without --format; anything else stays Word.
    assert export(meeting_id, "--kind", "dagsorden", "--public", "-o", "dagsorden.pdf") == 0
    assert export(meeting_id, "--kind", "dagsorden", "-o", "dagsorden.docx") == 0
    assert (tmp_path / "dagsorden.docx").read_bytes().startswith(b"PK")

    for path in (internal, public):
        assert_pdfa(path.read_bytes(), PUNKTER)
    assert_pdfa((tmp_path / "dagsorden.pdf").read_bytes(), PUNKTER)

    text = pdf_text(internal.read_bytes())
    assert SECRET in text and "at grunden sælges til højeste bud." in text
    assert "Intern udgave – indeholder lukkede punkter" in text
    for path in (public, tmp_path / "dagsorden.pdf"):
        shown = pdf_text(path.read_bytes())
        assert "2. Lukket punkt: Salg af grund på Havnevej" in shown
        assert SECRET not in shown and "højeste bud" not in shown and "Anbefales." not in shown
        assert "Offentlig udgave" in shown
    assert "Udvalget anbefaler salget." in pdf_text(public.read_bytes())


def test_an_unknown_format_is_refused_by_the_command_line(
    meeting_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        export(meeting_id, "--kind", "protokol", "--format", "odt", "-o", "x.odt")
    assert exit_.value.code == 2
    assert "invalid choice: 'odt'" in capsys.readouterr().err
