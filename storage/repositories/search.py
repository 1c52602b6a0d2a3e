"""The search repository: the full-text query on SQLite (FTS5, stems from Python, ``bm25``) and
on PostgreSQL (``tsvector``, ``to_tsquery('danish', …)``, ``ts_rank``, ``ts_headline``).

Access is part of the query: the scope picks which index documents may match (a closed punkt's
``full`` document for those who may read it, its ``public`` one for the others), so counts,
pages and snippets never see what the searcher may not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    column,
    distinct,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    table,
    true,
)

from agendas.records import ProtokolStage
from agendas.search import (
    MARK_END,
    MARK_START,
    SNIPPET_WORDS,
    DocKind,
    SearchField,
    SearchHit,
    SearchHits,
    SearchQuery,
    SearchScope,
    SearchSort,
    Snippet,
    Term,
    from_marked,
    snippet,
)
from storage.repositories.base import SqlRepository
from storage.search_index import scope_token
from storage.tables import MoedeReleaseRow, ProtokolRow, SearchDocRow
from storage.tables.search import FTS_TABLE, TSV_COLUMN

_DOC = SearchDocRow.__table__  # type: ignore[attr-defined]
_RELEASE = MoedeReleaseRow.__table__  # type: ignore[attr-defined]
_PROTOKOL = ProtokolRow.__table__  # type: ignore[attr-defined]
_FTS_TABLE = table(FTS_TABLE, column("rowid", Integer))
_FTS: ColumnElement[Any] = literal_column(FTS_TABLE)
_FTS_ROWID = _FTS_TABLE.c.rowid
#: bm25 weights of the FTS5 columns: title, body, beslutning, scope.
_BM25_WEIGHTS = (5.0, 1.0, 2.0, 0.0)
_HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
    f'MinWords={SNIPPET_WORDS // 2}, ShortWord=2, MaxFragments=1, FragmentDelimiter=" … "'
)

_FTS_COLUMNS = {
    SearchField.ANY: "{title body beslutning}",
    SearchField.TITLE: "{title}",
    SearchField.BESLUTNING: "{beslutning}",
}
_PG_WEIGHTS = {SearchField.TITLE: "A", SearchField.BESLUTNING: "B"}


def fts_expression(
    terms: tuple[Term, ...], without_decision: bool = False, scope: SearchScope | None = None
) -> str:
    """The FTS5 query of the terms: each a quoted phrase of its stems in its columns, all
    required; with a member's ``scope``, only the documents of its udvalg and kinds."""
    parts = [f'{_FTS_COLUMNS[t.where]} : "{" ".join(t.stems)}"' for t in terms]
    expression = " AND ".join(parts)
    if without_decision:
        expression = f"{{title body}} : ({expression})"
    if scope is not None and not scope.archive:
        tokens = [scope_token(u, k.value) for u in sorted(scope.full) for k in _FULL_KINDS]
        tokens += [scope_token(u, k.value) for u in sorted(scope.public) for k in _PUBLIC_KINDS]
        expression = "{scope} : (" + " OR ".join(tokens) + f") AND {expression}"
    return expression


def tsquery_text(terms: tuple[Term, ...], without_decision: bool = False) -> str:
    """The ``to_tsquery`` text of the terms: words in quotes (only letters and digits reach
    here), phrases with ``<->``, a field as a weight (title A, decision B, text D)."""
    parts = []
    for term in terms:
        weight = _PG_WEIGHTS.get(term.where, "AD" if without_decision else "")
        label = f":{weight}" if weight else ""
        parts.append("(" + " <-> ".join(f"'{w}'{label}" for w in term.words) + ")")
    return " & ".join(parts)


def _agenda_searchable(query: SearchQuery) -> bool:
    """Whether a released agenda (no decisions yet) can match: not when a term asks for the
    decision."""
    return all(t.where is not SearchField.BESLUTNING for t in query.terms)


def _years(years: tuple[int, ...]) -> ColumnElement[bool]:
    if not years:
        return true()
    return or_(*(and_(_DOC.c.day >= date(y, 1, 1), _DOC.c.day <= date(y, 12, 31)) for y in years))


_FULL_KINDS = (DocKind.ALL, DocKind.FULL)
_PUBLIC_KINDS = (DocKind.ALL, DocKind.PUBLIC)


