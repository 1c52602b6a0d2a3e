"""Import of an agenda or protocol and export as Word, from the command line and as a service.

The command-line tests run ``udvalgsbot import`` / ``export`` in a fresh working folder with the
default SQLite database, as a secretary would; the service tests call ``import_meeting`` on a
migrated SQLite database to cover what the command line cannot set up (members, refusals).
"""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
import pytest

from agendas.documents import parse_docx, parse_text, render_protokol
from agendas.documents.safety import MAX_DOCX_BYTES
from agendas.errors import InvalidInput, NotAllowed
from agendas.meeting.documents import build_document
from agendas.meeting.loading import load_view
from agendas.model import SYSTEM_ACTOR, Actor, Membership, Person, Role
from agendas.protocol import AttendanceStatus, SagRange
from agendas.services.committees import create_udvalg
from agendas.services.imports import import_meeting
from agendas.services.punkter import attach_bilag, get_bilag
from bot.cli import main
from storage import migrate
from storage.engine import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.support.pdf import make_pdf
from tests.support.word import (
    INTERNAL,
    PUBLIC,
    assert_a4_with_danish_margins,
    body_lines,
    header_text,
    open_word,
)

EXAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "examples"
EXAMPLE = EXAMPLES / "referat_sundhed_2025-03-04.txt"
TITLES = [
    "Godkendelse af dagsorden",
    "Meddelelser",
    "Status på handleplan mod ensomhed 2025-2026",
    "Ny model for genoptræning efter sygehusophold",
    "Køb af ejendom til midlertidige døgnpladser",
    "Eventuelt",
]
DB_FILE = Path("data") / "udvalgsbot.sqlite3"
ZONE = "Europe/Copenhagen"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

#: A closed punkt with content that the public version must not show.
CLOSED_DOC = """Sundheds- og Omsorgsudvalget
12-05-2025
Kl. 14.00, Mødelokale 1
Godkendelse af dagsorden
Sag nr. 1
Beslutning
Godkendt.
Lukket punkt: Salg af grund på Havnevej
Sag nr. 2
Beslutningskompetence: KB
Sagens kerne
Købesummen er 4,2 mio. kr. og fortrolig indtil skødet er underskrevet.
Indstilling
Social- og Sundhedsforvaltningen indstiller,
at grunden sælges til højeste bud.
Beslutning
Anbefales.
Offentlig beslutningstekst
Udvalget anbefaler salget.
Mødet afsluttet kl. 15.30
"""


@pytest.fixture
def example() -> Path:
    if not EXAMPLE.is_file():
        pytest.fail(f"the shared example {EXAMPLE} is missing", pytrace=False)
    return EXAMPLE


