"""Punkter (agenda items) and their bilag: add, edit, reorder, move, close, delete."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from agendas import rules
from agendas.errors import InvalidInput, NotAllowed, NotFound
from agendas.meeting_view import question_answers
from agendas.members import ZONE
from agendas.model import (
    SECTION_BY_KEY,
    SECTION_KEYS,
    Actor,
    Bilag,
    Moede,
    Punkt,
    PunktKind,
    Sagstype,
    Udvalg,
)
from agendas.ports import UnitOfWork
from agendas.protocol import MemberRef, QuestionAnswer
from agendas.services.common import (
    audit,
    load_moede,
    load_punkt,
    require_editor,
    require_record_open,
)

#: Fields besides the sections that the secretary may edit.
META_FIELDS = ("title", "sagstype", "beslutningskompetence", "journal_number")
EDITABLE_FIELDS = META_FIELDS + SECTION_KEYS


@dataclass(slots=True)
class SagDraft:
    """What the /nysag dialog collects before the sag is stored."""

    title: str
    sagstype: Sagstype | None = None
    beslutningskompetence: str = ""
    journal_number: str = ""
    closed: bool = False
    sections: dict[str, str] = field(default_factory=dict)


def clean_title(title: str) -> str:
    value = " ".join(rules.strip_invisible(title).split())
    if not rules.has_content(value):
        raise InvalidInput("err-title-empty")
    if len(value) > rules.MAX_TITLE:
        raise InvalidInput("err-title-too-long", limit=rules.MAX_TITLE, length=len(value))
    return value


def clean_section(text: str) -> str:
    value = rules.strip_invisible(text).strip()
    if len(value) > rules.MAX_SECTION:
        raise InvalidInput("err-section-too-long", limit=rules.MAX_SECTION, length=len(value))
    return value


def require_filled(key: str, text: str) -> None:
    """A required section (Sagens kerne, Indstilling) needs a letter or a digit: "-" is empty."""
    section = SECTION_BY_KEY.get(key)
    if section is not None and section.required and not rules.has_content(text):
        raise InvalidInput("err-section-required", title=section.title)


def clean_short(text: str, limit: int = 60) -> str:
    value = " ".join(text.split())
    if len(value) > limit:
        raise InvalidInput("err-field-too-long", limit=limit, length=len(value))
    return value


def clean_field(name: str, value: str) -> str | Sagstype | None:
    """Validate one editable field; raises ``InvalidInput`` with a catalogue key."""
    if name == "title":
        return clean_title(value)
    if name == "sagstype":
        try:
            return Sagstype(value) if value else None
        except ValueError as exc:
            raise InvalidInput("err-sagstype", value=value) from exc
    if name == "beslutningskompetence":
        return clean_short(value, 40)
    if name == "journal_number":
        return clean_short(value, 60)
    if name in SECTION_KEYS:
        return clean_section(value)
    raise InvalidInput("err-field-unknown", field=name)


async def add_sag(
    uow: UnitOfWork, actor: Actor, moede_id: int, draft: SagDraft, now: datetime
) -> Punkt:
    """Add a sag after the other open (or closed) sager of the meeting."""
    async with uow:
        punkt = await insert_sag(uow, actor, moede_id, draft, now)
        await uow.commit()
    return punkt


async def insert_sag(
    uow: UnitOfWork, actor: Actor, moede_id: int, draft: SagDraft, now: datetime, **details: object
) -> Punkt:
    """``add_sag`` in the caller's transaction (which commits): checked, stored and audited
    (``details`` added to the audit event), not committed."""
    title = clean_title(draft.title)
    sections = {k: clean_section(v) for k, v in draft.sections.items() if k in SECTION_KEYS and v}
    moede = await load_moede(uow, moede_id)
    require_editor(actor, moede.udvalg_id)
    await require_record_open(uow, moede.id or 0)
    existing = await uow.punkter.for_moede(moede_id)
    position = max((p.position for p in existing), default=-1) + 1
    udvalg = await uow.udvalg.get(moede.udvalg_id)
    punkt = await uow.punkter.add(
        Punkt(
            moede_id=moede_id,
            kind=PunktKind.SAG,
            title=title,
            position=position,
            closed=draft.closed,
            sagstype=draft.sagstype,
            beslutningskompetence=clean_short(draft.beslutningskompetence, 40)
            or (udvalg.code if udvalg else ""),
            journal_number=clean_short(draft.journal_number, 60),
            sections=sections,
            updated_at=now,
            updated_by=actor.person_id,
        )
    )
    await audit(
        uow, actor, "punkt.create", "punkt", punkt.id, now, moede.udvalg_id, title=title, **details
    )
    return punkt


async def edit_field(
    uow: UnitOfWork,
    actor: Actor,
    punkt_id: int,
    name: str,
    value: str,
    expected_version: int,
    now: datetime,
) -> Punkt:
    """Change one field. If someone saved the punkt since ``expected_version``, refuse."""
    cleaned = clean_field(name, value)
    async with uow:
        punkt, moede = await load_punkt(uow, punkt_id)
        require_editor(actor, moede.udvalg_id)
        await require_record_open(uow, moede.id or 0)
        old: object
        if punkt.kind is PunktKind.SAG:
            require_filled(name, str(cleaned or ""))
        if name in SECTION_KEYS:
            old = punkt.sections.get(name, "")
            if cleaned:
                punkt.sections[name] = str(cleaned)
            else:
                punkt.sections.pop(name, None)
        else:
            old = getattr(punkt, name)
            setattr(punkt, name, cleaned if name == "sagstype" else cleaned or "")
        punkt.updated_at, punkt.updated_by = now, actor.person_id
        saved = await uow.punkter.save(punkt, expected_version)
        await audit(
            uow,
            actor,
            "punkt.edit",
            "punkt",
            punkt_id,
            now,
            moede.udvalg_id,
            field=name,
            old=str(old)[:500] if old is not None else None,
            new=str(cleaned)[:500] if cleaned is not None else None,
        )
        await uow.commit()
    return saved


async def set_closed(
    uow: UnitOfWork, actor: Actor, punkt_id: int, closed: bool, now: datetime
) -> Punkt:
    """Mark a sag as lukket punkt (or open again); it moves after the open sager."""
    async with uow:
        punkt, moede = await load_punkt(uow, punkt_id)
        require_editor(actor, moede.udvalg_id)
        await require_record_open(uow, moede.id or 0)
        if punkt.kind is not PunktKind.SAG:
            raise InvalidInput("err-standard-punkt")
        if punkt.closed == closed:
            return punkt
        siblings = [p for p in await uow.punkter.for_moede(moede.id or 0) if p.id != punkt_id]
        punkt.closed = closed
        punkt.position = max((p.position for p in siblings), default=-1) + 1
        punkt.updated_at, punkt.updated_by = now, actor.person_id
        saved = await uow.punkter.save(punkt, punkt.version)
        await audit(
            uow,
            actor,
            "punkt.close" if closed else "punkt.open",
            "punkt",
            punkt_id,
            now,
            moede.udvalg_id,
        )
        await uow.commit()
    return saved


async def move(uow: UnitOfWork, actor: Actor, punkt_id: int, step: int, now: datetime) -> None:
    """Move a sag one place up (-1) or down (+1) among the sager of its group."""
    async with uow:
        punkt, moede = await load_punkt(uow, punkt_id)
        require_editor(actor, moede.udvalg_id)
        await require_record_open(uow, moede.id or 0)
        if punkt.kind is not PunktKind.SAG:
            raise InvalidInput("err-standard-punkt")
        group = [
            p
            for p in rules.ordered(await uow.punkter.for_moede(moede.id or 0))
            if p.kind is PunktKind.SAG and p.closed == punkt.closed
        ]
        index = next(i for i, p in enumerate(group) if p.id == punkt_id)
        target = index + step
        if not 0 <= target < len(group):
            raise InvalidInput("err-cannot-move")
        group[index], group[target] = group[target], group[index]
        rules.renumber_positions(group)
        await uow.punkter.set_positions({p.id or 0: (moede.id or 0, p.position) for p in group})
        await audit(uow, actor, "punkt.move", "punkt", punkt_id, now, moede.udvalg_id, step=step)
        await uow.commit()


async def move_to_moede(
    uow: UnitOfWork, actor: Actor, punkt_id: int, target_moede_id: int, now: datetime
) -> Moede:
    """Move a sag (with its bilag) to another meeting of the same committee."""
    async with uow:
        punkt, moede = await load_punkt(uow, punkt_id)
        require_editor(actor, moede.udvalg_id)
        await require_record_open(uow, moede.id or 0)
        if punkt.kind is not PunktKind.SAG:
            raise InvalidInput("err-standard-punkt")
        target = await load_moede(uow, target_moede_id)
        if target.udvalg_id != moede.udvalg_id:
            raise NotAllowed("err-other-udvalg")
        await require_record_open(uow, target_moede_id)
        if target.id == moede.id:
            return target
        position = max(
            (p.position for p in await uow.punkter.for_moede(target_moede_id)), default=-1
        )
        await uow.punkter.set_positions({punkt_id: (target_moede_id, position + 1)})
        await audit(
            uow,
            actor,
            "punkt.move_moede",
            "punkt",
            punkt_id,
            now,
            moede.udvalg_id,
            from_moede=moede.id,
            to_moede=target_moede_id,
        )
        await uow.commit()
    return target


async def delete_punkt(
    uow: UnitOfWork, actor: Actor, punkt_id: int, expected_version: int, now: datetime
) -> Punkt:
    """Delete a punkt and its bilag (the chat asks for confirmation first)."""
    async with uow:
        punkt, moede = await load_punkt(uow, punkt_id)
        require_editor(actor, moede.udvalg_id)
        await require_record_open(uow, moede.id or 0)
        if punkt.version != expected_version:
            raise NotFound("err-punkt-changed")
        for bilag in await uow.bilag.for_punkt(punkt_id):
            await uow.bilag.delete(bilag.id or 0)
        await uow.punkter.delete(punkt_id)
        await audit(
            uow, actor, "punkt.delete", "punkt", punkt_id, now, moede.udvalg_id, title=punkt.title
        )
        await uow.commit()
    return punkt


@dataclass(slots=True)
class PunktDetail:
    punkt: Punkt
    moede: Moede
    udvalg: Udvalg
    bilag: list[Bilag]
    number: int
    #: Members' questions and the answers ("Spørgsmål og svar"): for members and secretaries.
    questions: list[QuestionAnswer] = field(default_factory=list)


async def open_punkt(uow: UnitOfWork, actor: Actor, punkt_id: int, zone: str = ZONE) -> PunktDetail:
    """One punkt in full, if this person may see it (closed: members only); its questions and
    answers for those who may read closed punkter (they are internal). Two reads (the punkt
    with its meeting, and the order of the meeting's punkter for its number), and one more
    each for its bilag and its questions when it has any."""
    async with uow:
        read = await uow.views.punkt(punkt_id)
        if read is None:
            raise NotFound("err-punkt-gone")
        punkt, moede, udvalg_id = read.punkt, read.moede, read.moede.udvalg_id
        if not rules.can_read_udvalg(actor, udvalg_id):
            raise NotAllowed("err-not-in-udvalg")
        if not rules.may_open(actor, udvalg_id, punkt):
            raise NotAllowed("err-closed-punkt")
        ordered = rules.ordered(await uow.views.order(moede.id or 0))
        number = next((p.number for p in ordered if p.id == punkt_id), 0)
        punkt.number = number
        bilag = await uow.views.bilag(punkt_id) if read.bilag_count else []
        questions: list[QuestionAnswer] = []
        if read.question_count and rules.can_read_closed(actor, udvalg_id):
            asked = await uow.views.questions(punkt_id, udvalg_id)
            names = {a.question.answered_by or 0: a.answerer for a in asked}
            names |= {a.question.asked_by: MemberRef(a.asker, a.asker_party).label() for a in asked}
            questions = question_answers([a.question for a in asked], names, zone)
    return PunktDetail(punkt, moede, read.udvalg, bilag, number, questions)


def check_bilag(file_name: str, size: int) -> str:
    """Refuse files we do not keep before downloading them; returns the clean file name."""
    name = PurePosixPath(file_name.replace("\\", "/")).name.strip() or "bilag"
    if PurePosixPath(name).suffix.lower() not in rules.BILAG_EXTENSIONS:
        raise InvalidInput("err-bilag-type", name=name)
    if size > rules.MAX_BILAG_BYTES:
        raise InvalidInput("err-bilag-too-large", limit_mb=rules.MAX_BILAG_BYTES // (1024 * 1024))
    if size == 0:
        raise InvalidInput("err-bilag-empty")
    return name[:200]


def _stem(file_name: str) -> str:
    """ "Skitse af ombygning.pdf" and "Skitse af ombygning" name the same bilag."""
    path = PurePosixPath(file_name.casefold().strip())
    return " ".join((path.stem if path.suffix in rules.BILAG_EXTENSIONS else path.name).split())


async def attach_bilag(
    uow: UnitOfWork,
    actor: Actor,
    punkt_id: int,
    file_name: str,
    mime_type: str,
    content: bytes,
    telegram_file_id: str,
    now: datetime,
) -> Bilag:
    """Keep the bytes too, so exports never depend on Telegram still having the file."""
    name = check_bilag(file_name, len(content))
    async with uow:
        _, moede = await load_punkt(uow, punkt_id)
        require_editor(actor, moede.udvalg_id)
        await require_record_open(uow, moede.id or 0)
        existing = await uow.bilag.for_punkt(punkt_id)
        named = next(
            (b for b in existing if not b.attached and _stem(b.file_name) == _stem(name)), None
        )
        filled = Bilag(
            punkt_id=punkt_id,
            file_name=name,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            mime_type=mime_type or "application/octet-stream",
            telegram_file_id=telegram_file_id,
            content=content,
            position=named.position if named else len(existing),
            id=named.id if named else None,
            created_at=now,
        )
        # A file with the name an imported document gave a bilag fills that reference.
        bilag = await (uow.bilag.fill(filled) if named else uow.bilag.add(filled))
        await audit(
            uow,
            actor,
            "bilag.add",
            "bilag",
            bilag.id,
            now,
            moede.udvalg_id,
            punkt_id=punkt_id,
            name=name,
            sha256=bilag.sha256,
        )
        await uow.commit()
    return bilag


async def remove_bilag(uow: UnitOfWork, actor: Actor, bilag_id: int, now: datetime) -> Bilag:
    async with uow:
        bilag = await uow.bilag.get(bilag_id)
        if bilag is None:
            raise NotFound("err-bilag-gone")
        _, moede = await load_punkt(uow, bilag.punkt_id)
        require_editor(actor, moede.udvalg_id)
        await require_record_open(uow, moede.id or 0)
        await uow.bilag.delete(bilag_id)
        await audit(
            uow,
            actor,
            "bilag.remove",
            "bilag",
            bilag_id,
            now,
            moede.udvalg_id,
            punkt_id=bilag.punkt_id,
            name=bilag.file_name,
        )
        await uow.commit()
    return bilag


async def get_bilag(uow: UnitOfWork, actor: Actor, bilag_id: int) -> Bilag:
    """A bilag with its bytes, for sending; closed punkter's bilag only to members."""
    async with uow:
        bilag = await uow.bilag.get(bilag_id, with_content=True)
        if bilag is None:
            raise NotFound("err-bilag-gone")
        punkt, moede = await load_punkt(uow, bilag.punkt_id)
        if not rules.can_read_udvalg(actor, moede.udvalg_id):
            # Outside the udvalg a bilag that exists and one that does not get the same answer.
            raise NotFound("err-bilag-gone")
        if not rules.may_open(actor, moede.udvalg_id, punkt):
            raise NotAllowed("err-closed-punkt")
    if not bilag.attached:
        raise InvalidInput("err-bilag-not-attached", name=bilag.file_name)
    return bilag
