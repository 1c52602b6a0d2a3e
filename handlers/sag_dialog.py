"""The /nysag dialog's steps: its states, and asking the question of the step it is in.

The step is the FSM state and everything collected so far is the FSM data, so ``ask`` can ask
again after bad input or a restart. The handlers that take the answers are in ``handlers.sag``.
"""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup, Message

from agendas.model import DIALOG_SECTIONS, SAGSTYPE_LABELS, SECTION_BY_KEY, Sagstype
from handlers.callbacks import NySagCb
from handlers.chat import button, markup
from handlers.texts import t

#: Beslutningskompetence offered besides the udvalg's own code.
COMMON_KOMPETENCER = ("ØU", "KB")


class NySag(StatesGroup):
    moede = State()  # choosing the meeting (several coming ones)
    title = State()
    sagstype = State()
    kompetence = State()
    kompetence_text = State()
    lukket = State()
    section = State()  # data["section"] is the key of the section asked for
    bilag = State()  # the sag is stored and open: documents sent now become its bilag


def done_markup(punkt_id: int) -> InlineKeyboardMarkup:
    return markup([[button(t("sag-btn-done"), NySagCb(action="done", value=str(punkt_id)))]])


async def ask(target: Message, state: FSMContext) -> None:
    """Ask the question of the step the dialog is in (also after bad input or a restart)."""
    current = await state.get_state()
    data = await state.get_data()
    if current == NySag.title.state:
        await target.answer(t("sag-ask-title", udvalg=data["udvalg_name"], date=data["moede_date"]))
    elif current == NySag.sagstype.state:
        rows = [
            [button(SAGSTYPE_LABELS[s], NySagCb(action="type", value=s.value))] for s in Sagstype
        ]
        await target.answer(t("sag-ask-sagstype"), reply_markup=markup(rows))
    elif current == NySag.kompetence.state:
        choices = [
            data["udvalg_code"],
            *(k for k in COMMON_KOMPETENCER if k != data["udvalg_code"]),
        ]
        rows = [[button(k, NySagCb(action="komp", value=k)) for k in choices]]
        rows.append([button(t("sag-btn-other"), NySagCb(action="komp", value="-"))])
        await target.answer(t("sag-ask-kompetence"), reply_markup=markup(rows))
    elif current == NySag.kompetence_text.state:
        await target.answer(t("sag-ask-kompetence-text"))
    elif current == NySag.lukket.state:
        rows = [
            [
                button(t("sag-btn-yes"), NySagCb(action="closed", value="1")),
                button(t("sag-btn-no"), NySagCb(action="closed", value="0")),
            ]
        ]
        await target.answer(t("sag-ask-lukket"), reply_markup=markup(rows))
    elif current == NySag.section.state:
        await ask_section(target, data)


async def ask_section(target: Message, data: dict[str, Any]) -> None:
    key = str(data["section"])
    section = SECTION_BY_KEY[key]
    index = next(i for i, s in enumerate(DIALOG_SECTIONS) if s.key == key) + 1
    parts = [t("sag-ask-section", section=section.title, step=index, total=len(DIALOG_SECTIONS))]
    if key == "indstilling":
        parts.append(t("sag-hint-indstilling", forvaltning=data["forvaltning"]))
    parts.append(t("sag-section-required" if section.required else "sag-section-optional"))
    skip = None
    if not section.required:
        skip = markup([[button(t("sag-btn-skip"), NySagCb(action="skip", value=key))]])
    await target.answer("\n".join(parts), reply_markup=skip)


async def next_step(target: Message, state: FSMContext, **changes: Any) -> None:
    """Store the answer, move to the following step and ask it."""
    await state.update_data(**changes)
    current = await state.get_state()
    order = [NySag.title, NySag.sagstype, NySag.kompetence, NySag.lukket]
    states = [s.state for s in order]
    if current == NySag.kompetence_text.state:
        current = NySag.kompetence.state
    if current in states and current != states[-1]:
        await state.set_state(order[states.index(current) + 1])
    else:
        data = await state.get_data()
        keys = [s.key for s in DIALOG_SECTIONS]
        after = keys.index(data["section"]) + 1 if current == NySag.section.state else 0
        if after >= len(keys):
            return
        await state.set_state(NySag.section)
        await state.update_data(section=keys[after])
    await ask(target, state)
