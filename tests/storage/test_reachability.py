"""A person who blocked the bot is marked unreachable; writing to the bot again clears the mark.

On both backends, through the real unit of work and ``committees.identify`` (the per-update path).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from agendas.services import committees
from storage.tables import RecipientStatusRow
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BLOCKED, OTHER = 8_000_000_003, 3003
REASON = "Forbidden: bot was blocked by the user"


async def _marks(uow: SqlUnitOfWork) -> tuple[set[int], int]:
    """The unreachable chats among ours, and how many status rows exist at all."""
    async with uow:
        unreachable = await uow.reachability.unreachable([BLOCKED, OTHER])
        rows = await uow.session.scalar(select(func.count()).select_from(RecipientStatusRow))
    return unreachable, int(rows or 0)


async def test_writing_in_private_clears_the_mark_and_a_group_message_does_not(
    uow: SqlUnitOfWork,
) -> None:
    await committees.identify(uow, BLOCKED, "Bo Blokeret", None, None, frozenset())
    async with uow:
        await uow.reachability.mark(BLOCKED, NOW, REASON)
        await uow.commit()
    assert await _marks(uow) == ({BLOCKED}, 1)

    # An update from a group (or a button) says nothing about the private chat.
    await committees.identify(uow, BLOCKED, "Bo Blokeret", None, None, frozenset())
    assert await _marks(uow) == ({BLOCKED}, 1)

    await committees.identify(
        uow, BLOCKED, "Bo Blokeret", None, None, frozenset(), private_chat=True
    )
    assert await _marks(uow) == (set(), 1)
    async with uow:
        row = await uow.session.get(RecipientStatusRow, BLOCKED)
        assert row is not None and row.reason == ""


async def test_a_person_never_marked_gets_no_status_row(uow: SqlUnitOfWork) -> None:
    await committees.identify(uow, OTHER, "Mads Medlem", None, None, frozenset(), private_chat=True)
    async with uow:
        await uow.reachability.mark(OTHER, None)
        await uow.commit()
    assert await _marks(uow) == (set(), 0)


async def test_a_new_person_writing_in_private_clears_an_old_mark_of_their_chat(
    uow: SqlUnitOfWork,
) -> None:
    async with uow:
        await uow.reachability.mark(BLOCKED, NOW, REASON)
        await uow.commit()
    person, _ = await committees.identify(
        uow, BLOCKED, "Bo Blokeret", None, None, frozenset(), private_chat=True
    )
    assert person.id is not None
    assert await _marks(uow) == (set(), 1)
