"""What people receive around the protocol's approval.

- Each member present who has not approved yet: the decisions in short, ending with the buttons
  "Godkend protokol" (carrying the protocol's revision, so a request made before a later change
  is recognised) and the Word file.
- When the last of them approves: the udvalg's secretaries a short notice, and everyone in the
  udvalg the decisions (the public text of a closed punkt for those who may not read it).

Pure functions, like ``agendas.mailings``: the meeting as meeting mode sees it in, messages
(Telegram HTML under the limit, with abstract buttons) out. The caller passes a ``Translate`` in
the recipient's language, plain text: these views escape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agendas.chatviews import Translate, esc, paginate, section_blocks
from agendas.dates import format_date
from agendas.mailings import ButtonSpec, OutMessage
from agendas.meeting_view import MeetingView
from agendas.model import SECTION_BY_KEY, AuditEvent, Punkt

#: Button targets the delivery worker turns into meeting-mode buttons (``handlers.protocol``):
#: approve (``id`` the meeting, ``version`` the protocol's revision) and the Word file.
APPROVE = "meeting:approve"
DOCUMENT = "meeting:doc"
#: The approval request shows each decision cut to this many characters (the Word file has all).
SUMMARY_LIMIT = 300
TITLE_LIMIT = 120


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class RecordChange:
    """One thing changed in a meeting's record since it was re-opened: ``number`` the punkt
    (0: the meeting as a whole), ``key`` the catalogue text naming what changed."""

    number: int
    key: str
    params: dict[str, object] = field(default_factory=dict, hash=False, compare=False)

    def label(self, t: Translate) -> str:
        what = t(self.key, **self.params)
        return t("meeting-change-punkt", number=self.number, what=what) if self.number else what


#: The audit actions that change a meeting's record, and the catalogue text naming each.
_CHANGE_KEYS = {
    "punkt.beslutning": "meeting-change-beslutning",
    "punkt.votes": "meeting-change-votes",
    "punkt.inhabil": "meeting-change-inhabil",
    "punkt.remark": "meeting-change-remark",
    "punkt.public_beslutning": "meeting-change-public",
    "punkt.create": "meeting-change-new",
    "punkt.close": "meeting-change-closed",
    "punkt.open": "meeting-change-closed",
    "punkt.move": "meeting-change-order",
    "bilag.add": "meeting-change-bilag",
    "bilag.remove": "meeting-change-bilag",
    "moede.attendance": "meeting-change-attendance",
    "moede.absent_for": "meeting-change-attendance",
    "moede.end": "meeting-change-end",
}


def record_changes(
    events: list[AuditEvent], moede_id: int, punkter: list[Punkt]
) -> list[RecordChange]:
    """The changes to this meeting's record among ``events``, each named once, punkt order."""
    numbers = {p.id or 0: p.number for p in punkter}
    found: dict[tuple[int, str, str], RecordChange] = {}
    for event in events:
        punkt_id = event.entity_id if event.entity == "punkt" else event.details.get("punkt_id")
        on_moede = event.entity == "moede" and event.entity_id == moede_id
        if punkt_id in numbers:
            number = numbers[int(str(punkt_id))]
        elif on_moede and event.action.startswith("moede."):
            number = 0
        else:
            continue
        if event.action == "punkt.edit":
            name = str(event.details.get("field", ""))
            section = SECTION_BY_KEY.get(name)
            label = section.title if section else name
            change = RecordChange(number, "meeting-change-field", {"field": label})
            found.setdefault((number, change.key, label), change)
        elif event.action in _CHANGE_KEYS:
            change = RecordChange(number, _CHANGE_KEYS[event.action])
            found.setdefault((number, change.key, ""), change)
    return sorted(found.values(), key=lambda c: (c.number == 0, c.number, c.key))


def reopened_notice(view: MeetingView, t: Translate, reason: str, by: str) -> OutMessage:
    """To a member whose approval a re-open voided: why, and that they will be asked again."""
    text = t(
        "meeting-reopened-notice",
        udvalg=view.udvalg.name,
        date=format_date(view.moede.date),
        name=by,
        reason=reason,
    )
    return OutMessage(esc(text))


def approval_request(
    view: MeetingView,
    t: Translate,
    changes: list[RecordChange] | None = None,
    reminder: bool = False,
) -> list[OutMessage]:
    """The pages of one approval request; the last carries the buttons. After a re-open it
    starts with the reason and what changed since; an automatic reminder says it is one."""
    moede_id = view.moede.id or 0
    blocks = [
        t("meeting-summary-head", udvalg=esc(view.udvalg.name), date=format_date(view.moede.date))
    ]
    if reminder:
        blocks.insert(0, esc(t("meeting-summary-reminder")))
    if view.state.reopen_reason and view.state.reopen_count:
        what = "; ".join(c.label(t) for c in changes or []) or t("meeting-change-none")
        blocks.append(
            esc(t("meeting-summary-reopened", reason=view.state.reopen_reason, changes=what))
        )
    for punkt in view.punkter:
        decision = view.record(punkt.id or 0).decision_text() or "—"
        blocks.append(
            t(
                "meeting-summary-line",
                number=punkt.number,
                title=esc(_clip(punkt.title, TITLE_LIMIT)),
                decision=esc(_clip(decision, SUMMARY_LIMIT)),
            )
        )
    blocks.append(esc(t("meeting-summary-ask")))
    pages = paginate(blocks)
    buttons = (
        (ButtonSpec(t("meeting-btn-approve"), APPROVE, moede_id, view.rev),),
        (ButtonSpec(t("meeting-btn-doc"), DOCUMENT, moede_id),),
    )
    return [OutMessage(page) for page in pages[:-1]] + [OutMessage(pages[-1], buttons)]


def all_approved(view: MeetingView, t: Translate) -> OutMessage:
    """To the secretaries: every member present has approved; the protocol is locked."""
    text = t("meeting-all-approved", udvalg=view.udvalg.code, date=format_date(view.moede.date))
    return OutMessage(esc(text))


def decisions_summary(view: MeetingView, t: Translate, may_read_closed: bool) -> list[OutMessage]:
    """The approved decisions, punkt by punkt; punkter without a decision are left out."""
    head = t("decisions-summary", udvalg=view.udvalg.name, date=format_date(view.moede.date))
    blocks = [f"<b>{esc(head)}</b>"]
    for punkt in view.punkter:
        record = view.record(punkt.id or 0)
        text = record.decision_text()
        if punkt.closed and not may_read_closed:
            text = record.public_beslutning
        if text.strip():
            blocks.extend(
                section_blocks(f"{punkt.number}. {punkt.title}", text, t("view-continued"))
            )
    return [OutMessage(page) for page in paginate(blocks)]
