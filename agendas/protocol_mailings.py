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

from agendas.chatviews import Translate, esc, paginate, section_blocks
from agendas.dates import format_date
from agendas.mailings import ButtonSpec, OutMessage
from agendas.meeting_view import MeetingView

#: Button targets the delivery worker turns into meeting-mode buttons (``handlers.protocol``):
#: approve (``id`` the meeting, ``version`` the protocol's revision) and the Word file.
APPROVE = "meeting:approve"
DOCUMENT = "meeting:doc"
#: The approval request shows each decision cut to this many characters (the Word file has all).
SUMMARY_LIMIT = 300
TITLE_LIMIT = 120


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def approval_request(view: MeetingView, t: Translate) -> list[OutMessage]:
    """The pages of one approval request; the last carries the buttons."""
    moede_id = view.moede.id or 0
    blocks = [
        t("meeting-summary-head", udvalg=esc(view.udvalg.name), date=format_date(view.moede.date))
    ]
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
