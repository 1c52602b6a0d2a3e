"""The search's domain half: reading a query, what of a punkt is searched, snippets; and the
member search service on the fakes (scope and refusals)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agendas.errors import InvalidInput, NotAllowed
from agendas.model import Punkt, PunktKind
from agendas.search import (
    STOP_WORDS,
    DocKind,
    SearchField,
    SearchSort,
    Term,
    highlight,
    parse_query,
    search_documents,
    snippet,
    stem,
    terms,
)
from agendas.services.search import search_member, search_public
from tests.unit.conftest import World


def test_danish_forms_share_a_stem() -> None:
    assert stem("ældreplejen") == stem("ældrepleje") == stem("ældreplejens")
    assert stem("beslutningen") == stem("beslutninger")
    assert terms("Taget til efterretning") == ["tag", "efterretning"]


def test_a_query_the_way_a_secretary_types_it() -> None:
    query = parse_query("ældreplejen „taget til efterretning“ BEU 2026 beslutning: udsat relevans")
    assert query.terms == (
        Term(("ældreplejen",)),
        Term(("taget", "til", "efterretning")),
        Term(("udsat",), SearchField.BESLUTNING),
    )
    assert (query.codes, query.years, query.sort) == (("BEU",), (2026,), SearchSort.RELEVANCE)
    assert parse_query('titel:"ny skole" udvalg:sou').terms == (
        Term(("ny", "skole"), SearchField.TITLE),
    )
    assert parse_query("udvalg:sou skole").codes == ("SOU",)
    assert parse_query("ældre-pleje").terms == (Term(("ældre", "pleje")),)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "search-err-empty"),
        ("   ", "search-err-empty"),
        ("BEU 2026", "search-err-only-filters"),
        ("relevans", "search-err-empty"),
        ("og i at", "search-err-common"),
        ("budget beslutning:", "search-err-field-empty"),
        ("titel: beslutning: udsat", "search-err-field-empty"),
        ("ord " * 80, "search-err-too-long"),
        (" ".join(f"ord{n}" for n in range(13)), "search-err-too-many"),
    ],
)
def test_bad_queries_are_refused_with_what_to_do(text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_query(text)
    assert refused.value.key == key


@given(st.text(max_size=200))
def test_any_text_is_read_or_refused_never_crashes(text: str) -> None:
    try:
        query = parse_query(text)
    except InvalidInput:
        return
    assert query.terms and all(t.stems for t in query.terms)
    assert all(w not in STOP_WORDS or t.phrase for t in query.terms for w in t.words)


@given(
    st.lists(st.sampled_from(["ældrepleje", "budget", "skole", "og", "møde", "2027"]), min_size=1)
)
def test_highlight_keeps_the_text_and_marks_only_searched_words(words: list[str]) -> None:
    text = " ".join(words)
    marked = highlight(text, frozenset({stem("ældrepleje")}))
    assert marked.text == text
    assert [f.text.lower() for f in marked.fragments if f.hit] == [
        w for w in words if w == "ældrepleje"
    ]


def test_a_snippet_is_a_window_around_the_hits() -> None:
    text = " ".join(["fyld"] * 50 + ["budgettet", "er", "godkendt"] + ["fyld"] * 50)
    cut = snippet([text], frozenset({stem("budgettet")}), width=10)
    assert cut.text.startswith("…") and cut.text.endswith("…")
    assert cut.marked("<b>", "</b>").count("<b>budgettet</b>") == 1
    assert len(cut.text.split()) <= 11


def test_a_closed_punkt_has_a_public_document_without_its_content() -> None:
    docs = search_documents(
        "Personalesag", True, ["Fortroligt"], "Afsked", "Udvalget traf en afgørelse"
    )
    assert [d.kind for d in docs] == [DocKind.FULL, DocKind.PUBLIC]
    assert docs[1].body == "" and docs[1].beslutning == "Udvalget traf en afgørelse"
    assert "Fortroligt" in docs[0].body and "Afsked" in docs[0].beslutning
    (open_doc,) = search_documents("Budget", False, ["Tekst"], "Godkendt", "")
    assert open_doc.kind is DocKind.ALL


async def _punkt(world: World, title: str, closed: bool = False, **sections: str) -> int:
    moede_id = await world.new_moede()
    async with world.uow:
        punkt = await world.uow.punkter.add(
            Punkt(moede_id, PunktKind.SAG, title, closed=closed, sections=sections)
        )
        await world.uow.commit()
    return punkt.id or 0


async def test_members_search_their_udvalg_with_the_closed_content(world: World) -> None:
    secret = await _punkt(world, "Personalesag", True, sagens_kerne="Afskedigelse")
    found = await search_member(world.uow, world.member, "afskedigelse")
    assert [r.punkt_id for r in found.results] == [secret] and found.results[0].closed
    assert found.results[0].udvalg_code == "BEU"
    assert (await search_member(world.uow, world.tovholder, "afskedigelse")).total == 0
    assert (await search_member(world.uow, world.tovholder, "personalesag")).total == 1


async def test_codes_outside_ones_udvalg_are_refused(world: World) -> None:
    await _punkt(world, "Budget")
    with pytest.raises(InvalidInput) as unknown:
        await search_member(world.uow, world.member, "budget XYZ")
    assert unknown.value.key == "search-err-udvalg-unknown"
    assert unknown.value.params["codes"] == "BEU"
    with pytest.raises(NotAllowed) as other:
        await search_member(world.uow, world.member, "budget SOU")
    assert other.value.key == "search-err-udvalg-not-yours"
    with pytest.raises(NotAllowed) as nobody:
        await search_member(world.uow, world.outsider, "budget")
    assert nobody.value.key == "search-err-no-udvalg"
    assert (await search_member(world.uow, world.member, "budget BEU")).total == 1
    with pytest.raises(InvalidInput):
        await search_public(world.uow, "budget XYZ")


async def test_a_page_past_the_end_shows_the_last_page(world: World) -> None:
    for n in range(7):
        await _punkt(world, f"Budget {n}")
    page = await search_member(world.uow, world.member, "budget", page=9, page_size=5)
    assert (page.page, page.pages, len(page.results), page.first_number) == (1, 2, 2, 6)
    assert page.has_previous and not page.has_next