@pytest.fixture
def example_text(example: Path) -> str:
    return example.read_text(encoding="utf-8")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with no .env and a clean environment, with the SOU udvalg created."""
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_BASE", "ADMIN_IDS", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    args = ["udvalg", "create", "SOU", "Sundheds- og Omsorgsudvalget"]
    assert main([*args, "--forvaltning", "Social- og Sundhedsforvaltningen"]) == 0
    return tmp_path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main([*args, "--json"]) == 0
    payload: dict[str, Any] = json.loads(capsys.readouterr().out)  # exactly one JSON object
    return payload


def stored(workdir: Path) -> tuple[int, int, int]:
    """How many meetings, punkter and decisions the database holds."""
    with sqlite3.connect(workdir / DB_FILE) as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("moede", "punkt", "punkt_decision")
        )


def paragraphs(path: Path) -> list[tuple[str, str]]:
    document = docx.Document(str(path))
    return [(p.style.name if p.style else "", p.text) for p in document.paragraphs]


def headings(path: Path, level: int) -> list[str]:
    return [text for style, text in paragraphs(path) if style == f"Heading {level}"]


def body_text(path: Path) -> str:
    return "\n".join(text for _, text in paragraphs(path))


def structure(payload: dict[str, Any]) -> dict[str, Any]:
    """What must survive a round trip (bilag names have no storage without their files)."""
    keys: tuple[str, ...] = ("number", "title", "kind", "closed", "beslutningskompetence")
    keys += ("journal_number", "sagstype", "sections", "beslutning", "public_beslutning")
    keys += ("inhabile", "remarks")
    return {
        "date": payload["date"],
        "start_time": payload["start_time"],
        "place": payload["place"],
        "end_time": payload["end_time"],
        "punkter": [{k: p[k] for k in keys} for p in payload["punkter"]],
    }


# --- the command line ----------------------------------------------------------------------------


def test_import_of_the_example_prints_its_six_punkter_as_json(
    workdir: Path, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = run_json(capsys, "import", str(example), "--udvalg", "sou")

    assert isinstance(payload["meeting_id"], int)
    punkter = payload["punkter"]
    assert [p["title"] for p in punkter] == TITLES
    assert [p["number"] for p in punkter] == [1, 2, 3, 4, 5, 6]
    assert [p["closed"] for p in punkter] == [False] * 4 + [True, False]
    assert [p["kind"] for p in punkter] == [
        "godkendelse",
        "meddelelser",
        "sag",
        "sag",
        "sag",
        "eventuelt",
    ]
    assert punkter[3]["beslutningskompetence"] == "KB"
    assert punkter[3]["beslutning"] == (
        "Anbefales med 3 stemmer for (A, V, F) og 1 stemme imod (Ø)."
    )
    assert punkter[3]["remarks"][0]["member"] == "Anne Lund (Ø)"
    assert punkter[2]["sections"]["lov_og_plangrundlag"] == "Lov om social service § 79."
    assert punkter[1]["bilag"] == [
        "Nyhedsbrev fra sundhedsplejen, februar 2025",
        "Program for temadag om demens",
    ]
    assert payload["end_time"] == "16:05"
    assert payload["unplaced"] == []
    # The bilag files are not in the document: the caller is told, not left guessing.
    assert any("Skitse af ombygning" in note for note in payload["notes"])
    assert stored(workdir) == (1, 6, 6)


def test_import_prints_a_danish_summary_with_the_unplaced_lines(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = workdir / "dagsorden.txt"
    source.write_text(
        CLOSED_DOC.replace("Sag nr. 2\n", "Sag nr. 2\nDenne linje hører ingen steder hjemme\n"),
        encoding="utf-8",
    )
    capsys.readouterr()

    assert main(["import", str(source), "--udvalg", "SOU"]) == 0

    out = capsys.readouterr().out
    assert "Importeret som møde 1: Sundheds- og Omsorgsudvalget 12-05-2025 kl. 14.00" in out
    assert "2 punkter" in out
    assert "1 linje kunne ikke placeres. Tjek den" in out
    assert "linje 10: Denne linje hører ingen steder hjemme" in out


def test_import_adds_the_members_it_names_to_the_roster_when_asked(
    workdir: Path, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the flag the members are listed as not on the roster; with it they are added
    with their attendance, and the exported protocol names every one with party and title."""
    capsys.readouterr()
    assert main(["import", str(example), "--udvalg", "SOU"]) == 0
    assert "Ikke på medlemslisten: Lene Holm (A), Per Vinther (V)" in capsys.readouterr().out

    payload = run_json(
        capsys, "import", str(example), "--udvalg", "SOU", "--tilfoej-medlemmer", "--opdater"
    )
    members = ["Lene Holm (A)", "Per Vinther (V)", "Sara Dalgaard (F)", "Mikkel Storm (C)"]
    members.append("Anne Lund (Ø)")
    assert payload["unknown_members"] == members and payload["added_members"] == members
    path = workdir / "protokol.docx"
    assert main(["export", str(payload["meeting_id"]), "--kind", "protokol", "-o", str(path)]) == 0
    protokol = body_text(path)
    for line in ("Lene Holm (A), formand", "Per Vinther (V), næstformand", "Anne Lund (Ø)"):
        assert line in protokol, line
    assert "Fraværende\nMikkel Storm (C), sag 3-5" in protokol
    # A third import finds them on the roster: nobody left to add.
    again = run_json(
        capsys, "import", str(example), "--udvalg", "SOU", "--tilfoej-medlemmer", "--opdater"
    )
    assert again["unknown_members"] == [] and again["added_members"] == []


