"""The secretary's view of status rounds: /statusoverblik (with the chart and the report as
Word), /statusrunde, /planer, /planskema, /roedstatus, and one indsats' status (the button on a
red alert).

/statusoverblik shows the latest round of each plan: counts per colour, who is missing (and who
of them is away), what changed since the last round, the answers given before the round, a
chart of the colour counts over the rounds as a picture, and a "Rapport" button. /planer lists
the plans with a button per plan for its indsatser (``handlers.plans`` edits them). /roedstatus
chooses whether the formand hears of a red answer too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

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
from agendas.documents.offload import off_loop
from agendas.model import Actor
from agendas.plans import COLOUR_LABELS, StatusColour, StatusSchedule
from agendas.ports import UnitOfWork
from agendas.status import report, rounds
from agendas.status.chart import colour_chart_png
from handlers.callbacks import StatusCb
from handlers.chat import chat_message
from handlers.context import ChatConfig
from handlers.plans import indsats_button, plan_id_arg
from handlers.status_chat import status_button
from handlers.texts import t

if TYPE_CHECKING:
    from agendas.status.overview import IndsatsStatus, RoundStatus


def overview_text(item: RoundStatus, zone: str) -> str:
    from agendas.status.overview import colour_word

    counts = item.overview.counts
    deadline = to_local(item.status_round.deadline, zone)
    lines = [
        t(
            "status-overview-head",
            plan=item.plan.named,
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
    if item.early:
        lines.append(
            t(
                "status-overview-early-one" if item.early == 1 else "status-overview-early-other",
                count=item.early,
            )
        )
    if item.overview.missing:
        lines.append(t("status-overview-missing"))
        for indsats in item.overview.missing:
            who = item.tovholder_names.get(indsats.id or 0) or indsats.tovholder or "–"
            line = t("status-overview-line", indsats=indsats.title, who=who)
            back = item.away.get(indsats.id or 0)
            if back is not None:
                line += " " + t("status-away-until", date=format_date(back))
            lines.append(line)
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
    from agendas.status import overview

    items = await overview.round_overviews(uow, actor, today=config.today().date())
    if not items:
        await message.answer(t("status-overview-none"))
        return
    for item in items:
        png = await off_loop(colour_chart_png, item.history)
        await message.answer_photo(
            BufferedInputFile(png, filename=f"statusoverblik-plan-{item.plan.id}.png"),
            caption=t(
                "status-chart-caption",
                plan=item.plan.named,
                rounds=len(item.history),
                trend=_trend_text(item),
            )[:1000],
        )
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


def _trend_text(item: RoundStatus) -> str:
    """ "Runde 1: 🟢 3 🟡 1 🔴 0 ⬜ 2" per round, the last rounds first cut."""
    lines = [
        f"{t('status-round-word', number=r.number)}: "
        + " ".join(f"{mark} {r.part(colour)}" for colour, mark in _MARKS)
        for r in item.history[-6:]
    ]
    return "\n".join(lines)


_MARKS = (
    (StatusColour.GROEN, "🟢"),
    (StatusColour.GUL, "🟡"),
    (StatusColour.ROED, "🔴"),
    (None, "⬜"),
)


def indsats_text(item: IndsatsStatus, zone: str) -> str:
    from agendas.status.overview import colour_word

    lines = [t("status-view-head", indsats=item.indsats.title, plan=item.plan.named)]
    if item.goal is not None:
        lines.append(t("status-prompt-under-goal", goal=item.goal.label))
    if item.owners:
        lines.append(t("status-view-owners", owners=", ".join(item.owners)))
    if item.answer is not None and item.answered_at is not None:
        lines.append(
            t(
                "status-view-latest",
                colour=COLOUR_LABELS[item.answer.colour],
                date=format_date(to_local(item.answered_at, zone).date()),
                who=item.answered_by or "–",
                text=item.answer.text,
            )
        )
    else:
        lines.append(t("status-view-none"))
    if item.colours:
        trend = " · ".join(f"{n}: {colour_word(c)}" for n, c in item.colours[-6:])
        lines.append(t("status-view-rounds", trend=trend))
    return "\n\n".join(lines)[:4000]


async def on_view(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """ "Se indsatsen" on a red alert: the indsats, its owners, latest answer and rounds."""
    from agendas.status import overview

    message = await chat_message(query)
    item = await overview.indsats_status(uow, actor, callback_data.indsats_id)
    await query.answer()
    await message.answer(indsats_text(item, config.timezone))


async def red_command(
    message: Message, command: CommandObject, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """/roedstatus KODE [ja|nej]: whether the formand hears of a red answer too."""
    from agendas.status import plans

    words = (command.args or "").split()
    if not words:
        await message.answer(t("status-red-usage"))
        return
    if len(words) == 1:
        udvalg, settings = await plans.red_setting(uow, actor, words[0])
    else:
        choice = words[1].lower()
        if choice not in _YES | _NO:
            await message.answer(t("status-red-usage"))
            return
        udvalg, settings = await plans.set_red_to_formand(
            uow, actor, words[0], choice in _YES, config.now()
        )
    await _red_reply(message, udvalg.code, udvalg.id or 0, settings.red_to_formand)


_YES = frozenset({"ja", "til", "on", "yes", "formand"})
_NO = frozenset({"nej", "fra", "off", "no"})


async def _red_reply(message: Message, code: str, udvalg_id: int, on: bool) -> None:
    toggle = status_button(
        t("status-btn-red-off" if on else "status-btn-red-on"), "redset", 0, udvalg_id, int(not on)
    )
    await message.answer(
        t("status-red-on" if on else "status-red-off", code=code),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[toggle]]),
    )


async def on_red_toggle(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """The button under /roedstatus (``round_id`` is the udvalg, ``value`` the new choice)."""
    from agendas.status import plans

    message = await chat_message(query)
    code = await plans.udvalg_code(uow, callback_data.round_id)
    udvalg, settings = await plans.set_red_to_formand(
        uow, actor, code, bool(callback_data.value), config.now()
    )
    await query.answer()
    await _red_reply(message, udvalg.code, udvalg.id or 0, settings.red_to_formand)


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
    from agendas.status import plans

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
    from agendas.status import plans

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
    text = t(
        "status-round-opened",
        plan=opened.plan.named,
        number=opened.status_round.number,
        prompts=opened.prompts,
        unreachable=len(opened.unreachable),
        deadline=f"{format_date(deadline.date())} kl. {format_time(deadline.time())}",
    )
    if opened.early:
        text += "\n" + t(
            "status-round-opened-early-one"
            if opened.early == 1
            else "status-round-opened-early-other",
            count=opened.early,
        )
    if opened.away:
        text += "\n" + t(
            "status-round-opened-away-one"
            if opened.away == 1
            else "status-round-opened-away-other",
            count=opened.away,
        )
    await message.answer(text)


def setup() -> Router:
    router = Router(name="status_overview")
    router.message.filter(F.chat.type == "private")
    router.message.register(overview_command, Command("statusoverblik"))
    router.message.register(plans_command, Command("planer"))
    router.message.register(schedule_command, Command("planskema"))
    router.message.register(round_command, Command("statusrunde"))
    router.message.register(red_command, Command("roedstatus"))
    router.callback_query.register(on_report, StatusCb.filter(F.action == "report"))
    router.callback_query.register(on_view, StatusCb.filter(F.action == "view"))
    router.callback_query.register(on_red_toggle, StatusCb.filter(F.action == "redset"))
    return router
