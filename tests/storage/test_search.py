"""The search index on SQLite and PostgreSQL: it follows every write of a punkt in the same
transaction, and the query keeps to what the searcher may read."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from agendas.model import Moede, Punkt, PunktKind, Udvalg
from agendas.outbox import Release
from agendas.records import DecisionRecord, ProtokolStage, ProtokolState
from agendas.search import SearchQuery, SearchScope, SearchSort, parse_query
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


async def _setup(uow: SqlUnitOfWork) -> dict[str, int]:
    """BEU with a meeting in 2025 and one in 2026, SOU with one; open and closed punkter."""
    ids: dict[str, int] = {}
    async with uow:
        beu = await uow.udvalg.add(Udvalg("BEU", "Beskæftigelsesudvalget", "SSF", created_at=NOW))
        sou = await uow.udvalg.add(Udvalg("SOU", "Socialudvalget", "SSF", created_at=NOW))
        ids["u_beu"], ids["u_sou"] = beu.id or 0, sou.id or 0
        for name, udvalg_id, day in (
            ("old", ids["u_beu"], date(2025, 3, 4)),
            ("new", ids["u_beu"], date(2026, 5, 6)),
            ("sou", ids["u_sou"], date(2026, 2, 3)),
        ):
            moede = await uow.moeder.add(
                Moede(udvalg_id, day, time(14), starts_at=NOW, created_at=NOW)
            )
            ids[f"moede_{name}"] = moede.id or 0

        async def punkt(key: str, moede: str, title: str, closed: bool = False, **s: str) -> None:
            added = await uow.punkter.add(
                Punkt(ids[f"moede_{moede}"], PunktKind.SAG, title, closed=closed, sections=s)
            )
            ids[key] = added.id or 0

        await punkt(
            "pleje_old",
            "old",
            "Ældrepleje i hjemmet",
            sagens_kerne="Udvalget drøfter kvaliteten af ældreplejen.",
        )
        await punkt(
            "pleje_new",
            "new",
            "Budget for ældrepleje",
            sagens_kerne="Budgettet for 2027 skal fastlægges. Sagen blev taget til efterretning.",
        )
        await punkt(
            "secret",
            "new",
            "Personalesag",
            closed=True,
            sagens_kerne="Afskedigelse af en medarbejder i ældreplejen efter klager.",
        )
        await punkt("sou", "sou", "Ældrepleje på plejecentre", sagens_kerne="Plejecentre.")
        await uow.decisions.put(DecisionRecord(ids["pleje_new"], beslutning="Udsat"))
        await uow.decisions.put(
            DecisionRecord(
                ids["secret"],
                beslutning="Indstillingen godkendt; afskedigelse gennemføres",
                public_beslutning="Udvalget traf beslutning i en personalesag",
            )
        )
        await uow.commit()
    return ids


async def _find(
    uow: SqlUnitOfWork, text: str, scope: SearchScope, offset: int = 0, limit: int = 10
) -> tuple[int, list[int], list[str]]:
    async with uow:
        found = await uow.search.search(parse_query(text), scope, offset, limit)
    return found.total, [h.punkt_id for h in found.hits], [h.snippet.text for h in found.hits]


def _full(*udvalg: int) -> SearchScope:
    return SearchScope(full=frozenset(udvalg))


async def test_stems_phrases_fields_years_and_sort(uow: SqlUnitOfWork) -> None:
    ids = await _setup(uow)
    scope = _full(ids["u_beu"], ids["u_sou"])
    total, found, _ = await _find(uow, "ældreplejen", scope)
    # every form of the word, newest meeting first (then the agenda order)
    assert (total, found) == (4, [ids["pleje_new"], ids["secret"], ids["sou"], ids["pleje_old"]])
    assert (await _find(uow, '"taget til efterretning"', scope))[1] == [ids["pleje_new"]]
    assert (await _find(uow, '"efterretning taget"', scope))[1] == []
    assert (await _find(uow, "beslutning: udsat", scope))[1] == [ids["pleje_new"]]
    assert (await _find(uow, "titel: plejecentre", scope))[1] == [ids["sou"]]
    assert (await _find(uow, "ældrepleje 2025", scope))[1] == [ids["pleje_old"]]
    # the udvalg is the scope's business (the service narrows it)
    assert (await _find(uow, "ældrepleje", _full(ids["u_sou"])))[1] == [ids["sou"]]
    # paging: the total stays, the page moves
    total, found, snippets = await _find(uow, "ældrepleje", scope, offset=2, limit=2)
    assert (total, found) == (4, [ids["sou"], ids["pleje_old"]])
    # (ts_headline leaves the last full stop out)
    assert [s.rstrip(".") for s in snippets] == [
        "Plejecentre",
        "Udvalget drøfter kvaliteten af ældreplejen",
    ]
    assert (await _find(uow, "ældrepleje", scope, offset=8, limit=2))[:2] == (4, [])
    # relevance: the title counts most, so the punkter titled with the word come first
    async with uow:
        query = parse_query("plejecentre").with_sort(SearchSort.RELEVANCE)
        hits = await uow.search.search(query, scope, 0, 10)
    assert [h.punkt_id for h in hits.hits] == [ids["sou"]]


async def test_snippet_marks_the_hits(uow: SqlUnitOfWork) -> None:
    ids = await _setup(uow)
    async with uow:
        found = await uow.search.search(parse_query("budgettet"), _full(ids["u_beu"]), 0, 5)
    (hit,) = found.hits
    marked = hit.snippet.marked("[", "]")
    assert "[Budgettet]" in marked and "2027" in marked


async def test_a_closed_punkt_shows_only_its_public_face_to_others(uow: SqlUnitOfWork) -> None:
    ids = await _setup(uow)
    members = _full(ids["u_beu"])
    others = SearchScope(public=frozenset({ids["u_beu"]}))
    assert (await _find(uow, "afskedigelse", members))[:2] == (1, [ids["secret"]])
    assert (await _find(uow, "afskedigelse", others))[:2] == (0, [])
    total, found, snippets = await _find(uow, "ældreplejen", others)
    assert (total, found) == (2, [ids["pleje_new"], ids["pleje_old"]])
    assert not any("medarbejder" in s for s in snippets)
    # its title and public decision are found by everyone in the udvalg
    for scope in (members, others):
        assert (await _find(uow, "personalesag", scope))[1] == [ids["secret"]]
    total, found, snippets = await _find(uow, "beslutning: personalesag", others)
    assert (total, found) == (1, [ids["secret"]])
    assert snippets == ["Udvalget traf beslutning i en personalesag"]  # the public text only
    assert (await _find(uow, "beslutning: gennemføres", others))[1] == []


async def test_edits_reach_the_index_in_their_transaction(uow: SqlUnitOfWork) -> None:
    ids = await _setup(uow)
    scope = _full(ids["u_beu"], ids["u_sou"])
    async with uow:
        punkt = await uow.punkter.get(ids["pleje_old"])
        assert punkt is not None
        punkt.sections["sagens_kerne"] = "Madservice til borgere i eget hjem."
        await uow.punkter.save(punkt, punkt.version)
        # seen at once inside the transaction …
        assert [h.punkt_id for h in (await uow.search.search(_q("madservice"), scope, 0, 5)).hits]
        await uow.rollback()
    # … and gone with the rollback: the index is as before
    assert (await _find(uow, "madservice", scope))[:2] == (0, [])
    assert ids["pleje_old"] in (await _find(uow, "kvaliteten", scope))[1]

    async with uow:
        punkt = await uow.punkter.get(ids["pleje_old"])
        assert punkt is not None
        punkt.sections["sagens_kerne"] = "Madservice til borgere i eget hjem."
        await uow.punkter.save(punkt, punkt.version)
        await uow.commit()
    assert (await _find(uow, "madservice", scope))[1] == [ids["pleje_old"]]
    assert (await _find(uow, "kvaliteten", scope))[1] == []

    async with uow:  # a decision, a moved meeting day, a deleted punkt
        await uow.decisions.put(DecisionRecord(ids["sou"], beslutning="Godkendt med ændringer"))
        moede = await uow.moeder.get(ids["moede_old"])
        assert moede is not None
        moede.date = date(2024, 12, 1)
        await uow.moeder.update(moede)
        await uow.punkter.delete(ids["pleje_new"])
        await uow.commit()
    assert (await _find(uow, "beslutning: ændringer", scope))[1] == [ids["sou"]]
    assert (await _find(uow, "madservice 2024", scope))[1] == [ids["pleje_old"]]
    assert (await _find(uow, "budget", scope))[:2] == (0, [])


async def test_a_punkt_moved_to_another_meeting_moves_in_the_index(uow: SqlUnitOfWork) -> None:
    ids = await _setup(uow)
    async with uow:
        await uow.punkter.set_positions({ids["pleje_old"]: (ids["moede_new"], 9)})
        await uow.commit()
    assert (await _find(uow, "kvaliteten 2026", _full(ids["u_beu"])))[1] == [ids["pleje_old"]]


async def test_the_archive_reads_published_meetings_only(uow: SqlUnitOfWork) -> None:
    ids = await _setup(uow)
    archive = SearchScope(archive=True)
    assert (await _find(uow, "ældrepleje", archive))[:2] == (0, [])
    async with uow:  # the 2026 agenda is released; its protocol is not approved yet
        await uow.releases.add(Release(ids["moede_new"], NOW, None, date(2026, 5, 6), time(14), ""))
        await uow.commit()
    assert (await _find(uow, "ældrepleje", archive))[1] == [ids["pleje_new"]]
    assert (await _find(uow, "personalesag", archive))[1] == [ids["secret"]]
    assert (await _find(uow, "udsat", archive))[1] == []  # no decision before the approval
    assert (await _find(uow, "afskedigelse", archive))[1] == []
    async with uow:
        state = ProtokolState(ids["moede_new"], stage=ProtokolStage.GODKENDT, locked_at=NOW)
        await uow.protokoller.save(state, 0)
        await uow.commit()
    assert (await _find(uow, "udsat", archive))[1] == [ids["pleje_new"]]
    assert (await _find(uow, "beslutning: personalesag", archive))[1] == [ids["secret"]]
    assert (await _find(uow, "afskedigelse", archive))[1] == []
    narrowed = SearchScope(public=frozenset({ids["u_sou"]}), archive=True)
    assert (await _find(uow, "ældrepleje", narrowed))[1] == []


def _q(text: str) -> SearchQuery:
    return parse_query(text)
