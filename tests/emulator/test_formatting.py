"""HTML parse mode as the Bot API's "Formatting options" documents it."""

from __future__ import annotations

import pytest

from bot_api_emulator.errors import ApiError
from bot_api_emulator.formatting import format_text, parse_html


def entity_types(source: str) -> list[tuple[str, int, int]]:
    _, entities = parse_html(source)
    return [(e["type"], e["offset"], e["length"]) for e in entities]


def parse_error(source: str) -> str:
    with pytest.raises(ApiError) as caught:
        parse_html(source)
    assert caught.value.code == 400
    return caught.value.description


def test_every_documented_tag_becomes_its_entity() -> None:
    source = (
        "<b>b</b><strong>b</strong><i>i</i><em>i</em><u>u</u><ins>u</ins><s>s</s>"
        "<strike>s</strike><del>s</del><tg-spoiler>p</tg-spoiler>"
        '<span class="tg-spoiler">p</span><code>c</code><pre>p</pre>'
        "<blockquote>q</blockquote>"
    )
    kinds = [kind for kind, _, _ in entity_types(source)]
    assert kinds == [
        "bold", "bold", "italic", "italic", "underline", "underline", "strikethrough",
        "strikethrough", "strikethrough", "spoiler", "spoiler", "code", "pre", "blockquote",
    ]  # fmt: skip


def test_nested_tags_links_and_code_language() -> None:
    text, entities = parse_html(
        '<b>fed <i>og kursiv</i></b> <a href="https://kk.dk/?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x = 1</code></pre>'
    )
    assert text == "fed og kursiv link x = 1"
    assert {"type": "bold", "offset": 0, "length": 13} in entities
    assert {"type": "italic", "offset": 4, "length": 9} in entities
    assert {"type": "text_link", "offset": 14, "length": 4, "url": "https://kk.dk/?a=1&b=2"} in (
        entities
    )
    assert {"type": "pre", "offset": 19, "length": 5, "language": "python"} in entities


def test_html_entities_named_and_numeric_are_decoded() -> None:
    text, _ = parse_html("&lt;a&gt; &amp; &quot;x&quot; &#65;&#x42; &nbsp; & alone")
    assert text == '<a> & "x" AB &nbsp; & alone'


def test_offsets_are_in_utf16_code_units() -> None:
    assert entity_types("😀 <b>æ😀</b>") == [("bold", 3, 3)]


def test_expandable_blockquote() -> None:
    assert entity_types("<blockquote expandable>lang tekst</blockquote>") == [
        ("expandable_blockquote", 0, 10)
    ]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<b>fed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>fed</i>", 'Unmatched end tag at byte offset 6, expected "</b>", found "</i>"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("tekst</b>", "Unexpected end tag at byte offset 5"),
        ("a <br> b", 'Unsupported start tag "br" at byte offset 2'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("æø <b", "Unclosed start tag at byte offset 5"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "<a href>x</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
    ],
)
def test_bad_html_is_refused_like_telegram(source: str, reason: str) -> None:
    assert parse_error(source) == f"Bad Request: can't parse entities: {reason}"


def test_length_is_counted_after_parsing_and_trimming() -> None:
    text, entities = format_text("  <b>" + "x" * 4096 + "</b>\n", "HTML", None)
    assert len(text) == 4096 and entities == [{"type": "bold", "offset": 0, "length": 4096}]
    with pytest.raises(ApiError, match="message is too long"):
        format_text("x" * 4097, None, None)
    with pytest.raises(ApiError, match="message text is empty"):
        format_text(" <b> </b> ", "HTML", None)
    with pytest.raises(ApiError, match="message caption is too long"):
        format_text("x" * 1025, None, None, caption=True)


def test_without_parse_mode_tags_are_plain_text() -> None:
    assert format_text("<b>x</b>", None, None) == ("<b>x</b>", [])
