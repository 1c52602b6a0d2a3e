"""Import of an existing agenda or protocol (already parsed) as a meeting with its punkter.

``agendas.documents.parse_document`` turns the bytes into a ``MeetingDocument``; this service
stores it: the meeting (past dates are allowed: archives hold old protocols), its punkter in the
document's order with every section, and, where the document has them, the decisions, the
attendance of the udvalg's known members and the end time. One transaction, audited; on any
refusal nothing is stored.

What has no place in storage is never dropped silently: the text the parser could not place
(``unplaced``) and the notes (``ImportNote``: bilag named without their files, attendees who are
not members of the udvalg, a changed numbering) are returned to the caller to show.

Members named in the document are matched to the udvalg's roster by name
(``agendas.roster_match``: titles, party letters, initials and spacing aside); those not on it
are returned in ``unknown_members`` for the secretary to add. Inhabilitet and
protokolbemærkninger of a person who is not a member are kept as text lines of the decision,
worded as the protocol prints them, so the exported protocol still shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from agendas import rules
from agendas.dates import format_date, local_to_utc, to_local
from agendas.documents.lines import ImportResult, Unplaced
from agendas.errors import InvalidInput
from agendas.model import SECTION_BY_KEY, SECTIONS, Actor, Bilag, Moede, Punkt, Udvalg
from agendas.ports import UnitOfWork
from agendas.protocol import (
    AttendanceStatus,
    Attendee,
    DocumentPunkt,
    MemberRef,
    PunktRecord,
    Votes,
    inhabil_line,
    remark_line,
)
from agendas.records import AttendanceRecord, DecisionRecord, StoredRemark
from agendas.roster_match import RosterName, match_name, same_person
from agendas.services.common import audit, require_editor, udvalg_by_code
from agendas.services.reimport import (
    AlreadyImported,
    meeting_diff,
    same_meeting,
    title_key,
)
from agendas.services.roster import ImportedMember

#: Field limits, as when the secretary edits a punkt (``punkter.clean_field``).
MAX_KOMPETENCE = 40
MAX_JOURNAL = 60


@dataclass(frozen=True, slots=True)
class ImportNote:
    """Something of the document that is not stored as such; ``key`` names the catalogue text."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class ImportedPunkt:
    punkt: Punkt
    #: Names of the bilag the document lists (their files were not in the document).
    bilag: list[str] = field(default_factory=list)
    record: PunktRecord = field(default_factory=PunktRecord)
    #: The number the document printed (may differ from ``punkt.number`` after ordering).
    document_number: int = 0

    def found(self) -> list[str]:
        """What the import found in the punkt, in the municipal order: its sections by their
        titles, the decision, the public decision text of a closed punkt, the bilag named."""
        found = [
            section.title
            for section in SECTIONS
            if (section.key == "beslutning" and self.record.decision_text())
            or self.punkt.section(section.key).strip()
        ]
        found += [title for title, _ in self.punkt.extra_sections]
        if self.record.public_beslutning.strip():
            found.append("Offentlig beslutning")
        if self.bilag:
            found.append(f"Bilag ({len(self.bilag)})")
        return found


@dataclass(slots=True)
class ImportedMeeting:
    moede: Moede
    udvalg: Udvalg
    punkter: list[ImportedPunkt]
    unplaced: list[Unplaced]
    notes: list[ImportNote]
    #: Members the document names who are not on the roster: offered to the secretary to add
    #: (with their attendance at this meeting).
    unknown_members: list[ImportedMember] = field(default_factory=list)


