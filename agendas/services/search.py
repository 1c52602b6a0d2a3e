"""Searching the archive of punkter: a member's ``/soeg`` in chat and the public web archive.

Both read the same index (``uow.search``); what differs is the scope. A person searches the
udvalg they have a role in: where they may read closed punkter, everything; elsewhere what the
public version shows (a closed punkt's title and public decision text only). The public archive
searches public documents of released agendas, decisions only of approved protocols.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from agendas import rules
from agendas.errors import InvalidInput, NotAllowed
from agendas.model import Actor, Udvalg
from agendas.ports import UnitOfWork
from agendas.search import (
    DocKind,
    SearchHit,
    SearchQuery,
    SearchScope,
    SearchSort,
    Snippet,
    highlight,
    parse_query,
)

#: Results per page in chat.
PAGE_SIZE = 5
MAX_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One punkt found: where it stands and the text around the hits.

    ``title`` and ``snippet`` have their hits marked (``Snippet.marked`` writes them as HTML);
    ``closed``: a lukket punkt (the searcher may open it only if they may read closed punkter;
    its snippet shows only what they may read).
    """

    punkt_id: int
    moede_id: int
    udvalg_id: int
    udvalg_code: str
    udvalg_name: str
    moede_date: date
    punkt_number: int
    title: Snippet
    snippet: Snippet
    closed: bool

    @property
    def plain_title(self) -> str:
        return self.title.text


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results (``page`` counts from 0) and how many there are in all."""

    query: SearchQuery
    results: list[SearchResult] = field(default_factory=list)
    total: int = 0
    page: int = 0
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.pages

    @property
    def first_number(self) -> int:
        """The running number of the page's first result (1 on the first page)."""
        return self.page * self.page_size + 1


async def search_member(
    uow: UnitOfWork,
    actor: Actor,
    text: str,
    page: int = 0,
    page_size: int = PAGE_SIZE,
    sort: SearchSort | None = None,
) -> SearchPage:
    """``/soeg``: the punkter of the actor's udvalg that match ``text`` (see ``parse_query``);
    ``sort`` overrides the query's order (the chat's sort button)."""
    query = parse_query(text)
    if sort is not None:
        query = query.with_sort(sort)
    mine = [u for u, roles in actor.roles.items() if roles]
    if not mine:
        raise NotAllowed("search-err-no-udvalg")
    async with uow:
        wanted = set(mine)
        if query.codes:
            wanted = set()
            for code in query.codes:
                udvalg = await uow.udvalg.by_code(code)
                if udvalg is None:
                    raise InvalidInput(
                        "search-err-udvalg-unknown", code=code, codes=await _codes(uow, mine)
                    )
                if udvalg.id not in mine:
                    raise NotAllowed(
                        "search-err-udvalg-not-yours", code=code, codes=await _codes(uow, mine)
                    )
                wanted.add(udvalg.id or 0)
        scope = SearchScope(
            full=frozenset(u for u in wanted if rules.can_read_closed(actor, u)),
            public=frozenset(u for u in wanted if not rules.can_read_closed(actor, u)),
        )
        return await _page(uow, query, scope, page, page_size)


async def search_public(
    uow: UnitOfWork,
    query_text: str,
    page: int = 0,
    page_size: int = 10,
    sort: SearchSort | None = None,
) -> SearchPage:
    """The public web archive's search: public versions of released agendas and approved
    protocols only (a closed punkt by its title and public decision text; a decision only once
    the protocol is approved). An udvalg code in the query narrows it to that udvalg."""
    query = parse_query(query_text)
    if sort is not None:
        query = query.with_sort(sort)
    async with uow:
        wanted: set[int] = set()
        for code in query.codes:
            udvalg = await uow.udvalg.by_code(code)
            if udvalg is None:
                raise InvalidInput("search-err-udvalg-public", code=code)
            wanted.add(udvalg.id or 0)
        scope = SearchScope(public=frozenset(wanted), archive=True)
        return await _page(uow, query, scope, page, page_size)


async def _codes(uow: UnitOfWork, udvalg_ids: list[int]) -> str:
    found = [await uow.udvalg.get(u) for u in udvalg_ids]
    return ", ".join(sorted(u.code for u in found if u is not None))


async def _page(
    uow: UnitOfWork, query: SearchQuery, scope: SearchScope, page: int, page_size: int
) -> SearchPage:
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page = max(0, page)
    found = await uow.search.search(query, scope, page * page_size, page_size)
    if not found.hits and found.total and page:
        # The button was made when there were more results: show the last page there is now.
        page = (found.total - 1) // page_size
        found = await uow.search.search(query, scope, page * page_size, page_size)
    results = await _results(uow, query, found.hits)
    return SearchPage(query, results, found.total, page, page_size)


async def _results(
    uow: UnitOfWork, query: SearchQuery, hits: list[SearchHit]
) -> list[SearchResult]:
    udvalg: dict[int, Udvalg | None] = {}
    stems = query.stems()
    results: list[SearchResult] = []
    for hit in hits:
        if hit.udvalg_id not in udvalg:
            udvalg[hit.udvalg_id] = await uow.udvalg.get(hit.udvalg_id)
        committee = udvalg[hit.udvalg_id]
        if committee is None or hit.day is None:  # pragma: no cover - the index follows deletes
            continue
        results.append(
            SearchResult(
                punkt_id=hit.punkt_id,
                moede_id=hit.moede_id,
                udvalg_id=hit.udvalg_id,
                udvalg_code=committee.code,
                udvalg_name=committee.name,
                moede_date=hit.day,
                punkt_number=hit.number,
                title=highlight(hit.title, stems),
                snippet=hit.snippet,
                closed=hit.kind is not DocKind.ALL,
            )
        )
    return results
