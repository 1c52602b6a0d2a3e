"""Chat views: the agenda overview and one punkt, never over Telegram's 4096 characters."""

from __future__ import annotations

import html
import re
from datetime import date, time

from hypothesis import given, settings
from hypothesis import strategies as st

from agendas import chatviews
from agendas.model import SECTION_BY_KEY, Bilag, Moede, Punkt, PunktKind, Sagstype, Udvalg
from agendas.services.meetings import Agenda
from agendas.services.punkter import PunktDetail

LIMIT = chatviews.TELEGRAM_LIMIT
CONTINUED = "⟨fortsat⟩"
#: Text full of what trips up HTML and splitting: markup characters, long words, blank lines.
#: Repeating a drawn piece reaches texts of several pages without drawing thousands of tokens.
nasty_text = st.builds(
    lambda pieces, times: "".join(pieces) * times,
    st.lists(
        st.sampled_from([*"ab cdæø<>&\n\t'\"", "&amp;", "<b>", "</i>", "x" * 50, "\n\n"]),
        max_size=400,
    ),
    st.integers(1, 30),
)
TAG = re.compile(r"</?(b|i)>")


def t(key: str, /, **params: object) -> str:
    if key == "view-continued":
        return CONTINUED
    return key + "".join(f" {name}={value}" for name, value in sorted(params.items()))


def squash(text: str) -> str:
    return "".join(text.split())


def assert_balanced(page: str) -> None:
    """Our own tags open and close in pairs; user text carries no raw markup."""
    for tag in ("b", "i"):
        assert page.count(f"<{tag}>") == page.count(f"</{tag}>"), page
    assert "<" not in TAG.sub("", page), page
    assert ">" not in TAG.sub("", page), page


@given(nasty_text, st.integers(20, 5000))
def test_split_plain_respects_the_limit_and_loses_nothing(text: str, limit: int) -> None:
    chunks = chatviews.split_plain(text, limit)
    assert all(len(chunk) <= limit for chunk in chunks)
    assert squash("".join(chunks)) == squash(text)


def test_split_plain_prefers_paragraphs_then_words() -> None:
    text = "første afsnit\n\nandet afsnit med flere ord"
    assert chatviews.split_plain(text, 20) == ["første afsnit\n", "andet afsnit med", "flere ord"]
    assert chatviews.split_plain("kort", 20) == ["kort"]
    assert chatviews.split_plain("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def recovered(blocks: list[str], title: str) -> str:
    """The plain text of a section, taken back out of its HTML blocks."""
    heads = (f"<b>{html.escape(title)}</b>\n", f"<b>{html.escape(title)} {CONTINUED}</b>\n")
    out = []
    for block in blocks:
        head = next(h for h in heads if block.startswith(h))
        out.append(html.unescape(block[len(head) :]))
    return "".join(out)


@given(nasty_text)
def test_section_blocks_fit_escape_and_lose_nothing(text: str) -> None:
    blocks = chatviews.section_blocks("Sagsfremstilling", text, CONTINUED)
    assert all(len(block) <= chatviews.PAGE_LIMIT for block in blocks)
    for block in blocks:
        assert_balanced(block)
    assert blocks[0].startswith("<b>Sagsfremstilling</b>\n")
    assert all(b.startswith(f"<b>Sagsfremstilling {CONTINUED}</b>\n") for b in blocks[1:])
    assert squash(recovered(blocks, "Sagsfremstilling")) == squash(text)


def test_section_of_only_ampersands_still_fits() -> None:
    blocks = chatviews.section_blocks("Tidsplan", "&" * 20_000, CONTINUED)
    assert len(blocks) > 5
    assert all(len(b) <= chatviews.PAGE_LIMIT for b in blocks)
    assert squash(recovered(blocks, "Tidsplan")) == "&" * 20_000


@given(st.lists(st.text(max_size=4000), max_size=20))
def test_paginate_keeps_every_block_and_marks_pages(raw: list[str]) -> None:
    blocks = [chatviews.esc(b)[: chatviews.PAGE_LIMIT] for b in raw]
    pages = chatviews.paginate(blocks)
    assert all(len(page) <= LIMIT for page in pages)
    joined = "\n\n".join(pages)
    for block in blocks:
        assert block in joined
    if len(pages) > 1:
        for number, page in enumerate(pages, 1):
            assert page.endswith(f"<i>({number}/{len(pages)})</i>")
    assert chatviews.paginate([]) == [""]


UDVALG = Udvalg(code="BEU", name="Beskæftigelses<udvalget> & co", forvaltning="Job & Co", id=1)
MOEDE = Moede(udvalg_id=1, date=date(2027, 1, 12), start_time=time(14), place="Rådhuset", id=2)
file_names = st.text(alphabet=st.sampled_from(list("ab&<>.")), min_size=1, max_size=200)


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(alphabet=st.sampled_from(list("Ab &<>")), min_size=1, max_size=200),
    sections=st.dictionaries(
        st.sampled_from(["sagens_kerne", "indstilling", "sagsfremstilling", "tidsplan"]),
        nasty_text,
    ),
    names=st.lists(file_names, max_size=40),
    closed=st.booleans(),
)
def test_render_punkt_pages_fit_and_keep_every_section(
    title: str, sections: dict[str, str], names: list[str], closed: bool
) -> None:
    punkt = Punkt(
        moede_id=2,
        kind=PunktKind.SAG,
        title=title,
        closed=closed,
        sagstype=Sagstype.BESLUTNING,
        beslutningskompetence="ØU & KB",
        journal_number="00.07.01-A00-1-17",
        sections=sections,
        id=3,
    )
    bilag = [
        Bilag(punkt_id=3, file_name=name, size=1234, sha256="", mime_type="", id=i)
        for i, name in enumerate(names)
    ]
    detail = PunktDetail(punkt=punkt, moede=MOEDE, udvalg=UDVALG, bilag=bilag, number=4)

    pages = chatviews.render_punkt(detail, t)

    for page in pages:
        assert len(page) <= LIMIT
        assert_balanced(page)
    # User text cannot produce "\n\n<", so that is exactly where our blocks meet.
    blocks = re.split(r"\n\n(?=<)", "\n\n".join(pages))
    assert blocks[0].startswith(f"<b>4. {chatviews.esc(title)}</b>")
    for key, text in sections.items():
        heading = SECTION_BY_KEY[key].title
        mine = [b for b in blocks if b.startswith(f"<b>{heading}")]
        if text.strip():
            assert squash(recovered(mine, heading)) == squash(text)
        else:
            assert mine == []
    shown = html.unescape("".join(pages))
    for name in names:
        assert name in shown


