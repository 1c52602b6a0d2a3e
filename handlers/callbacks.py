"""Every button's callback data (each kept under Telegram's 64 bytes), in one place.

``pack_button`` turns the domain's ``ButtonSpec`` (the buttons of outbox messages and of the
pure chat views) into callback data; the composition root hands it to the outbox worker, so the
workers in ``bot/`` import no handler.
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from agendas import members, protocol_mailings
from agendas.mailings import ButtonSpec

#: Every number in a button: an id, a version or a choice. PostgreSQL's integer ends at 2**31 - 1,
#: so a larger (or negative) number is no button of ours: the filter does not match, and the
#: fallback answers "Knappen er forældet" instead of a database overflow.
DbInt = Annotated[int, Field(ge=0, le=2**31 - 1)]


class MoedeCb(CallbackData, prefix="m"):
    """A button about a meeting: ``agenda`` opens it, ``nysag`` starts a sag on it."""

    action: str
    moede_id: DbInt


class PunktCb(CallbackData, prefix="p"):
    """A button about a punkt. ``version`` lets an old message's button be recognised as stale."""

    action: str
    punkt_id: DbInt
    version: DbInt = 0


class BilagCb(CallbackData, prefix="b"):
    action: str
    bilag_id: DbInt


class InviteCb(CallbackData, prefix="iv"):
    """/inviter without arguments: pick the udvalg (``role`` empty), then the role."""

    code: str
    role: str = ""


class NytMoedeCb(CallbackData, prefix="nm"):
    """The /nytmoede dialog: ``udvalg`` picks the committee (``code``), ``skip`` skips the place."""

    action: str
    code: str = ""


class PunktEditCb(CallbackData, prefix="pe"):
    """Edit one field of a punkt; ``value`` carries a chosen sagstype, or ``clear``."""

    name: str
    punkt_id: DbInt
    version: DbInt
    value: str = ""


class PunktMoveCb(CallbackData, prefix="pm"):
    """Move a punkt (seen at ``version``) to another meeting of the same udvalg."""

    punkt_id: DbInt
    version: DbInt
    moede_id: DbInt


class NySagCb(CallbackData, prefix="ns"):
    """A button in the /nysag dialog; ``value`` is checked against the step it was asked in."""

    action: str
    value: str = ""


class ReleaseCb(CallbackData, prefix="rl"):
    """``force``: the secretary has seen the empty required sections and sends anyway."""

    moede_id: DbInt
    force: bool = False


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class ImportCb(CallbackData, prefix="im"):
    """``code`` is the udvalg chosen (empty: do not import); ``upload`` the message id of the
    file, so a button of an earlier upload is recognised as outdated; ``update`` the meeting the
    document updates (the udvalg had it already)."""

    code: str
    upload: DbInt
    update: DbInt = 0


class RosterCb(CallbackData, prefix="ro"):
    """/medlemmer: ``action`` edit/del/delyes/inv/list for member ``person_id`` of ``code``;
    ``imp``/``impno`` adds (or not) the members an import of meeting ``moede_id`` found off the
    roster (their names wait in the dialog data)."""

    action: str
    code: str = ""
    person_id: DbInt = 0
    moede_id: DbInt = 0


class MmCb(CallbackData, prefix="mm"):
    """A meeting-mode button: ``item`` is a punkt or person id, ``value`` a choice index or id."""

    action: str
    moede_id: DbInt
    rev: DbInt = 0
    item: DbInt = 0
    value: DbInt = 0


class ApproveCb(CallbackData, prefix="pa"):
    moede_id: DbInt
    rev: DbInt


class StatusCb(CallbackData, prefix="st"):
    """``action``: groen/gul/roed/same (choose), answer (show an indsats), skip (no
    attachment), ok (report), edit (start over), list (the prompt once more), handover (list
    colleagues), give (to ``value``), away / awayd (absent until the day ``value``, an
    ordinal) / awayend, report (the secretary's report of ``indsats_id`` = plan id), view (an
    indsats' status), redset (the red-alert choice of udvalg ``round_id``, ``value`` 1/0).
    ``round_id`` 0 with an indsats: an answer before the round opens."""

    action: str
    indsats_id: DbInt
    round_id: DbInt
    value: DbInt = 0


class UnitCb(CallbackData, prefix="un"):
    """``action``: contact (who answers for unit ``target``?), set (person ``value``), same /
    new (the tolerant match of the owner at position ``value`` of indsats ``target``)."""

    action: str
    target: DbInt
    value: DbInt = 0


class PlanCb(CallbackData, prefix="pl"):
    """Import the waiting upload ``upload`` as a plan of ``code`` (empty: do not)."""

    code: str
    upload: DbInt


class IndsatsCb(CallbackData, prefix="ind"):
    """``action``: list (the indsatser of plan ``target``), edit (the fields of indsats
    ``target`` of plan ``value``), field (retype field number ``value`` of ``target``), tov
    (tovholder choice number ``value`` in the dialog), skip (skip the dialog's question)."""

    action: str
    target: DbInt
    value: DbInt = 0


class MemberCb(CallbackData, prefix="mb"):
    """What a member does for themselves: ``inhab`` (inhabil in punkt ``target``), ``ask`` (a
    question about punkt ``target``), ``range`` (kommer/går at meeting ``target``), ``propose``
    (a punkt for meeting ``target``), ``subst`` (call stedfortræder ``value`` to meeting
    ``target``)."""

    action: str
    target: DbInt
    value: DbInt = 0


class QuestionCb(CallbackData, prefix="q"):
    """``answer``: the secretary answers question ``question_id``."""

    action: str
    question_id: DbInt


class ProposalCb(CallbackData, prefix="pp"):
    """``accept`` or ``decline`` a member's proposal ``proposal_id``."""

    action: str
    proposal_id: DbInt


def pack_button(spec: ButtonSpec) -> str | None:
    """The callback data of a button the domain described; None for a target nobody answers."""
    if spec.target == "punkt":
        return PunktCb(action="open", punkt_id=spec.id, version=spec.version).pack()
    if spec.target == "bilag":
        return BilagCb(action="get", bilag_id=spec.id).pack()
    if spec.target.startswith("status:"):
        action = spec.target.removeprefix("status:")
        return StatusCb(action=action, indsats_id=spec.id, round_id=spec.version).pack()
    if spec.target == protocol_mailings.APPROVE:
        return ApproveCb(moede_id=spec.id, rev=spec.version).pack()
    if spec.target == protocol_mailings.DOCUMENT:
        return MmCb(action="doc", moede_id=spec.id).pack()
    if spec.target == members.ANSWER:
        return QuestionCb(action="answer", question_id=spec.id).pack()
    if spec.target in (members.ACCEPT, members.DECLINE):
        action = "accept" if spec.target == members.ACCEPT else "decline"
        return ProposalCb(action=action, proposal_id=spec.id).pack()
    return None