def _clean_punkt(item: DocumentPunkt) -> Punkt:
    """Check the limits a punkt edited in chat has; a refusal names the punkt."""
    punkt = item.punkt
    number = punkt.number
    title = " ".join(punkt.title.split())
    if not title:
        raise InvalidInput("err-import-title-empty", number=number)
    if len(title) > rules.MAX_TITLE:
        raise InvalidInput(
            "err-import-title-too-long", number=number, limit=rules.MAX_TITLE, length=len(title)
        )
    kompetence = " ".join(punkt.beslutningskompetence.split())
    journal = " ".join(punkt.journal_number.split())
    for label, value, limit in (
        ("Beslutningskompetence", kompetence, MAX_KOMPETENCE),
        ("Journalnr.", journal, MAX_JOURNAL),
    ):
        if len(value) > limit:
            raise InvalidInput(
                "err-import-field-too-long",
                number=number,
                field=label,
                limit=limit,
                length=len(value),
            )
    sections: dict[str, str] = {}
    for key, text in punkt.sections.items():
        value = text.strip()
        if key not in SECTION_BY_KEY or not value:
            continue
        if len(value) > rules.MAX_SECTION:
            raise InvalidInput(
                "err-import-section-too-long",
                number=number,
                section=SECTION_BY_KEY[key].title,
                limit=rules.MAX_SECTION,
                length=len(value),
            )
        sections[key] = value
    extra: list[tuple[str, str]] = []
    for heading, text in punkt.extra_sections:
        name = " ".join(heading.split())[: rules.MAX_TITLE]
        value = text.strip()
        if len(value) > rules.MAX_SECTION:
            raise InvalidInput(
                "err-import-section-too-long",
                number=number,
                section=name,
                limit=rules.MAX_SECTION,
                length=len(value),
            )
        extra.append((name, value))
    return Punkt(
        moede_id=0,
        kind=punkt.kind,
        title=title,
        closed=punkt.closed,
        sag_number=punkt.sag_number,
        extra_sections=extra,
        sagstype=punkt.sagstype,
        beslutningskompetence=kompetence,
        journal_number=journal,
        sections=sections,
        late_reason=" ".join(punkt.late_reason.split())[: rules.MAX_TITLE],
    )


async def _roster_names(uow: UnitOfWork, udvalg_id: int) -> list[RosterName]:
    """The udvalg's members (any member role, with or without Telegram) for name matching."""
    seats: dict[int, str] = {}
    for membership in await uow.memberships.for_udvalg(udvalg_id):
        if membership.role.is_member:
            party = seats.get(membership.person_id) or membership.party or ""
            seats[membership.person_id] = party
    persons = await uow.persons.many(sorted(seats))
    return [
        RosterName(person_id, persons[person_id].name, party)
        for person_id, party in seats.items()
        if person_id in persons
    ]


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _find(member: MemberRef, roster: list[RosterName]) -> int | None:
    return match_name(member.name, roster, party=member.party).person_id


def _decision(
    punkt_id: int, record: PunktRecord, roster: list[RosterName], actor: Actor, now: datetime
) -> DecisionRecord:
    """The decision with members as person ids; others stay as the protocol's text lines."""
    inhabil_ids = [(m, _find(m, roster)) for m in record.inhabile]
    remark_ids = [(r, _find(r.member, roster)) for r in record.remarks]
    inhabile = [pid for _, pid in inhabil_ids if pid is not None]
    remarks = [StoredRemark(pid, r.text) for r, pid in remark_ids if pid is not None]
    lines = [inhabil_line(m) for m, pid in inhabil_ids if pid is None]
    lines += [remark_line(r) for r, pid in remark_ids if pid is None]
    beslutning, votes = record.beslutning.strip(), record.votes
    if lines:
        # Printed after the decision with its votes, as the protocol shows them.
        beslutning = "\n".join(x for x in (record.decision_text(), *lines) if x)
        votes = Votes()
    return DecisionRecord(
        punkt_id=punkt_id,
        beslutning=beslutning,
        votes=votes,
        inhabile=inhabile,
        remarks=remarks,
        public_beslutning=record.public_beslutning.strip(),
        updated_at=now,
        updated_by=actor.person_id,
    )


