"""``udvalgsbot moeder`` and ``udvalgsbot plan list``: the ids the other commands ask for."""

from __future__ import annotations

import sys
from datetime import date

from bot.cli.commands import system_uow, terminal_text
from bot.settings import Settings


async def list_meetings(settings: Settings, code: str | None) -> int:
    """Every meeting of one udvalg (or of all), oldest first, with the id ``export`` takes."""
    from agendas.dates import moede_when

    async with system_uow(settings) as uow, uow:
        if code:
            udvalg = await uow.udvalg.by_code(code.upper())
            if udvalg is None:
                print(terminal_text(settings, "err-udvalg-unknown", code=code), file=sys.stderr)
                return 1
            committees = [udvalg]
        else:
            committees = await uow.udvalg.list_all()
        by_id = {u.id or 0: u for u in committees}
        every = await uow.moeder.for_udvalg_between(list(by_id), date.min, date.max)
        rows = [(by_id[m.udvalg_id], m) for m in every]
    if not rows:
        print(terminal_text(settings, "cli-moeder-none"))
        return 0

    def text(key: str, **params: object) -> str:
        return terminal_text(settings, key, **params)

    for udvalg, moede in sorted(rows, key=lambda r: (r[1].date, r[1].clock, r[1].id or 0)):
        place = f"  {moede.place}" if moede.place else ""
        when = moede_when(text, moede.date, moede.start_time)
        print(f"{moede.id:>6}  {udvalg.code:<6} {when}{place}")
    return 0


async def list_plans(settings: Settings) -> int:
    """Every plan with the id ``plan report`` takes."""
    from agendas.model import SYSTEM_ACTOR
    from agendas.status.plans import list_plans as plans

    async with system_uow(settings) as uow:
        listing = await plans(uow, SYSTEM_ACTOR)
    if not listing:
        print(terminal_text(settings, "cli-plans-none"))
        return 0
    for item in listing:
        key = "cli-plan-line-one" if item.indsatser == 1 else "cli-plan-line-other"
        line = terminal_text(settings, key, count=item.indsatser)
        print(f"{item.plan.id:>6}  {item.udvalg.code:<6} {item.plan.title} ({line})")
    return 0