def _member_scope(scope: SearchScope) -> ColumnElement[bool]:
    closed_readers = and_(
        _DOC.c.udvalg_id.in_(sorted(scope.full)),
        _DOC.c.kind.in_([k.value for k in _FULL_KINDS]),
    )
    others = and_(
        _DOC.c.udvalg_id.in_(sorted(scope.public)),
        _DOC.c.kind.in_([k.value for k in _PUBLIC_KINDS]),
    )
    return or_(closed_readers if scope.full else false(), others if scope.public else false())


def _danish() -> Any:
    """The text search configuration ``danish`` as a bound ``regconfig`` (PostgreSQL only: the
    dialect is imported here, on first use, so a bot on SQLite never loads it)."""
    from sqlalchemy.dialects.postgresql import REGCONFIG

    return bindparam("cfg", "danish", type_=REGCONFIG)


def _approved() -> ColumnElement[bool]:
    return cast(ColumnElement[bool], _PROTOKOL.c.stage == ProtokolStage.GODKENDT.value)


def _released() -> ColumnElement[bool]:
    return cast(ColumnElement[bool], _RELEASE.c.moede_id.is_not(None))


def _archive_joins(query: Select[Any]) -> Select[Any]:
    return query.outerjoin(_RELEASE, _RELEASE.c.moede_id == _DOC.c.moede_id).outerjoin(
        _PROTOKOL, _PROTOKOL.c.moede_id == _DOC.c.moede_id
    )


def _archive_filter(scope: SearchScope, agenda_match: ColumnElement[bool]) -> ColumnElement[bool]:
    """Public documents of published meetings: an approved protocol in full (public version),
    a released agenda without its decisions (``agenda_match`` leaves the decision out)."""
    return and_(
        _DOC.c.kind.in_([DocKind.ALL.value, DocKind.PUBLIC.value]),
        _DOC.c.udvalg_id.in_(sorted(scope.public)) if scope.public else true(),
        or_(_approved(), and_(_released(), agenda_match)),
    )


_COLUMNS = (
    _DOC.c.id,
    _DOC.c.punkt_id,
    _DOC.c.moede_id,
    _DOC.c.udvalg_id,
    _DOC.c.kind,
    _DOC.c.title,
    _DOC.c.day,
    _DOC.c.sort_key,
)


