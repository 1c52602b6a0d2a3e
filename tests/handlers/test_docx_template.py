"""DOCX_TEMPLATE: the municipality's Word template shapes the protocol from chat and the CLI.

A template with its own font, a style of its own and a letterhead in the page header; the
protocol the secretary gets with /protokol and the one ``udvalgsbot export`` writes carry them.
A missing or unsafe template stops ``udvalgsbot run`` before anything is created.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt

from bot.app import build_dispatcher
from bot.cli import main
from bot.i18n import make_i18n
from bot.settings import Settings, SettingsError
from handlers.context import ChatConfig
from storage.engine import make_engine, make_session_factory
from storage.fsm import SqlStorage
from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import ADMIN, SECRETARY, invite_token
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, RecordingSession, make_bot
from tests.support.word import INTERNAL, assert_a4_with_danish_margins

EXAMPLE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "examples"
    / "referat_sundhed_2025-03-04.txt"
)
FONT = "Garamond"
LETTERHEAD = "Egeby Kommune · Rådhuspladsen 1 · 4000 Egeby"
OWN_STYLE = "Egeby Signatur"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def make_template() -> bytes:
    template = docx.Document()
    template.styles["Normal"].font.name = FONT
    template.styles["Normal"].font.size = Pt(13)
    template.styles.add_style(OWN_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    template.sections[0].header.paragraphs[0].text = LETTERHEAD
    template.add_paragraph("Skabelonens eksempeltekst")
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def assert_carries_template(content: bytes) -> None:
    document: Any = docx.Document(io.BytesIO(content))
    assert document.styles["Normal"].font.name == FONT
    assert document.styles["Normal"].font.size == Pt(13)
    assert OWN_STYLE in [s.name for s in document.styles]
    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    assert LETTERHEAD in header and "Beslutningsprotokol" in header
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Skabelonens eksempeltekst" not in body  # the template's body is not copied
    assert "Ny model for genoptræning efter sygehusophold" in body
    assert "Anbefales med 3 stemmer for (A, V, F) og 1 stemme imod (Ø)." in body
    # The template is US Letter (python-docx's default): the protocol is put on A4 all the same,
    # with the edition in the header under the letterhead.
    assert_a4_with_danish_margins(content)
    assert f"{INTERNAL} · Udkast" in header


@pytest.fixture
def example() -> bytes:
    if not EXAMPLE.is_file():
        pytest.fail(f"the shared example {EXAMPLE} is missing", pytrace=False)
    return EXAMPLE.read_bytes()


@pytest.fixture
async def templated_chat(database_url: str, clock: FrozenClock) -> AsyncIterator[ChatHarness]:
    """The bot as the composition root builds it when DOCX_TEMPLATE is set."""
    engine = make_engine(database_url)
    session_factory = make_session_factory(engine)
    session = RecordingSession()
    dp = build_dispatcher(
        storage=SqlStorage(session_factory),
        uow_factory=lambda: SqlUnitOfWork(session_factory),
        i18n=make_i18n("da"),
        config=ChatConfig(clock=clock, invite_ttl=timedelta(days=7), docx_template=make_template()),
        admin_ids=frozenset({ADMIN.id}),
    )
    yield ChatHarness(dispatcher=dp, bot=make_bot(session), session=session)
    await engine.dispose()


async def test_the_protocol_in_chat_uses_the_template(
    templated_chat: ChatHarness, example: bytes, clock: FrozenClock
) -> None:
    chat = templated_chat
    clock.current = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)  # the day after the imported meeting
    await chat.send(ADMIN, "/nytudvalg SOU Sundheds- og Omsorgsudvalget; Social- og Sundhed")
    [link] = await chat.send(ADMIN, "/inviter SOU sekretaer")
    await chat.send(SECRETARY, f"/start {invite_token(link.text or '')}")
    [offer] = await chat.send_document(SECRETARY, "referat.txt", example, mime_type="text/plain")
    await chat.press(SECRETARY, offer, offer.button("Importér som møde i SOU"))

    calls = await chat.send(SECRETARY, "/protokol")
    [sent] = [c for c in calls if c.method == "sendDocument"]
    assert sent.document_name == "Beslutningsprotokol SOU 2025-03-04.docx"
    assert_carries_template(sent.document_bytes or b"")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_BASE", "ADMIN_IDS", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DOCX_TEMPLATE", raising=False)
    return tmp_path


def test_the_exported_protocol_uses_the_template(
    workdir: Path,
    example: bytes,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["udvalg", "create", "SOU", "Sundheds- og Omsorgsudvalget", "--forvaltning", "SSF"]
    assert main(args) == 0
    (workdir / "referat.txt").write_bytes(example)
    assert main(["import", "referat.txt", "--udvalg", "SOU"]) == 0
    (workdir / "skabelon.docx").write_bytes(make_template())
    monkeypatch.setenv("DOCX_TEMPLATE", str(workdir / "skabelon.docx"))

    assert main(["export", "1", "--kind", "protokol", "-o", "protokol.docx"]) == 0

    assert_carries_template((workdir / "protokol.docx").read_bytes())
    capsys.readouterr()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "cannot be read"),
        (b"Dette er ikke et Word-dokument", "not a .docx file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "encrypted or in the old .doc"),
    ],
)
def test_run_refuses_a_missing_or_unusable_template(
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    says: str,
) -> None:
    path = workdir / "skabelon.docx"
    if content is not None:
        path.write_bytes(content)
    monkeypatch.setenv("BOT_TOKEN", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1")
    monkeypatch.setenv("DOCX_TEMPLATE", str(path))

    assert main(["run"]) == 2

    err = capsys.readouterr().err
    assert "DOCX_TEMPLATE" in err and says in err and str(path) in err
    assert not (workdir / "data").exists(), "nothing is created with a bad template"


def test_the_template_setting_loads_once_checked_bytes(tmp_path: Path) -> None:
    path = tmp_path / "skabelon.docx"
    path.write_bytes(make_template())
    settings = Settings(_env_file=None, docx_template=path)  # type: ignore[call-arg]
    assert settings.read_docx_template() == path.read_bytes()
    assert Settings(_env_file=None).read_docx_template() is None  # type: ignore[call-arg]
    with pytest.raises(SettingsError, match="DOCX_TEMPLATE"):
        Settings(_env_file=None, docx_template=tmp_path).read_docx_template()  # type: ignore[call-arg]