def test_export_of_the_imported_protocol_and_agenda_as_word(
    workdir: Path, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meeting_id = str(run_json(capsys, "import", str(example), "--udvalg", "SOU")["meeting_id"])
    files = {
        "protokol": workdir / "out" / "protokol.docx",
        "protokol-public": workdir / "protokol-offentlig.docx",
        "dagsorden": workdir / "dagsorden.docx",
        "dagsorden-public": workdir / "dagsorden-offentlig.docx",
    }
    files["protokol"].parent.mkdir()
    for name, path in files.items():
        kind, _, variant = name.partition("-")
        extra = ["--public"] if variant else []
        assert main(["export", meeting_id, "--kind", kind, *extra, "-o", str(path)]) == 0
        assert str(path.resolve()) in capsys.readouterr().out

    numbered = [f"{n}. {t}" for n, t in enumerate(TITLES, 1)]
    numbered[4] = "5. Lukket punkt: Køb af ejendom til midlertidige døgnpladser"
    for path in files.values():
        assert headings(path, 1) == numbered

    protokol = body_text(files["protokol"])
    assert "Beslutningsprotokol" in protokol
    assert "Anbefales med 3 stemmer for (A, V, F) og 1 stemme imod (Ø)." in protokol
    assert 'Anne Lund (Ø) ønsker følgende tilført protokollen: "Ø kan ikke støtte' in protokol
    assert protokol.rstrip().endswith("Mødet afsluttet kl. 16.05")
    assert "Anbefales." in protokol  # the closed punkt's decision, internal version

    public = paragraphs(files["protokol-public"])
    closed_at = public.index(("Heading 1", numbered[4]))
    closed_part = [
        text for _, text in public[closed_at + 1 : public.index(("Heading 1", numbered[5]))]
    ]
    assert closed_part == ["Sag nr. 5", "Beslutningskompetence: KB"]

    dagsorden = body_text(files["dagsorden"])
    assert "Dagsorden" in dagsorden
    assert "Beslutning" not in headings(files["dagsorden"], 2)
    assert "Mødet afsluttet" not in dagsorden
    assert "Sundhedsloven § 140." in dagsorden

    # Every file A4 with Danish margins; the edition in the header and the properties; the
    # imported protocol has not been approved in the bot, so it is a draft.
    for name, path in files.items():
        data = path.read_bytes()
        assert_a4_with_danish_margins(data)
        edition = PUBLIC if name.endswith("public") else INTERNAL
        props = open_word(data).core_properties
        assert edition in header_text(data) and props.subject == edition, name
        assert (props.author, props.language) == ("Social- og Sundhedsforvaltningen", "da-DK")
        draft = name.startswith("protokol")
        assert (props.content_status == "Udkast") is draft, name
        assert ("Udkast" in body_lines(data)[:3]) is draft, name
        assert "Godkendelse" not in body_lines(data)


CLOSED_AMONG_OPEN = """Sundheds- og Omsorgsudvalget
12-05-2025
Godkendelse af dagsorden
Sag nr. 1
Lukket punkt: Salg af grund på Havnevej
Sag nr. 2
Sagens kerne
Fortroligt.
Ny træningsplan
Sag nr. 3
Sagens kerne
Planen for 2026.
Eventuelt
Sag nr. 4
"""


def test_a_closed_punkt_is_exported_after_the_open_sager(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The document follows the agenda order of ``agendas.rules.ordered``: the closed punkt,
    second in the imported file, comes after the open sag (Eventuelt stays last, DESIGN.md)."""
    source = workdir / "blandet.txt"
    source.write_text(CLOSED_AMONG_OPEN, encoding="utf-8")
    meeting_id = str(run_json(capsys, "import", str(source), "--udvalg", "SOU")["meeting_id"])
    for kind in ("protokol", "dagsorden"):
        assert main(["export", meeting_id, "--kind", kind, "-o", f"{kind}.docx"]) == 0
        assert headings(workdir / f"{kind}.docx", 1) == [
            "1. Godkendelse af dagsorden",
            "2. Ny træningsplan",
            "3. Lukket punkt: Salg af grund på Havnevej",
            "4. Eventuelt",
        ]


def test_the_public_version_hides_a_closed_punkts_content(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = workdir / "lukket.txt"
    source.write_text(CLOSED_DOC, encoding="utf-8")
    meeting_id = str(run_json(capsys, "import", str(source), "--udvalg", "SOU")["meeting_id"])
    internal, public = workdir / "intern.docx", workdir / "offentlig.docx"
    assert main(["export", meeting_id, "--kind", "protokol", "-o", str(internal)]) == 0
    assert main(["export", meeting_id, "--kind", "protokol", "--public", "-o", str(public)]) == 0
    assert main(["export", meeting_id, "--kind", "dagsorden", "--public", "-o", "d.docx"]) == 0

    secret = "Købesummen er 4,2 mio. kr."
    assert secret in body_text(internal)
    assert "at grunden sælges til højeste bud." in body_text(internal)
    for path in (public, workdir / "d.docx"):
        text = body_text(path)
        assert "2. Lukket punkt: Salg af grund på Havnevej" in headings(path, 1)
        assert secret not in text
        assert "højeste bud" not in text
        assert "Anbefales." not in text
    assert "Udvalget anbefaler salget." in body_text(public)


def test_round_trip_import_export_import_keeps_the_structured_content(
    workdir: Path, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_json(capsys, "import", str(example), "--udvalg", "SOU")
    exported = workdir / "protokol.docx"
    assert (
        main(["export", str(first["meeting_id"]), "--kind", "protokol", "-o", str(exported)]) == 0
    )

    # The same meeting again: it is updated from its own export (not a second meeting).
    second = run_json(capsys, "import", str(exported), "--udvalg", "SOU", "--opdater")

    assert second["meeting_id"] == first["meeting_id"]
    assert structure(second) == structure(first)
    assert second["unplaced"] == []
    # A second round changes nothing more.
    again = workdir / "igen.docx"
    assert main(["export", str(second["meeting_id"]), "--kind", "protokol", "-o", str(again)]) == 0
    third = run_json(capsys, "import", str(again), "--udvalg", "SOU", "--opdater")
    assert structure(third) == structure(first)


def test_round_trip_through_the_agenda_keeps_everything_but_the_decisions(
    workdir: Path, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_json(capsys, "import", str(example), "--udvalg", "SOU")
    exported = workdir / "dagsorden.docx"
    assert (
        main(["export", str(first["meeting_id"]), "--kind", "dagsorden", "-o", str(exported)]) == 0
    )

    # Into another udvalg (in SOU it would be the same meeting, offered as an update).
    args = ["udvalg", "create", "KFU", "Kultur- og Fritidsudvalget", "--forvaltning", "Kultur"]
    assert main(args) == 0
    second = run_json(capsys, "import", str(exported), "--udvalg", "KFU")

    before, after = structure(first), structure(second)
    for punkt in before["punkter"]:
        punkt["beslutning"], punkt["remarks"] = "", []
    before["end_time"] = None
    assert after == before


def _docx_with_doctype() -> bytes:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                head, rest = data.split(b"?>", 1)
                data = head + b'?><!DOCTYPE lolz [<!ENTITY lol "lol">]>' + rest
            target.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("dagsorden.docx", b"not a zip", "Filen er ikke et Word-dokument (DOCX)."),
        ("dagsorden.docx", _docx_with_doctype(), "DOCTYPE/ENTITY"),
        ("dagsorden.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "krypteret"),
        (
            "dagsorden.docx",
            b"PK\x03\x04" + b"\0" * MAX_DOCX_BYTES,
            "Filen er for stor (højst 20 MB)",
        ),
        ("noter.txt", "Referat\n04-03-2025\nIntet at bemærke.\n".encode(), "ingen punkter"),
        ("beskadiget.pdf", b"%PDF-1.7 ...", "PDF'en kan ikke læses"),
        ("scan.pdf", make_pdf([[]]), "PDF'en har ingen tekst – den er vist scannet"),
    ],
)
def test_a_bad_file_is_refused_in_danish_and_stores_nothing(
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes,
    says: str,
) -> None:
    source = workdir / name
    source.write_bytes(content)
    capsys.readouterr()

    assert main(["import", str(source), "--udvalg", "SOU", "--json"]) == 1

    captured = capsys.readouterr()
    assert says in captured.err
    assert captured.out == ""
    assert stored(workdir) == (0, 0, 0)


def test_an_unknown_udvalg_or_file_is_refused(
    workdir: Path, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["import", str(example), "--udvalg", "XYZ"]) == 1
    assert "Jeg kender ikke udvalget XYZ." in capsys.readouterr().err

    assert main(["import", "findes-ikke.docx", "--udvalg", "SOU"]) == 1
    assert "Filen findes-ikke.docx findes ikke eller kan ikke læses." in capsys.readouterr().err
    assert stored(workdir) == (0, 0, 0)


def test_export_of_an_unknown_meeting_says_so(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["export", "42", "--kind", "protokol", "-o", "x.docx"]) == 1
    assert "Der findes intet møde med id 42." in capsys.readouterr().err
    assert not (workdir / "x.docx").exists()


# --- the service ---------------------------------------------------------------------------------


@pytest.fixture
async def uow(tmp_path: Path) -> AsyncIterator[SqlUnitOfWork]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'import.sqlite3'}"
    await migrate.upgrade_async(url)
    engine = make_engine(url)
    try:
        yield SqlUnitOfWork(make_session_factory(engine))
    finally:
        await engine.dispose()


async def _with_members(uow: SqlUnitOfWork) -> dict[str, int]:
    """The SOU udvalg with Anne Lund and Mikkel Storm as members and a secretary."""
    udvalg = await create_udvalg(
        uow,
        SYSTEM_ACTOR,
        "SOU",
        "Sundheds- og Omsorgsudvalget",
        "Social- og Sundhedsforvaltningen",
        NOW,
    )
    ids: dict[str, int] = {}
    async with uow:
        for telegram_id, (name, role, party) in enumerate(
            [
                ("Anne Lund", Role.MEDLEM, "Ø"),
                ("Mikkel Storm", Role.MEDLEM, "C"),
                ("Sekretær Sørensen", Role.SEKRETAER, None),
            ],
            start=1001,
        ):
            person = await uow.persons.add(Person(telegram_id=telegram_id, name=name))
            assert person.id is not None and udvalg.id is not None
            await uow.memberships.add(Membership(person.id, udvalg.id, role, party))
            ids[name] = person.id
        await uow.commit()
    ids["udvalg"] = udvalg.id or 0
    return ids


async def test_members_of_the_udvalg_get_their_attendance_and_remarks_stored(
    uow: SqlUnitOfWork, example_text: str
) -> None:
    ids = await _with_members(uow)
    secretary = Actor(ids["Sekretær Sørensen"], roles={ids["udvalg"]: frozenset({Role.SEKRETAER})})
    parsed = parse_text(example_text)

    imported = await import_meeting(uow, secretary, "sou", parsed, NOW, ZONE)

    view = await load_view(uow, SYSTEM_ACTOR, imported.moede.id or 0)
    mikkel = view.member(ids["Mikkel Storm"])
    assert mikkel is not None and mikkel.present
    assert mikkel.absent_for == (SagRange(3, 5),)
    genoptraening = imported.punkter[3].punkt
    decision = view.decision(genoptraening.id or 0)
    assert decision.beslutning == "Anbefales"
    assert decision.votes.for_count == 3 and decision.votes.imod_parties == ("Ø",)
    assert [r.person_id for r in decision.remarks] == [ids["Anne Lund"]]
    # Lene Holm & co. are not members in the bot: reported, not stored, not silently lost.
    keys = [n.key for n in imported.notes]
    assert keys.count("moede-import-note-attendee") == 3
    assert imported.moede.ended_at == datetime(2025, 3, 4, 15, 5, tzinfo=UTC)

    document, _ = await build_document(uow, SYSTEM_ACTOR, imported.moede.id or 0, ZONE)
    reparsed = parse_docx(render_protokol(document, public=False)).document
    storm = next(a for a in reparsed.attendance if a.name == "Mikkel Storm")
    assert storm.status is AttendanceStatus.TIL_STEDE and storm.absent_for == (SagRange(3, 5),)
    assert reparsed.punkter[3].record == parsed.document.punkter[3].record


async def test_only_the_secretary_may_import_and_a_refusal_stores_nothing(
    uow: SqlUnitOfWork, example_text: str
) -> None:
    ids = await _with_members(uow)
    member = Actor(ids["Anne Lund"], roles={ids["udvalg"]: frozenset({Role.MEDLEM})})
    parsed = parse_text(example_text)

    with pytest.raises(NotAllowed) as refused:
        await import_meeting(uow, member, "SOU", parsed, NOW, ZONE)
    assert refused.value.key == "err-not-secretary"

    parsed.document.punkter[3].punkt.sections["sagsfremstilling"] = "x" * 20_001
    with pytest.raises(InvalidInput) as too_long:
        await import_meeting(uow, SYSTEM_ACTOR, "SOU", parsed, NOW, ZONE)
    assert too_long.value.key == "err-import-section-too-long"
    assert too_long.value.params["number"] == 4

    async with uow:
        assert await uow.moeder.for_udvalg(ids["udvalg"]) == []


async def test_an_import_never_puts_a_second_record_beside_a_sent_protocol(
    uow: SqlUnitOfWork, example_text: str
) -> None:
    """The meeting was imported and its protocol is sent for approval: importing the same
    referat again is refused and stores nothing."""
    ids = await _with_members(uow)
    parsed = parse_text(example_text)
    first = await import_meeting(uow, SYSTEM_ACTOR, "SOU", parsed, NOW, ZONE)
    async with uow:
        state = await uow.protokoller.get(first.moede.id or 0)
        state.send(NOW)
        await uow.protokoller.save(state, state.rev)
        await uow.commit()

    with pytest.raises(InvalidInput) as refused:
        await import_meeting(uow, SYSTEM_ACTOR, "SOU", parse_text(example_text), NOW, ZONE)
    assert refused.value.key == "err-import-frozen"
    async with uow:
        assert len(await uow.moeder.for_udvalg(ids["udvalg"])) == 1


def test_the_same_referat_again_offers_to_update_the_meeting_instead_of_a_second_one(
    workdir: Path, example: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_json(capsys, "import", str(example), "--udvalg", "SOU")
    changed = workdir / "rettet.txt"
    changed.write_text(
        example.read_text(encoding="utf-8").replace("Anbefales.", "Anbefales med en rettelse."),
        encoding="utf-8",
    )
    capsys.readouterr()

    assert main(["import", str(changed), "--udvalg", "SOU"]) == 1
    err = capsys.readouterr().err
    assert "Udvalget har allerede mødet 04-03-2025 med de samme punkter" in err
    assert "Ændret i dokumentet: Ny model for genoptræning efter sygehusophold" in err
    assert "Kør igen med --opdater" in err

    again = run_json(capsys, "import", str(changed), "--udvalg", "SOU", "--opdater")
    assert again["meeting_id"] == first["meeting_id"]
    assert len(again["punkter"]) == len(first["punkter"])
    with sqlite3.connect(workdir / DB_FILE) as conn:
        meetings = conn.execute("SELECT count(*) FROM moede").fetchone()[0]
        decisions = [row[0] for row in conn.execute("SELECT beslutning FROM punkt_decision")]
    assert meetings == 1
    assert "Anbefales med en rettelse." in decisions


async def test_the_bilag_a_document_names_are_kept_and_an_upload_with_the_name_fills_one(
    uow: SqlUnitOfWork, example_text: str
) -> None:
    """The example names two bilag without their files: both are on the punkt as references
    (listed in the protocol, not sent), and a file named like one fills that reference."""
    ids = await _with_members(uow)
    secretary = Actor(ids["Sekretær Sørensen"], roles={ids["udvalg"]: frozenset({Role.SEKRETAER})})
    imported = await import_meeting(uow, secretary, "SOU", parse_text(example_text), NOW, ZONE)
    entry = next(e for e in imported.punkter if e.bilag)
    punkt_id = entry.punkt.id or 0
    async with uow:
        named = await uow.bilag.for_punkt(punkt_id)
    assert [(b.file_name, b.attached) for b in named] == [(n, False) for n in entry.bilag]
    with pytest.raises(InvalidInput) as refused:
        await get_bilag(uow, secretary, named[0].id or 0)
    assert refused.value.key == "err-bilag-not-attached"

    upload = f"{entry.bilag[0]}.pdf"
    filled = await attach_bilag(
        uow, secretary, punkt_id, upload, "application/pdf", b"%PDF-1.4 data", "tg-1", NOW
    )
    async with uow:
        after = await uow.bilag.for_punkt(punkt_id)
    assert filled.id == named[0].id and len(after) == len(named)
    assert (after[0].file_name, after[0].attached) == (upload, True)
    assert (await get_bilag(uow, secretary, filled.id or 0)).content == b"%PDF-1.4 data"
    document, _ = await build_document(uow, SYSTEM_ACTOR, imported.moede.id or 0, ZONE)
    [with_bilag] = [p for p in document.punkter if p.punkt.id == punkt_id]
    assert with_bilag.bilag == [upload, *entry.bilag[1:]]  # listed in the protocol


def test_a_document_without_a_start_time_keeps_none_and_the_export_invents_none(
    workdir: Path, example_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 13: no "Kl. 00.00" when the document gives no time; the place is still kept."""
    lines = example_text.splitlines()
    assert lines[2].startswith("Kl. 15.00, ")
    lines[2] = "Sted: Mødelokale 2, Egeby Rådhus"
    source = workdir / "uden-tid.txt"
    source.write_text("\n".join(lines), encoding="utf-8")

    capsys.readouterr()
    assert main(["import", str(source), "--udvalg", "SOU"]) == 0
    summary = capsys.readouterr().out
    assert "Importeret som møde 1: Sundheds- og Omsorgsudvalget 04-03-2025, 6 punkter." in summary
    with sqlite3.connect(workdir / DB_FILE) as conn:
        assert conn.execute("SELECT start_time, place FROM moede").fetchall() == [
            (None, "Mødelokale 2, Egeby Rådhus")
        ]

    out = workdir / "protokol.docx"
    assert main(["export", "1", "--kind", "protokol", "-o", str(out)]) == 0
    front = body_text(out).split("Medlemmer")[0]
    assert "Mødelokale 2, Egeby Rådhus" in front
    assert "Kl." not in front
    assert "00.00" not in body_text(out)
