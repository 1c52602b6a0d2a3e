"""The secretary's view of status rounds: /statusoverblik (with the report as Word), /statusrunde,
/planer and /planskema.

/statusoverblik shows the latest round of each plan: counts per colour, who is missing, what
changed since the last round, and a "Rapport" button. /planer lists the plans with a button per
plan for its indsatser (``handlers.plans`` edits them).
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from agendas.chatviews import Texts
from agendas.dates import format_date, format_time, to_local
from agendas.model import Actor
from agendas.plans import COLOUR_LABELS, StatusColour, StatusSchedule
from agendas.ports import UnitOfWork
from agendas.status import overview, plans, report, rounds
from agendas.status.overview import RoundStatus, colour_word
from handlers.callbacks import StatusCb
from handlers.chat import chat_message
from handlers.context import ChatConfig
from handlers.plans import indsats_button, plan_id_arg
from handlers.texts import t


def overview_text(item: RoundStatus, zone: str) -> str:
    counts = item.overview.counts
    deadline = to_local(item.status_round.deadline, zone)
    lines = [
        t(
            "status-overview-head",
            plan=item.plan.title,
            udvalg=item.udvalg.code,
            number=item.status_round.number,
            deadline=f"{format_date(deadline.date())} kl. {format_time(deadline.time())}",
            state=t(f"status-state-{item.status_round.state.value}"),
        ),
        t(
            "status-overview-counts",
            groen=counts.get(StatusColour.GROEN, 0),
            gul=counts.get(StatusColour.GUL, 0),
            roed=counts.get(StatusColour.ROED, 0),
            missing=len(item.overview.missing),
        ),
    ]
    if item.overview.missing:
        lines.append(t("status-overview-missing"))
        for indsats in item.overview.missing:
            who = item.tovholder_names.get(indsats.id or 0) or indsats.tovholder or "–"
            lines.append(t("status-overview-line", indsats=indsats.title, who=who))
    # A first answer is no change: only colours that differ from an earlier answer are shown.
    changed = [c for c in item.overview.changed if c[1] is not None]
    if changed:
        lines.append(t("status-overview-changed"))
        for indsats, before, after in changed:
            lines.append(
                t(
                    "status-overview-change",
                    indsats=indsats.title,
                    before=colour_word(before),
                    after=COLOUR_LABELS[after],
                )
            )
    return "\n".join(lines)


async def overview_command(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    items = await overview.round_overviews(uow, actor)
    if not items:
        await message.answer(t("status-overview-none"))
        return
    for item in items:
        button = InlineKeyboardButton(
            text=t("status-btn-report"),
            callback_data=StatusCb(
                action="report",
                indsats_id=item.plan.id or 0,
                round_id=item.status_round.id or 0,
                value=item.status_round.number,
            ).pack(),
        )
        text = overview_text(item, config.timezone)
        if len(text) > 4000:
            text = text[:3990] + "…"
        await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]))


async def on_report(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """ "Rapport": the round's report as Word (``indsats_id`` is the plan, ``value`` the round)."""
    message = await chat_message(query)
    file = await report.report_docx(
        uow,
        actor,
        callback_data.indsats_id,
        callback_data.value or None,
        config.timezone,
        config.docx_template,
    )
    await query.answer()
    await message.answer_document(
        BufferedInputFile(file.content, filename=file.file_name),
        caption=t(
            "status-report-ready", plan=file.report.plan_title, number=file.report.round_number
        ),
    )


async def plans_command(message: Message, actor: Actor, uow: UnitOfWork) -> None:
    listing = await plans.list_plans(uow, actor)
    if not listing:
        await message.answer(t("plan-list-none"))
        return
    lines = [t("plan-list-head")]
    for entry in listing:
        rule = entry.plan.schedule.rule if entry.plan.schedule else t("plan-no-schedule")
        lines.append(
            t(
                "plan-list-line",
                plan_id=entry.plan.id,
                code=entry.udvalg.code,
                title=entry.plan.title,
                count=entry.indsatser,
                rule=rule,
            )
        )
    rows = [
        [
            indsats_button(
                t("plan-btn-indsatser", plan_id=entry.plan.id, title=entry.plan.title),
                "list",
                entry.plan.id or 0,
            )
        ]
        for entry in listing[:90]
    ]
    await message.answer(
        "\n".join(lines)[:4000], reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def schedule_command(
    message: Message, command: CommandObject, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """/planskema PLAN REGEL, e.g. ``/planskema 3 første mandag i måneden kl. 9``."""
    parts = (command.args or "").split(maxsplit=1)
    if len(parts) < 2:
        await message.answer(t("plan-schedule-usage"))
        return
    plan, first = await plans.set_schedule(
        uow,
        actor,
        plan_id_arg(parts[0]),
        StatusSchedule(rule=parts[1]),
        config.now(),
        config.timezone,
    )
    if first is None:
        await message.answer(t("plan-schedule-set-no-meeting", plan=plan.title, rule=parts[1]))
        return
    opens = to_local(first.opens_at, config.timezone)
    deadline = to_local(first.deadline, config.timezone)
    await message.answer(
        t(
            "plan-schedule-set",
            plan=plan.title,
            rule=parts[1],
            opens=f"{format_date(opens.date())} kl. {format_time(opens.time())}",
            deadline=f"{format_date(deadline.date())} kl. {format_time(deadline.time())}",
        )
    )


async def round_command(
    message: Message,
    command: CommandObject,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """/statusrunde PLAN: open a round now (outside the schedule)."""
    if not (command.args or "").strip():
        await message.answer(t("status-round-usage"))
        return
    opened = await rounds.open_round_now(
        uow,
        actor,
        plan_id_arg(command.args or ""),
        config.now(),
        config.timezone,
        texts,
    )
    if outbox_wake is not None:
        outbox_wake()
    deadline = to_local(opened.status_round.deadline, config.timezone)
    await message.answer(
        t(
            "status-round-opened",
            plan=opened.plan.title,
            number=opened.status_round.number,
            prompts=opened.prompts,
            unreachable=len(opened.unreachable),
            deadline=f"{format_date(deadline.date())} kl. {format_time(deadline.time())}",
        )
    )


def setup() -> Router:
    router = Router(name="status_overview")
    router.message.filter(F.chat.type == "private")
    router.message.register(overview_command, Command("statusoverblik"))
    router.message.register(plans_command, Command("planer"))
    router.message.register(schedule_command, Command("planskema"))
    router.message.register(round_command, Command("statusrunde"))
    router.callback_query.register(on_report, StatusCb.filter(F.action == "report"))
    return router
