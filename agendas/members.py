"""What members do for themselves before a meeting: declare inhabilitet, ask the forvaltning a
question about a sag, propose a punkt. Plain dataclasses, no I/O.

- **Inhabilitet.** Kommunestyrelsesloven § 14, stk. 1 (via § 20 for udvalg) puts the duty on
  the member: one who is or may be inhabil must tell the udvalg. A member does so from the punkt
  (with a short reason); the declaration is kept, the secretary confirms it in meeting mode, and
  only then does the protocol print "X (A) deltog ikke i behandlingen af punktet på grund af
  inhabilitet" (``agendas.protocol.inhabil_line``).
- **Spørgsmål og svar.** A member's question about a sag, asked before the meeting, answered by
  the secretary on the forvaltning's behalf; kept on the sag for every member, in the internal
  agenda and protocol only (see ``agendas.documents.render``).
- **Forslag.** A member proposes a punkt for a coming meeting; the secretary puts it on the
  agenda ("optaget") or declines with a reason ("afvist").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

#: The committee's zone, for the times a chat view shows (the chat passes its own setting).
ZONE = "Europe/Copenhagen"

#: The longest reason for inhabilitet, question, answer, proposal text and decline reason.
MAX_INHABIL_REASON = 300
MAX_QUESTION = 1000
MAX_ANSWER = 2500
MAX_PROPOSAL_TEXT = 2000
MAX_DECLINE_REASON = 500

#: Button targets the delivery worker turns into callback data (``handlers.callbacks``).
ANSWER = "question:answer"
ACCEPT = "proposal:accept"
DECLINE = "proposal:decline"

#: The first line of an accepted proposal's Sagens kerne (Danish domain wording, as printed).
PROPOSAL_LEAD = "Optaget på dagsordenen efter anmodning fra {member}."


@dataclass(slots=True)
class InhabilDeclaration:
    """A member said they are inhabil in a punkt (one per member and punkt; a second replaces
    the reason). Confirmed when the secretary marks them inhabil in the decision."""

    punkt_id: int
    person_id: int
    reason: str
    declared_at: datetime
    id: int | None = None


@dataclass(slots=True)
class Question:
    """A member's question about a punkt, and the answer once given."""

    punkt_id: int
    asked_by: int
    text: str
    asked_at: datetime
    answer: str = ""
    answered_by: int | None = None
    answered_at: datetime | None = None
    id: int | None = None

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class ProposalState(enum.StrEnum):
    AFVENTER = "afventer"
    OPTAGET = "optaget"
    AFVIST = "afvist"


@dataclass(slots=True)
class Proposal:
    """A member's proposal of a punkt for a coming meeting; ``punkt_id`` once it is on it."""

    moede_id: int
    proposed_by: int
    title: str
    text: str
    proposed_at: datetime
    state: ProposalState = ProposalState.AFVENTER
    decided_by: int | None = None
    decided_at: datetime | None = None
    reason: str = ""
    punkt_id: int | None = None
    id: int | None = None
