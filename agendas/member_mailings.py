"""What people receive when members act for themselves: the secretaries are told of an
inhabilitet, a stedfortræder called, a question (with "Svar") and a proposal (with "Optag" and
"Afvis"); the stedfortræder is told they are called; every member gets a question's answer; the
member who proposed a punkt gets the decision.

Pure functions, like ``agendas.mailings``: plain values in, ``OutMessage`` (Telegram HTML under
the limit, with abstract buttons) out. The caller passes a ``Translate`` in the recipient's
language, plain text: these views escape.
"""

from __future__ import annotations

from agendas.chatviews import Translate, esc
from agendas.dates import format_date, moede_when
from agendas.mailings import ButtonSpec, OutMessage
from agendas.members import ACCEPT, ANSWER, DECLINE, Proposal, Question
from agendas.model import Moede, Punkt, Udvalg


def _where(udvalg: Udvalg, moede: Moede) -> dict[str, object]:
    return {"udvalg": udvalg.code, "date": format_date(moede.date)}


def _open(t: Translate, punkt: Punkt) -> ButtonSpec:
    return ButtonSpec(
        t("release-btn-open", number=punkt.number), "punkt", punkt.id or 0, punkt.version
    )


def inhabil_notice(
    t: Translate, udvalg: Udvalg, moede: Moede, punkt: Punkt, member: str, reason: str
) -> OutMessage:
    """To the secretaries: a member declared inhabilitet; confirmed in meeting mode."""
    text = t(
        "members-inhabil-notice",
        name=member,
        number=punkt.number,
        title=punkt.title,
        reason=reason,
        **_where(udvalg, moede),
    )
    return OutMessage(f"🙋 {esc(text)}", ((_open(t, punkt),),))


def substitute_notice(
    t: Translate, udvalg: Udvalg, moede: Moede, member: str, substitute: str, on_telegram: bool
) -> OutMessage:
    """To the secretaries: a member sent afbud and called their stedfortræder."""
    text = t(
        "members-substitute-notice", name=member, substitute=substitute, **_where(udvalg, moede)
    )
    if not on_telegram:
        text += "\n" + t("members-substitute-not-on-telegram", substitute=substitute)
    return OutMessage(f"🔁 {esc(text)}")


def substitute_called(
    t: Translate, udvalg: Udvalg, moede: Moede, member: str, released: bool
) -> OutMessage:
    """To the stedfortræder: called in for ``member``; the agenda follows (or follows when it
    is sent out)."""
    text = t(
        "members-substitute-called",
        name=member,
        udvalg=udvalg.name,
        when=moede_when(t, moede.date, moede.start_time),
        place=moede.place or "-",
    )
    follows = t(
        "members-substitute-agenda-follows" if released else "members-substitute-agenda-later"
    )
    return OutMessage(f"🔁 {esc(text)}\n{esc(follows)}")


def question_notice(
    t: Translate, udvalg: Udvalg, moede: Moede, punkt: Punkt, member: str, question: Question
) -> OutMessage:
    """To the secretaries: a member's question about a punkt, with "Svar"."""
    head = t(
        "members-question-notice",
        name=member,
        number=punkt.number,
        title=punkt.title,
        **_where(udvalg, moede),
    )
    buttons = (
        (ButtonSpec(t("members-btn-answer"), ANSWER, question.id or 0),),
        (_open(t, punkt),),
    )
    return OutMessage(f"❓ {esc(head)}\n\n{esc(question.text)}", buttons)


def answer_notice(
    t: Translate,
    udvalg: Udvalg,
    moede: Moede,
    punkt: Punkt,
    asker: str,
    question: Question,
    answered_by: str,
) -> OutMessage:
    """To every member: a question about a punkt and its answer, now on the punkt."""
    head = t(
        "members-answer-notice", number=punkt.number, title=punkt.title, **_where(udvalg, moede)
    )
    asked = t("members-answer-question", name=asker)
    answered = t("members-answer-answer", name=answered_by)
    html = (
        f"💬 <b>{esc(head)}</b>\n\n<b>{esc(asked)}</b>\n{esc(question.text)}\n\n"
        f"<b>{esc(answered)}</b>\n{esc(question.answer)}"
    )
    return OutMessage(html, ((_open(t, punkt),),))


def proposal_notice(
    t: Translate, udvalg: Udvalg, moede: Moede, member: str, proposal: Proposal
) -> OutMessage:
    """To the secretaries: a member proposes a punkt, with "Optag" and "Afvis"."""
    head = t("members-proposal-notice", name=member, **_where(udvalg, moede))
    pid = proposal.id or 0
    buttons = (
        (
            ButtonSpec(t("members-btn-accept"), ACCEPT, pid),
            ButtonSpec(t("members-btn-decline"), DECLINE, pid),
        ),
    )
    body = f"<b>{esc(proposal.title)}</b>\n{esc(proposal.text)}"
    return OutMessage(f"💡 {esc(head)}\n\n{body}", buttons)


def proposal_accepted(
    t: Translate, udvalg: Udvalg, moede: Moede, proposal: Proposal, punkt: Punkt
) -> OutMessage:
    """To the member: their proposal is on the agenda."""
    text = t(
        "members-proposal-accepted",
        title=proposal.title,
        number=punkt.number,
        **_where(udvalg, moede),
    )
    return OutMessage(f"✅ {esc(text)}")


def proposal_declined(t: Translate, udvalg: Udvalg, moede: Moede, proposal: Proposal) -> OutMessage:
    """To the member: their proposal was declined, and why."""
    text = t(
        "members-proposal-declined",
        title=proposal.title,
        reason=proposal.reason,
        **_where(udvalg, moede),
    )
    return OutMessage(f"❌ {esc(text)}")
