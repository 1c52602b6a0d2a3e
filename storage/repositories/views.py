"""Read-only views of the chat's hot paths (/dagsorden, /moeder, a punkt opened in full).

Core statements built once at import, so SQLAlchemy compiles each once and reuses it; they
return plain rows made into the domain's dataclasses here, with no ORM identity map and no
columns the view does not show (a punkt's section texts only when it is opened, never a bilag's
bytes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Label, Time, and_, bindparam, case, func, literal, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from agendas.members import Question
from agendas.model import Bilag, Moede, Punkt, PunktKind, Role, Sagstype, Udvalg
from agendas.ports import AgendaRead, AskedQuestion, PunktRead
from storage.repositories.base import SqlRepository
from storage.repositories.meetings import punkt_from_row
from storage.tables import (
    BilagRow,
    MembershipRow,
    MoedeRow,
    PersonRow,
    PunktQuestionRow,
    PunktRow,
    UdvalgRow,
)

_MOEDE: tuple[Label[Any], ...] = (
    col(MoedeRow.id).label("m_id"),
    col(MoedeRow.udvalg_id).label("m_udvalg_id"),
    col(MoedeRow.date).label("m_date"),
    col(MoedeRow.start_time).label("m_start_time"),
    col(MoedeRow.place).label("m_place"),
    col(MoedeRow.starts_at).label("m_starts_at"),
    col(MoedeRow.ended_at).label("m_ended_at"),
    col(MoedeRow.created_at).label("m_created_at"),
)
_UDVALG: tuple[Label[Any], ...] = (
    col(UdvalgRow.code).label("u_code"),
    col(UdvalgRow.name).label("u_name"),
    col(UdvalgRow.forvaltning).label("u_forvaltning"),
    col(UdvalgRow.created_at).label("u_created_at"),
)
_BILAG_COUNT = (
    select(func.count(col(BilagRow.id)))
    .where(col(BilagRow.punkt_id) == col(PunktRow.id))
    .correlate(PunktRow)
    .scalar_subquery()
)
_QUESTION_COUNT = (
    select(func.count(col(PunktQuestionRow.id)))
    .where(col(PunktQuestionRow.punkt_id) == col(PunktRow.id))
    .correlate(PunktRow)
    .scalar_subquery()
)

_MOEDER_BETWEEN = (
    select(*_MOEDE, *_UDVALG)
    .join_from(MoedeRow, UdvalgRow, col(UdvalgRow.id) == col(MoedeRow.udvalg_id))
    .where(col(MoedeRow.date) >= bindparam("start"), col(MoedeRow.date) <= bindparam("end"))
    .order_by(col(MoedeRow.date), col(MoedeRow.start_time), col(MoedeRow.id))
)
_MOEDER_BETWEEN_OF = _MOEDER_BETWEEN.where(
    col(MoedeRow.udvalg_id).in_(bindparam("udvalg_ids", expanding=True))
)

#: The overview: the meeting, its udvalg and one row per punkt (titles, no texts), in one.
_AGENDA_ROWS = (
    select(
        *_MOEDE,
        *_UDVALG,
        col(PunktRow.id).label("p_id"),
        col(PunktRow.kind).label("p_kind"),
        col(PunktRow.title).label("p_title"),
        col(PunktRow.position).label("p_position"),
        col(PunktRow.closed).label("p_closed"),
        col(PunktRow.sagstype).label("p_sagstype"),
        col(PunktRow.beslutningskompetence).label("p_beslutningskompetence"),
        col(PunktRow.version).label("p_version"),
        _BILAG_COUNT.label("p_bilag"),
    )
    .join_from(MoedeRow, UdvalgRow, col(UdvalgRow.id) == col(MoedeRow.udvalg_id))
    .outerjoin(PunktRow, col(PunktRow.moede_id) == col(MoedeRow.id))
    .order_by(col(PunktRow.position), col(PunktRow.id))
)
_AGENDA = _AGENDA_ROWS.where(col(MoedeRow.id) == bindparam("moede_id"))


def _next_moede_id(of_udvalg: bool) -> Any:
    """The id of the next meeting from ``start`` to ``end`` (of ``udvalg_ids``): the first
    that has not started at ``now``, else the latest, by day and time (a meeting without a
    time counts as at midnight), as ``agendas.services.meetings.next_moede`` picks it."""
    starts_at = col(MoedeRow.starts_at)
    coming = and_(starts_at.is_not(None), starts_at >= bindparam("now"))
    clock = func.coalesce(col(MoedeRow.start_time), literal(time(0), Time()))
    query = (
        select(col(MoedeRow.id))
        .where(col(MoedeRow.date) >= bindparam("start"), col(MoedeRow.date) <= bindparam("end"))
        .order_by(
            case((coming, 0), else_=1),
            case((coming, col(MoedeRow.date))),
            case((coming, clock)),
            case((coming, col(MoedeRow.id))),
            col(MoedeRow.date).desc(),
            clock.desc(),
            col(MoedeRow.id).desc(),
        )
        .limit(1)
    )
    if of_udvalg:
        query = query.where(col(MoedeRow.udvalg_id).in_(bindparam("udvalg_ids", expanding=True)))
    return query.scalar_subquery()


#: /dagsorden: the next meeting's overview, chosen and read in one statement.
_NEXT_AGENDA = _AGENDA_ROWS.where(col(MoedeRow.id) == _next_moede_id(of_udvalg=False))
_NEXT_AGENDA_OF = _AGENDA_ROWS.where(col(MoedeRow.id) == _next_moede_id(of_udvalg=True))

#: A punkt in full, its meeting and udvalg, and how many bilag and questions it has.
_PUNKT = (
    select(
        *PunktRow.__table__.columns,  # type: ignore[attr-defined]
        *_MOEDE,
        *_UDVALG,
        _BILAG_COUNT.label("bilag_count"),
        _QUESTION_COUNT.label("question_count"),
    )
    .join_from(PunktRow, MoedeRow, col(MoedeRow.id) == col(PunktRow.moede_id))
    .join(UdvalgRow, col(UdvalgRow.id) == col(MoedeRow.udvalg_id))
    .where(col(PunktRow.id) == bindparam("punkt_id"))
)

_ORDER = select(
    col(PunktRow.id), col(PunktRow.kind), col(PunktRow.position), col(PunktRow.closed)
).where(col(PunktRow.moede_id) == bindparam("moede_id"))

_BILAG = (
    select(
        col(BilagRow.id),
        col(BilagRow.punkt_id),
        col(BilagRow.file_name),
        col(BilagRow.size),
        col(BilagRow.sha256),
        col(BilagRow.mime_type),
        col(BilagRow.telegram_file_id),
        col(BilagRow.position),
        col(BilagRow.created_at),
    )
    .where(col(BilagRow.punkt_id) == bindparam("punkt_id"))
    .order_by(col(BilagRow.position), col(BilagRow.id))
)

_ASKER = aliased(PersonRow)
_ANSWERER = aliased(PersonRow)
#: The party of a member of the udvalg (a person holds one party; empty ones give way).
_PARTY = (
    select(func.max(col(MembershipRow.party)))
    .where(
        col(MembershipRow.person_id) == col(PunktQuestionRow.asked_by),
        col(MembershipRow.udvalg_id) == bindparam("udvalg_id"),
        col(MembershipRow.role).in_([r.value for r in Role if r.is_member]),
    )
    .correlate(PunktQuestionRow)
    .scalar_subquery()
)
_QUESTIONS = (
    select(
        *PunktQuestionRow.__table__.columns,  # type: ignore[attr-defined]
        col(_ASKER.name).label("asker"),
        _PARTY.label("asker_party"),
        col(_ANSWERER.name).label("answerer"),
    )
    .outerjoin(_ASKER, col(_ASKER.id) == col(PunktQuestionRow.asked_by))
    .outerjoin(_ANSWERER, col(_ANSWERER.id) == col(PunktQuestionRow.answered_by))
    .where(col(PunktQuestionRow.punkt_id) == bindparam("punkt_id"))
    .order_by(col(PunktQuestionRow.asked_at), col(PunktQuestionRow.id))
)


def _moede(row: Any) -> Moede:
    return Moede(
        udvalg_id=row.m_udvalg_id,
        date=row.m_date,
        start_time=row.m_start_time,
        place=row.m_place,
        starts_at=row.m_starts_at,
        ended_at=row.m_ended_at,
        id=row.m_id,
        created_at=row.m_created_at,
    )


def _udvalg(row: Any) -> Udvalg:
    return Udvalg(
        code=row.u_code,
        name=row.u_name,
        forvaltning=row.u_forvaltning,
        id=row.m_udvalg_id,
        created_at=row.u_created_at,
    )


def _agenda_read(rows: Sequence[Any]) -> AgendaRead | None:
    """The overview from ``_AGENDA_ROWS``: one row per punkt (a meeting without punkter is one
    row without a punkt); None without rows."""
    if not rows:
        return None
    moede = _moede(rows[0])
    punkter, counts = [], {}
    for row in rows:
        if row.p_id is None:  # a meeting without punkter
            continue
        punkter.append(
            Punkt(
                moede_id=moede.id or 0,
                kind=PunktKind(row.p_kind),
                title=row.p_title,
                position=row.p_position,
                closed=row.p_closed,
                sagstype=Sagstype(row.p_sagstype) if row.p_sagstype else None,
                beslutningskompetence=row.p_beslutningskompetence,
                version=row.p_version,
                id=row.p_id,
            )
        )
        counts[row.p_id] = row.p_bilag
    return AgendaRead(moede, _udvalg(rows[0]), punkter, counts)


class SqlChatViewRepository(SqlRepository):
    async def moeder_between(
        self, udvalg_ids: Sequence[int] | None, start: date, end: date
    ) -> list[tuple[Moede, Udvalg]]:
        if udvalg_ids is None:
            result = await self.rows(_MOEDER_BETWEEN, {"start": start, "end": end})
        elif not udvalg_ids:
            return []
        else:
            result = await self.rows(
                _MOEDER_BETWEEN_OF, {"start": start, "end": end, "udvalg_ids": list(udvalg_ids)}
            )
        udvalg: dict[int, Udvalg] = {}
        found = []
        for row in result:
            known = udvalg.get(row.m_udvalg_id)
            if known is None:
                known = udvalg[row.m_udvalg_id] = _udvalg(row)
            found.append((_moede(row), known))
        return found

    async def agenda(self, moede_id: int) -> AgendaRead | None:
        return _agenda_read((await self.rows(_AGENDA, {"moede_id": moede_id})).all())

    async def next_agenda(
        self, udvalg_ids: Sequence[int] | None, start: date, end: date, now: datetime
    ) -> AgendaRead | None:
        params: dict[str, Any] = {"start": start, "end": end, "now": now}
        if udvalg_ids is None:
            return _agenda_read((await self.rows(_NEXT_AGENDA, params)).all())
        if not udvalg_ids:
            return None
        params["udvalg_ids"] = list(udvalg_ids)
        return _agenda_read((await self.rows(_NEXT_AGENDA_OF, params)).all())

    async def punkt(self, punkt_id: int) -> PunktRead | None:
        row = (await self.rows(_PUNKT, {"punkt_id": punkt_id})).first()
        if row is None:
            return None
        return PunktRead(
            punkt_from_row(row),
            _moede(row),
            _udvalg(row),
            bilag_count=row.bilag_count,
            question_count=row.question_count,
        )

    async def order(self, moede_id: int) -> list[Punkt]:
        rows = await self.rows(_ORDER, {"moede_id": moede_id})
        return [
            Punkt(moede_id, PunktKind(r.kind), "", position=r.position, closed=r.closed, id=r.id)
            for r in rows
        ]

    async def bilag(self, punkt_id: int) -> list[Bilag]:
        rows = await self.rows(_BILAG, {"punkt_id": punkt_id})
        return [
            Bilag(
                punkt_id=row.punkt_id,
                file_name=row.file_name,
                size=row.size,
                sha256=row.sha256,
                mime_type=row.mime_type,
                telegram_file_id=row.telegram_file_id,
                position=row.position,
                id=row.id,
                created_at=row.created_at,
            )
            for row in rows
        ]

    async def questions(self, punkt_id: int, udvalg_id: int) -> list[AskedQuestion]:
        rows = await self.rows(_QUESTIONS, {"punkt_id": punkt_id, "udvalg_id": udvalg_id})
        return [
            AskedQuestion(
                Question(
                    punkt_id=row.punkt_id,
                    asked_by=row.asked_by,
                    text=row.text,
                    asked_at=row.asked_at,
                    answer=row.answer,
                    answered_by=row.answered_by,
                    answered_at=row.answered_at,
                    id=row.id,
                ),
                asker=row.asker or "?",
                asker_party=row.asker_party or "",
                answerer=row.answerer or "?",
            )
            for row in rows
        ]
