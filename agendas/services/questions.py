"""Spørgsmål og svar: a member asks the forvaltning about a sag before the meeting; the
udvalg's secretaries get it with a "Svar" button; the answer is kept on the punkt and every
member is told.

Questions close when the meeting begins (a question typed after that is refused and nothing is
stored); an answer may still be given during the meeting, but never once the protocol is sent or
approved. The questions and answers are part of the internal agenda and protocol only: a
member's question is the members' own preparation (DESIGN.md: "kept on the sag for all
members"), not something the committee publishes, so no public version shows it, whether the
punkt is open or closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agendas.chatviews import Texts
from agendas.errors import InvalidInput, NotFound
from agendas.meeting.loading import udvalg_members
from agendas.member_mailings import answer_notice, question_notice
from agendas.members import MAX_ANSWER, MAX_QUESTION, Question
from agendas.model import Actor, Moede, Punkt, PunktKind, Udvalg
from agendas.ports import UnitOfWork
from agendas.protocol_input import clean_text
from agendas.services.common import audit, load_punkt, require_editor, require_record_open
from agendas.services.member_common import (
    Notice,
    member_before_meeting,
    numbered,
    people_with,
    queue_notices,
    udvalg_of,
)


@dataclass(frozen=True, slots=True)
class Asked:
    """A question and where it belongs (the punkt numbered), for the replies in chat."""

    question: Question
    punkt: Punkt
    moede: Moede
    udvalg: Udvalg
    #: Who asked, as the udvalg knows them ("Mads Medlem (A)").
    asker: str
    #: How many people were told (secretaries of a new question, members of an answer).
    told: int = 0


async def _target(uow: UnitOfWork, actor: Actor, punkt_id: int, now: datetime) -> Asked:
    punkt, moede = await load_punkt(uow, punkt_id)
    line = await member_before_meeting(uow, actor, moede, now)
    if punkt.kind is not PunktKind.SAG:
        raise InvalidInput("err-question-standard-punkt")
    question = Question(punkt_id, actor.person_id, "", now)
    udvalg = await udvalg_of(uow, moede)
    return Asked(question, await numbered(uow, punkt), moede, udvalg, line.ref().label())


async def check_ask(uow: UnitOfWork, actor: Actor, punkt_id: int, now: datetime) -> Asked:
    """Before the member types: may they still ask about this punkt?"""
    async with uow:
        return await _target(uow, actor, punkt_id, now)


async def ask_question(
    uow: UnitOfWork, actor: Actor, punkt_id: int, text: str, now: datetime, texts: Texts
) -> Asked:
    """Keep the question and send it to the udvalg's secretaries, each with "Svar"."""
    value = clean_text(text, MAX_QUESTION, "err-question-empty", "err-question-too-long")
    async with uow:
        asked = await _target(uow, actor, punkt_id, now)
        question = await uow.questions.add(Question(punkt_id, actor.person_id, value, now))
        udvalg, moede, punkt = asked.udvalg, asked.moede, asked.punkt
        notices = [
            Notice(
                f"question:{question.id}:s{person.id}",
                person,
                question_notice(
                    texts(person.language), udvalg, moede, punkt, asked.asker, question
                ),
            )
            for person in await people_with(uow, udvalg.id or 0, member=False)
        ]
        told = await queue_notices(uow, notices, now, udvalg.id or 0)
        await audit(
            uow,
            actor,
            "punkt.question",
            "punkt",
            punkt_id,
            now,
            udvalg.id,
            question_id=question.id,
            text=value,
        )
        await uow.commit()
    return Asked(question, punkt, moede, udvalg, asked.asker, told)


async def _answerable(uow: UnitOfWork, actor: Actor, question_id: int) -> Asked:
    question = await uow.questions.get(question_id)
    if question is None:
        raise NotFound("err-question-gone")
    punkt, moede = await load_punkt(uow, question.punkt_id)
    require_editor(actor, moede.udvalg_id)
    await require_record_open(uow, moede.id or 0)
    names = {
        m.person_id: m.ref().label() for m in await udvalg_members(uow, moede.udvalg_id, moede.date)
    }
    person = await uow.persons.get(question.asked_by)
    asker = names.get(question.asked_by) or (person.name if person else "?")
    if question.answered:
        raise InvalidInput("err-question-answered", name=asker)
    return Asked(question, await numbered(uow, punkt), moede, await udvalg_of(uow, moede), asker)


async def check_answer(uow: UnitOfWork, actor: Actor, question_id: int) -> Asked:
    """Before the secretary types: the question, if it still waits for an answer."""
    async with uow:
        return await _answerable(uow, actor, question_id)


async def answer_question(
    uow: UnitOfWork, actor: Actor, question_id: int, text: str, now: datetime, texts: Texts
) -> Asked:
    """Keep the answer on the punkt (once: a second answer is refused) and tell every member."""
    value = clean_text(text, MAX_ANSWER, "err-answer-empty", "err-answer-too-long")
    async with uow:
        asked = await _answerable(uow, actor, question_id)
        question = asked.question
        question.answer, question.answered_by, question.answered_at = value, actor.person_id, now
        if not await uow.questions.answer(question):
            raise InvalidInput("err-question-answered", name=asked.asker)
        by = await uow.persons.get(actor.person_id)
        answered_by = by.name if by else "?"
        udvalg, moede, punkt = asked.udvalg, asked.moede, asked.punkt
        notices = [
            Notice(
                f"answer:{question_id}:p{person.id}",
                person,
                answer_notice(
                    texts(person.language), udvalg, moede, punkt, asked.asker, question, answered_by
                ),
            )
            for person in await people_with(uow, udvalg.id or 0, member=True)
        ]
        told = await queue_notices(uow, notices, now, udvalg.id or 0)
        await audit(
            uow,
            actor,
            "punkt.answer",
            "punkt",
            punkt.id,
            now,
            udvalg.id,
            question_id=question_id,
            text=value,
        )
        await uow.commit()
    return Asked(question, punkt, moede, udvalg, asked.asker, told)
