"""The fakes keep the promises of ``agendas.ports`` that the service tests rely on."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from agendas.errors import ConcurrentEdit
from agendas.model import Bilag, Invite, Moede, Punkt, PunktKind, Role, Udvalg
from tests.support.fakes import FakeUnitOfWork

AT = datetime(2026, 11, 23, tzinfo=UTC)


async def test_uncommitted_changes_are_discarded_and_committed_ones_kept() -> None:
    uow = FakeUnitOfWork()
    async with uow:
        kept = await uow.udvalg.add(Udvalg(code="BEU", name="B", forvaltning="F"))
        await uow.commit()
        await uow.udvalg.add(Udvalg(code="SOU", name="S", forvaltning="F"))
    with pytest.raises(RuntimeError):
        async with uow:
            await uow.udvalg.add(Udvalg(code="KFU", name="K", forvaltning="F"))
            raise RuntimeError("refused")
    async with uow:
        assert [u.code for u in await uow.udvalg.list_all()] == ["BEU"]
        await uow.udvalg.add(Udvalg(code="ØU", name="Ø", forvaltning="F"))
        await uow.rollback()
        assert [u.id for u in await uow.udvalg.list_all()] == [kept.id]
    assert uow.committed == 1


async def test_objects_handed_out_are_copies() -> None:
    uow = FakeUnitOfWork()
    async with uow:
        udvalg = await uow.udvalg.add(Udvalg(code="BEU", name="B", forvaltning="F"))
        udvalg.name = "changed without saving"
        loaded = await uow.udvalg.get(udvalg.id or 0)
        assert loaded is not None and loaded.name == "B"


async def test_repositories_refuse_use_outside_a_unit_of_work() -> None:
    uow = FakeUnitOfWork()
    with pytest.raises(AssertionError):
        await uow.udvalg.list_all()


async def test_save_checks_and_bumps_the_version() -> None:
    uow = FakeUnitOfWork()
    async with uow:
        punkt = await uow.punkter.add(Punkt(moede_id=1, kind=PunktKind.SAG, title="A"))
        punkt.title = "B"
        saved = await uow.punkter.save(punkt, 1)
        assert saved.version == 2
        with pytest.raises(ConcurrentEdit):
            await uow.punkter.save(punkt, 1)
        await uow.punkter.set_positions({punkt.id or 0: (2, 5)})
        moved = await uow.punkter.get(punkt.id or 0)
        assert moved is not None
        assert (moved.moede_id, moved.position, moved.version, moved.title) == (2, 5, 2, "B")


async def test_invite_is_marked_used_once() -> None:
    uow = FakeUnitOfWork()
    async with uow:
        invite = await uow.invites.add(
            Invite(udvalg_id=1, role=Role.MEDLEM, token_hash="h", created_by=1, expires_at=AT)
        )
        assert await uow.invites.mark_used(invite.id or 0, 7, AT)
        assert not await uow.invites.mark_used(invite.id or 0, 8, AT)
        stored = await uow.invites.by_hash("h")
        assert stored is not None and stored.used_by == 7


async def test_bilag_content_only_when_asked_for() -> None:
    uow = FakeUnitOfWork()
    async with uow:
        bilag = await uow.bilag.add(
            Bilag(punkt_id=1, file_name="a.pdf", size=3, sha256="", mime_type="", content=b"abc")
        )
        plain = await uow.bilag.get(bilag.id or 0)
        full = await uow.bilag.get(bilag.id or 0, with_content=True)
        listed = await uow.bilag.for_punkt(1)
    assert plain is not None and plain.content is None
    assert full is not None and full.content == b"abc"
    assert [b.content for b in listed] == [None]


async def test_moeder_between_dates_and_committees() -> None:
    uow = FakeUnitOfWork()
    async with uow:
        for udvalg_id, day in ((1, date(2027, 1, 5)), (1, date(2027, 3, 1)), (2, date(2027, 1, 6))):
            await uow.moeder.add(Moede(udvalg_id=udvalg_id, date=day, start_time=time(14)))
        found = await uow.moeder.for_udvalg_between([1], date(2027, 1, 1), date(2027, 2, 1))
    assert [m.date for m in found] == [date(2027, 1, 5)]