def _attendance(
    moede_id: int,
    attendance: list[Attendee],
    roster: list[RosterName],
    now: datetime,
    notes: list[ImportNote],
    unknown: list[ImportedMember],
) -> list[AttendanceRecord]:
    """The attendance of the members on the roster (matched by name, tolerant of titles,
    party letters, initials and spacing); the others are noted, and listed in ``unknown`` so
    the secretary can add them to the roster (``agendas.services.roster.add_imported``)."""
    records: list[AttendanceRecord] = []
    for attendee in attendance:
        found = match_name(attendee.name, roster, party=attendee.party)
        person_id, printed = found.person_id, found.printed
        wanted = attendee.substitute_for or printed.substitute_for
        substitute_for = match_name(wanted, roster).person_id if wanted else None
        if person_id is None:
            notes.append(
                ImportNote(
                    "moede-import-note-attendee",
                    {"name": attendee.name, "status": attendee.status.value},
                )
            )
            if printed.name and all(not same_person(u.name, printed.name) for u in unknown):
                unknown.append(
                    ImportedMember(
                        name=printed.name,
                        party=printed.party,
                        title=attendee.title or printed.title,
                        status=AttendanceStatus.STEDFORTRAEDER
                        if printed.substitute
                        else attendee.status,
                        substitute_for=wanted,
                        absent_for=attendee.absent_for,
                    )
                )
            continue
        if wanted and substitute_for is None:
            notes.append(
                ImportNote(
                    "moede-import-note-substitute",
                    {"name": attendee.label(), "member": wanted},
                )
            )
        status = attendee.status
        if printed.substitute and status is AttendanceStatus.TIL_STEDE:
            status = AttendanceStatus.STEDFORTRAEDER
        if status is AttendanceStatus.TIL_STEDE and not attendee.absent_for:
            continue  # present is what a member without a record counts as
        records.append(
            AttendanceRecord(
                moede_id=moede_id,
                person_id=person_id,
                status=status,
                substitute_for=substitute_for,
                absent_for=attendee.absent_for,
                updated_at=now,
            )
        )
    return records


