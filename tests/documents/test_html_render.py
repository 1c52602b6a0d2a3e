"""The HTML layout of a dagsorden and protokol (what the PDF/A and the web archive show): the same
lines in the same order as the Word file, the public edition without a closed punkt's content,
everything a user typed escaped."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

import pytest

from agendas.documents import render_dagsorden, render_protokol
from agendas.documents.html_render import render_body, render_html, stylesheet
from agendas.protocol import DocumentStage
from tests.documents.builders import CLOSED_BILAG, CLOSED_SECRET, PUBLIC_DECISION, UDVALG, meeting
from tests.documents.test_editions import with_approval
from tests.support.word import INTERNAL, PUBLIC, body_lines

#: Elements whose text is one printed line; a <dt> and its <dd> are one line, as in Word.
LINE_TAGS = {"h1", "h2", "h3", "p", "li", "dt", "dd"}


class Lines(HTMLParser):
    """The text of the document's line elements, in order (inline markup joined)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.classes: list[str] = []
        self._open: list[str] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in LINE_TAGS:
            if self._open and self._text:  # a list item with a nested list: its own line first
                self._flush()
            self._open.append(tag)
            self.classes.append(dict(attrs).get("class") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in LINE_TAGS and self._open:
            self._open.pop()
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        self._text = []
        if text:
            self.lines.append(text)


def lines_as_word_prints_them(html: str) -> list[str]:
    """The lines of the article, a signature's name and status joined "name: status" as Word
    prints them, without the edition line (Word has it in the page header only)."""
    parser = Lines()
    parser.feed(html)
    out: list[str] = []
    for line, css in zip(parser.lines, parser.classes, strict=True):
        if css == "edition":
            continue
        if css == "value":
            out[-1] = f"{out[-1]}: {line}"
            continue
        out.append(line)
    return out


@pytest.mark.parametrize("protokol", [True, False])
@pytest.mark.parametrize("public", [False, True])
@pytest.mark.parametrize(
    "stage", [DocumentStage.KLADDE, DocumentStage.SENDT, DocumentStage.GODKENDT]
)
def test_the_html_says_what_the_word_file_says_in_the_same_order(
    protokol: bool, public: bool, stage: DocumentStage
) -> None:
    doc = with_approval(
        stage, datetime(2025, 3, 5, 16) if stage is DocumentStage.GODKENDT else None
    )
    word = (render_protokol if protokol else render_dagsorden)(doc, public)
    html = render_body(doc, protokol, public)
    assert lines_as_word_prints_them(html) == body_lines(word)


def test_the_public_edition_shows_a_closed_punkt_by_title_and_public_decision_only() -> None:
    doc = meeting()
    public = render_body(doc, protokol=True, public=True)
    assert "4. Lukket punkt: Køb af ejendom til midlertidige døgnpladser" in public
    assert PUBLIC_DECISION in public
    assert CLOSED_SECRET not in public and CLOSED_BILAG not in public
    assert PUBLIC in public and INTERNAL not in public
    agenda = render_body(doc, protokol=False, public=True)
    assert CLOSED_SECRET not in agenda and CLOSED_BILAG not in agenda
    assert PUBLIC_DECISION not in agenda  # decisions belong to the protocol
    internal = render_body(doc, protokol=True, public=False)
    assert CLOSED_SECRET in internal and CLOSED_BILAG in internal and INTERNAL in internal


def test_what_users_typed_is_escaped() -> None:
    doc = meeting()
    doc.punkter[2].punkt.title = '<script>alert("x")</script> & co'
    doc.punkter[2].punkt.sections["sagens_kerne"] = "<img src=x onerror=alert(1)>"
    html = render_html(doc, protokol=True, public=False)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_page_names_its_language_title_and_edition() -> None:
    html = render_html(meeting(), protokol=True, public=True)
    assert html.startswith('<!DOCTYPE html>\n<html lang="da">')
    assert f"<title>Beslutningsprotokol – {UDVALG} 04-03-2025</title>" in html
    assert '<meta name="author" content="Social- og Sundhedsforvaltningen">' in html
    assert f'<meta name="description" content="{PUBLIC}">' in html
    assert ".meeting-document" in html and stylesheet() in html  # the styles inline
    # Each punkt is an h2 with an id the table of contents links to.
    for number in range(1, 6):
        assert f'<a href="#punkt-{number}">' in html and f'id="punkt-{number}"' in html


def test_two_documents_on_one_web_page_keep_their_ids_apart() -> None:
    doc = with_approval(DocumentStage.SENDT, None)
    agenda = render_body(doc, protokol=False, public=True, id_prefix="dagsorden-")
    protocol = render_body(doc, protokol=True, public=True, id_prefix="protokol-")
    ids = re.findall(r' id="([^"]+)"', agenda) + re.findall(r' id="([^"]+)"', protocol)
    assert len(ids) == len(set(ids)) and "protokol-godkendelse" in ids
    assert '<a href="#dagsorden-punkt-3">' in agenda and 'id="dagsorden-punkt-3"' in agenda
    for html in (agenda, protocol):
        labelled = re.findall(r'aria-labelledby="([^"]+)"', html)
        assert labelled and all(f'id="{target}"' in html for target in labelled)