class SqlSearchRepository(SqlRepository):
    async def search(
        self, query: SearchQuery, scope: SearchScope, offset: int, limit: int
    ) -> SearchHits:
        if scope.empty or not query.terms:
            return SearchHits(0, [])
        if self.session.get_bind().dialect.name == "sqlite":
            inner = self._sqlite(query, scope)
        else:
            inner = self._postgresql(query, scope)
        found = inner.subquery("found")
        newest = (found.c.day.desc(), found.c.moede_id.desc(), found.c.sort_key, found.c.punkt_id)
        order = (found.c.rank, *newest) if query.sort is SearchSort.RELEVANCE else newest
        page = (
            select(found, func.count().over().label("total"))
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        )
        rows = (await self.session.execute(page)).all()
        if rows:
            total = int(rows[0].total)
        else:  # past the last page (or nothing): count on its own
            total = int(await self.session.scalar(select(func.count()).select_from(found)) or 0)
        snippets = await self._snippets(query, rows)
        numbers = await self._numbers(rows)
        hits = [
            SearchHit(
                punkt_id=r.punkt_id,
                moede_id=r.moede_id,
                udvalg_id=r.udvalg_id,
                kind=DocKind(r.kind),
                title=r.title,
                snippet=snippets.get(r.id, Snippet()),
                day=r.day,
                number=numbers.get(r.punkt_id, 0),
            )
            for r in rows
        ]
        return SearchHits(total, hits)

    async def _numbers(self, rows: Sequence[Any]) -> dict[int, int]:
        """The page's punkter's numbers on their agendas: 1 + the punkter of the same meeting
        before them in the agenda order (every punkt has a document with its place)."""
        if not rows:
            return {}
        mine = _DOC.alias("mine")
        before = _DOC.alias("before")
        earlier = or_(
            before.c.sort_key < mine.c.sort_key,
            and_(before.c.sort_key == mine.c.sort_key, before.c.punkt_id < mine.c.punkt_id),
        )
        counted = (
            select(mine.c.punkt_id, func.count(distinct(before.c.punkt_id)))
            .select_from(mine)
            .outerjoin(before, and_(before.c.moede_id == mine.c.moede_id, earlier))
            .where(mine.c.id.in_([r.id for r in rows]))
            .group_by(mine.c.punkt_id)
        )
        result = await self.session.execute(counted)
        return {int(punkt_id): int(count) + 1 for punkt_id, count in result.all()}

    async def _snippets(self, query: SearchQuery, rows: Sequence[Any]) -> dict[int, Snippet]:
        """The page's snippets, read for those documents only. A decision shows only where
        it may (the archive: once the protocol is approved)."""
        with_decision = [r.id for r in rows if r.approved]
        without = [r.id for r in rows if not r.approved]
        if self.session.get_bind().dialect.name != "sqlite":
            marked = await self._headlines(query, with_decision, True)
            marked |= await self._headlines(query, without, False)
            return {doc_id: from_marked(text) for doc_id, text in marked.items()}
        stems = query.stems()
        texts = await self.session.execute(
            select(_DOC.c.id, _DOC.c.body, _DOC.c.beslutning).where(
                _DOC.c.id.in_(with_decision + without)
            )
        )
        return {
            doc_id: snippet([body, beslutning] if doc_id in with_decision else [body], stems)
            for doc_id, body, beslutning in texts.all()
        }

    # --- SQLite: FTS5 ---------------------------------------------------------------------------

    def _sqlite(self, query: SearchQuery, scope: SearchScope) -> Select[Any]:
        """The matching documents with their bm25 rank (lower is better). The window count is
        taken outside: bm25() is not available next to a window function."""
        match = _FTS.op("MATCH")(bindparam("q", fts_expression(query.terms, scope=scope)))
        rank = func.bm25(_FTS, *_BM25_WEIGHTS) if query.sort is SearchSort.RELEVANCE else null()
        base = select(*_COLUMNS, rank.label("rank")).select_from(
            _FTS_TABLE.join(_DOC, _DOC.c.id == _FTS_ROWID)
        )
        if scope.archive:
            agenda_ids = (
                select(_FTS_ROWID)
                .select_from(_FTS_TABLE)
                .where(_FTS.op("MATCH")(bindparam("qa", fts_expression(query.terms, True))))
            )
            base = _archive_joins(base).add_columns(_approved().label("approved"))
            access = _archive_filter(scope, _DOC.c.id.in_(agenda_ids.scalar_subquery()))
        else:
            # The scope tokens in the MATCH are the access filter: a filter on search_doc's
            # udvalg here would let SQLite drive the join from that index and run the
            # full-text query once per row.
            base = base.add_columns(true().label("approved"))
            access = true()
        return base.where(match, access, _years(query.years))

    # --- PostgreSQL: tsvector -------------------------------------------------------------------

    def _postgresql(self, query: SearchQuery, scope: SearchScope) -> Select[Any]:
        """The matching documents with minus their ts_rank as rank (lower is better)."""
        config = _danish()
        tsv: ColumnElement[Any] = literal_column(f"search_doc.{TSV_COLUMN}")
        tsq = func.to_tsquery(config, bindparam("q", tsquery_text(query.terms)))
        rank = -func.ts_rank(tsv, tsq) if query.sort is SearchSort.RELEVANCE else null()
        base = select(*_COLUMNS, rank.label("rank")).select_from(_DOC)
        if scope.archive:
            agenda_q = func.to_tsquery(config, bindparam("qa", tsquery_text(query.terms, True)))
            base = _archive_joins(base).add_columns(_approved().label("approved"))
            agenda_match = tsv.op("@@")(agenda_q) if _agenda_searchable(query) else false()
            access = _archive_filter(scope, agenda_match)
        else:
            base = base.add_columns(true().label("approved"))
            access = _member_scope(scope)
        return base.where(tsv.op("@@")(tsq), access, _years(query.years))

    async def _headlines(
        self, query: SearchQuery, doc_ids: list[int], with_decision: bool
    ) -> dict[int, str]:
        """``ts_headline`` of the page's documents only (it reads the whole text)."""
        if not doc_ids:
            return {}
        config = _danish()
        plain = tuple(Term(t.words) for t in query.terms)
        tsq = func.to_tsquery(config, bindparam("qh", tsquery_text(plain)))
        text = (
            func.concat_ws(" … ", func.nullif(_DOC.c.body, ""), func.nullif(_DOC.c.beslutning, ""))
            if with_decision
            else _DOC.c.body
        )
        headline = func.ts_headline(config, text, tsq, bindparam("opts", _HEADLINE))
        rows = await self.session.execute(select(_DOC.c.id, headline).where(_DOC.c.id.in_(doc_ids)))
        return {int(doc_id): str(value or "") for doc_id, value in rows.all()}