async def import_meeting(
    uow: UnitOfWork,
    actor: Actor,
    udvalg_code: str,
    result: ImportResult,
    now: datetime,
    zone: str,
    update: int | None = None,
) -> ImportedMeeting:
    """Store a parsed agenda or protocol as a new meeting of the udvalg (sekretær or admin).

    When the udvalg has the meeting already (same date, most of the same punkter) it is refused
    with ``AlreadyImported`` and what differs; ``update`` (that meeting's id) then writes the
    document into it: the punkter found by title get the document's sections and decision, new
    ones are added, the meeting's other punkter stay (and are listed)."""
    doc = result.document
    place = " ".join(doc.moede.place.split())
    if len(place) > rules.MAX_PLACE:
        raise InvalidInput("err-place-too-long", limit=rules.MAX_PLACE)
    if not doc.punkter:
        raise InvalidInput("err-import-no-punkter")
    cleaned = [_clean_punkt(item) for item in doc.punkter]
    notes: list[ImportNote] = []
    async with uow:
        udvalg = await udvalg_by_code(uow, udvalg_code)
        udvalg_id = udvalg.id or 0
        require_editor(actor, udvalg_id)
        if doc.udvalg.name and _key(doc.udvalg.name) != _key(udvalg.name):
            notes.append(
                ImportNote(
                    "moede-import-note-udvalg", {"document": doc.udvalg.name, "udvalg": udvalg.name}
                )
            )
        day, start = doc.moede.date, doc.moede.start_time
        same: Moede | None = None
        same_punkter: list[Punkt] = []
        for existing in await uow.moeder.for_udvalg_between([udvalg_id], day, day):
            # The meeting is there already with its protocol sent or approved: an import must
            # not put a second record of it beside the one members are approving (or approved).
            if (await uow.protokoller.get(existing.id or 0)).frozen:
                raise InvalidInput("err-import-frozen", udvalg=udvalg.code, date=format_date(day))
            punkter = await uow.punkter.for_moede(existing.id or 0)
            if same_meeting(punkter, cleaned):
                same, same_punkter = existing, punkter
        if same is not None and update != same.id:
            decided = await uow.decisions.for_punkter([p.id or 0 for p in same_punkter])
            records = [item.record for item in doc.punkter]
            raise AlreadyImported(meeting_diff(same, same_punkter, cleaned, records, decided))
        ended = local_to_utc(day, doc.end_time, zone) if doc.end_time else None
        if same is not None:
            moede = same
            moede.place = place or moede.place
            moede.ended_at = ended or moede.ended_at
            await uow.moeder.update(moede)
        else:
            moede = await uow.moeder.add(
                Moede(
                    udvalg_id=udvalg_id,
                    date=day,
                    start_time=start,
                    place=place,
                    starts_at=local_to_utc(day, start or time(0), zone),
                    ended_at=ended,
                    created_at=now,
                )
            )
        moede_id = moede.id or 0
        by_title = {title_key(p.title): p for p in same_punkter}
        stored: list[ImportedPunkt] = []
        for position, (item, punkt) in enumerate(zip(doc.punkter, cleaned, strict=True)):
            punkt.moede_id, punkt.position = moede_id, position
            punkt.updated_at, punkt.updated_by = now, actor.person_id
            old = by_title.pop(title_key(punkt.title), None)
            if old is not None:
                punkt.id, punkt.position = old.id, old.position
                added = await uow.punkter.save(punkt, old.version)
            else:
                added = await uow.punkter.add(punkt)
            stored.append(
                ImportedPunkt(
                    punkt=added,
                    bilag=list(item.bilag),
                    record=item.record,
                    document_number=item.punkt.number,
                )
            )
        kept = list(by_title.values())  # the meeting's punkter the document does not have
        rules.ordered([s.punkt for s in stored] + kept)  # numbers them in the house order
        stored.sort(key=lambda s: s.punkt.number)
        if kept:
            notes.append(
                ImportNote("moede-import-note-kept", {"titles": "; ".join(p.title for p in kept)})
            )
        if any(s.punkt.number != s.document_number for s in stored):
            notes.append(ImportNote("moede-import-note-renumbered"))

        roster = await _roster_names(uow, udvalg_id)
        decisions = 0
        for entry in stored:
            if entry.bilag:
                await _bilag_references(uow, entry, now)
                notes.append(
                    ImportNote(
                        "moede-import-note-bilag",
                        {"number": entry.punkt.number, "names": "; ".join(entry.bilag)},
                    )
                )
            if entry.record.is_empty():
                continue
            await uow.decisions.put(
                _decision(entry.punkt.id or 0, entry.record, roster, actor, now)
            )
            decisions += 1
        unknown: list[ImportedMember] = []
        for record in _attendance(moede_id, doc.attendance, roster, now, notes, unknown):
            await uow.attendance.put(record)

        await audit(
            uow,
            actor,
            "moede.import_update" if same is not None else "moede.import",
            "moede",
            moede_id,
            now,
            udvalg_id,
            date=day.isoformat(),
            time=start.isoformat("minutes") if start else None,
            place=place,
            punkter=len(stored),
            decisions=decisions,
            ended=doc.end_time.isoformat("minutes") if doc.end_time else None,
            unplaced=len(result.unplaced),
        )
        await uow.commit()
    return ImportedMeeting(
        moede=moede,
        udvalg=udvalg,
        punkter=stored,
        unplaced=list(result.unplaced),
        notes=notes,
        unknown_members=unknown,
    )


async def _bilag_references(uow: UnitOfWork, entry: ImportedPunkt, now: datetime) -> None:
    """The bilag the document names, kept as references without their files (listed in the
    documents, "ikke vedhæftet" in chat); an upload with the same name fills one. A name the
    punkt has already (a re-import) is not added twice."""
    punkt_id = entry.punkt.id or 0
    existing = await uow.bilag.for_punkt(punkt_id)
    have = {b.file_name.casefold() for b in existing}
    position = len(existing)
    for name in entry.bilag:
        clean = " ".join(name.split())[:200]
        if not clean or clean.casefold() in have:
            continue
        have.add(clean.casefold())
        await uow.bilag.add(
            Bilag(
                punkt_id=punkt_id,
                file_name=clean,
                size=0,
                sha256="",
                mime_type="",
                position=position,
                created_at=now,
            )
        )
        position += 1


def local_end_time(moede: Moede, zone: str) -> str | None:
    """The end of the meeting as local ``HH:MM``, or None when it was not recorded."""
    if moede.ended_at is None:
        return None
    return to_local(moede.ended_at, zone).time().isoformat("minutes")