def test_render_punkt_shows_sections_in_municipal_order_and_bilag() -> None:
    punkt = Punkt(
        moede_id=2,
        kind=PunktKind.SAG,
        title="Budget",
        closed=True,
        sections={"tidsplan": "Foråret", "sagens_kerne": "Kernen", "indstilling": "at …"},
        id=3,
    )
    bilag = [
        Bilag(punkt_id=3, file_name="a.pdf", size=2048, sha256="ab12", mime_type="", id=1),
        Bilag(punkt_id=3, file_name="Skitse.pdf", size=0, sha256="", mime_type="", id=2),
    ]
    [page] = chatviews.render_punkt(
        PunktDetail(punkt=punkt, moede=MOEDE, udvalg=UDVALG, bilag=bilag, number=5), t
    )
    assert page.startswith("<b>5. Budget</b>\n🔒 <i>view-closed-note</i>\nSag nr. 5")
    assert page.index("Sagens kerne") < page.index("Indstilling") < page.index("Tidsplan")
    assert "Bilag 1: a.pdf (2 kB)" in page
    assert "Bilag 2: Skitse.pdf (ikke vedhæftet)" in page  # named by an imported document


def test_render_punkt_says_when_a_sag_is_empty() -> None:
    punkt = Punkt(moede_id=2, kind=PunktKind.SAG, title="Tom", id=3)
    [page] = chatviews.render_punkt(
        PunktDetail(punkt=punkt, moede=MOEDE, udvalg=UDVALG, bilag=[], number=3), t
    )
    assert "<i>view-punkt-empty</i>" in page


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.sampled_from(list("Ab &<>")), min_size=1, max_size=200),
            st.booleans(),
            st.integers(0, 30),
        ),
        max_size=120,
    )
)
def test_render_agenda_pages_fit_and_list_every_punkt(
    items: list[tuple[str, bool, int]],
) -> None:
    punkter = [
        Punkt(moede_id=2, kind=PunktKind.SAG, title=title, closed=closed, number=i, id=i)
        for i, (title, closed, _) in enumerate(items, 1)
    ]
    bilag = {
        p.id or 0: [Bilag(punkt_id=p.id or 0, file_name="x", size=1, sha256="", mime_type="")]
        * count
        for p, (_, _, count) in zip(punkter, items, strict=True)
    }
    agenda = Agenda(moede=MOEDE, udvalg=UDVALG, punkter=punkter, bilag=bilag)

    pages = chatviews.render_agenda(agenda, t)

    for page in pages:
        assert len(page) <= LIMIT
        assert_balanced(page)
    joined = "\n".join(pages)
    for punkt in punkter:
        assert f"<b>{punkt.number}.</b> " in joined
    assert "Beskæftigelses&lt;udvalget&gt; &amp; co" in pages[0]
    if not punkter:
        assert "view-agenda-empty" in joined


def test_punkt_line_shows_lock_kind_and_clip() -> None:
    punkt = Punkt(
        moede_id=2,
        kind=PunktKind.SAG,
        title="A & B",
        closed=True,
        sagstype=Sagstype.ORIENTERING,
        beslutningskompetence="KB",
        number=7,
    )
    assert chatviews.punkt_line(punkt, t, 2) == (
        "<b>7.</b> 🔒 view-closed-prefix A &amp; B <i>(Til orientering · KB)</i> 📎2"
    )


def test_human_size_uses_danish_decimal_comma() -> None:
    assert chatviews.human_size(900) == "900 B"
    assert chatviews.human_size(2048) == "2 kB"
    assert chatviews.human_size(3 * 1024 * 1024 + 200_000) == "3,2 MB"


def test_many_bilag_with_long_names_are_spread_over_pages() -> None:
    names = [f"{i:02d}" + "&" * 194 + ".pdf" for i in range(30)]
    bilag = [
        Bilag(punkt_id=3, file_name=name, size=10, sha256="", mime_type="", id=i)
        for i, name in enumerate(names)
    ]
    punkt = Punkt(moede_id=2, kind=PunktKind.SAG, title="Mange bilag", id=3)

    pages = chatviews.render_punkt(
        PunktDetail(punkt=punkt, moede=MOEDE, udvalg=UDVALG, bilag=bilag, number=3), t
    )

    assert len(pages) > 1
    assert all(len(page) <= LIMIT for page in pages)
    shown = html.unescape("".join(pages))
    for index, name in enumerate(names, 1):
        assert f"Bilag {index}: {name}" in shown
