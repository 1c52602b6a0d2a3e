"""Text formatting as the Bot API does it: HTML parse mode, explicit entities, length limits.

Written from the Bot API's "Formatting options": the supported tags, the four named HTML entities
plus numeric ones, properly nested tags. Entity offsets and lengths are in UTF-16 code units.
Error texts follow Telegram's ("Bad Request: can't parse entities: …", byte offsets in UTF-8).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot_api_emulator.errors import ApiError, bad_request

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

#: tag -> entity type (``None``: decided by attributes).
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SUPPORTED_TAGS = {*_SIMPLE_TAGS, "a", "span", "blockquote", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NUMERIC_ENTITY = re.compile(r"#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
_NAMED_ENTITY = re.compile(r"([a-zA-Z]{1,10});")
_ENTITY_TYPES = {
    "mention",
    "hashtag",
    "cashtag",
    "bot_command",
    "url",
    "email",
    "phone_number",
    "bold",
    "italic",
    "underline",
    "strikethrough",
    "spoiler",
    "blockquote",
    "expandable_blockquote",
    "code",
    "pre",
    "text_link",
    "text_mention",
    "custom_emoji",
    "date_time",
}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    byte_offset: int
    start: int  # UTF-16 offset in the output
    attrs: dict[str, str] = field(default_factory=dict)


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.out: list[str] = []
        self.out_len = 0  # UTF-16 units emitted so far
        self.entities: list[dict[str, Any]] = []
        self.stack: list[_Open] = []

    def fail(self, reason: str) -> ApiError:
        return bad_request(f"can't parse entities: {reason}")

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.out_len += utf16_len(chunk)

    def decode_entity(self, index: int) -> tuple[str, int] | None:
        """The character for ``&…;`` at ``index`` and the index after it, or None (literal &)."""
        rest = self.src[index + 1 : index + 14]
        if m := _NUMERIC_ENTITY.match(rest):
            code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
            if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                return chr(code), index + 1 + m.end()
            return None
        if (m := _NAMED_ENTITY.match(rest)) and m.group(1) in _NAMED_ENTITIES:
            return _NAMED_ENTITIES[m.group(1)], index + 1 + m.end()
        return None

    def decode_text(self, text: str) -> str:
        """Entities inside an attribute value."""
        result: list[str] = []
        i = 0
        saved = self.src
        self.src = text
        try:
            while i < len(text):
                if text[i] == "&" and (decoded := self.decode_entity(i)):
                    result.append(decoded[0])
                    i = decoded[1]
                else:
                    result.append(text[i])
                    i += 1
        finally:
            self.src = saved
        return "".join(result)

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        src = self.src
        i = 0
        while i < len(src):
            ch = src[i]
            if ch == "&":
                decoded = self.decode_entity(i)
                if decoded:
                    self.emit(decoded[0])
                    i = decoded[1]
                    continue
            if ch != "<":
                self.emit(ch)
                i += 1
                continue
            begin = i
            i += 1
            if i < len(src) and src[i] == "/":
                i = self.end_tag(begin, i + 1)
            else:
                i = self.start_tag(begin, i)
        if self.stack:
            raise self.fail(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def start_tag(self, begin: int, i: int) -> int:
        src = self.src
        name_start = i
        while i < len(src) and not src[i].isspace() and src[i] != ">":
            i += 1
        if i >= len(src):
            raise self.unclosed_start_tag(begin)
        tag = src[name_start:i].lower()
        if tag not in _SUPPORTED_TAGS:
            raise self.fail(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        attrs, i = self.attributes(tag, begin, i)
        self.check_attributes(tag, attrs, begin)
        self.stack.append(_Open(tag, self.byte_offset(begin), self.out_len, attrs))
        return i

    def unclosed_start_tag(self, begin: int) -> ApiError:
        return self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")

    def skip_space(self, i: int) -> int:
        while i < len(self.src) and self.src[i].isspace():
            i += 1
        return i

    def attributes(self, tag: str, begin: int, i: int) -> tuple[dict[str, str], int]:
        """The start tag's attributes (values decoded) and the index after its ``>``."""
        src = self.src
        attrs: dict[str, str] = {}
        while True:
            i = self.skip_space(i)
            if i >= len(src):
                raise self.unclosed_start_tag(begin)
            if src[i] == ">":
                return attrs, i + 1
            attr_start = i
            while i < len(src) and not src[i].isspace() and src[i] not in "=>":
                i += 1
            attr = src[attr_start:i].lower()
            if not attr:
                raise self.fail(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            i = self.skip_space(i)
            if i >= len(src) or src[i] != "=":
                if tag == "blockquote" and attr == "expandable":
                    attrs[attr] = ""
                    continue
                raise self.fail(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            value, i = self.attribute_value(begin, self.skip_space(i + 1))
            attrs[attr] = self.decode_text(value)

    def attribute_value(self, begin: int, i: int) -> tuple[str, int]:
        """The raw value at ``i``, quoted or bare, and the index after it."""
        src = self.src
        if i >= len(src):
            raise self.unclosed_start_tag(begin)
        if src[i] in "\"'":
            quote = src[i]
            end = src.find(quote, i + 1)
            if end < 0:
                raise self.unclosed_start_tag(begin)
            return src[i + 1 : end], end + 1
        value_start = i
        while i < len(src) and not src[i].isspace() and src[i] != ">":
            i += 1
        return src[value_start:i], i

    def check_attributes(self, tag: str, attrs: dict[str, str], begin: int) -> None:
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise self.fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        if tag == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise self.fail(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                f"{self.byte_offset(begin)}"
            )

    def end_tag(self, begin: int, i: int) -> int:
        src = self.src
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        name_start = i
        while i < len(src) and not src[i].isspace() and src[i] != ">":
            i += 1
        name = src[name_start:i].lower()
        while i < len(src) and src[i].isspace():
            i += 1
        if i >= len(src) or src[i] != ">":
            raise self.fail(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        top = self.stack[-1]
        if name != top.tag:
            raise self.fail(
                f'Unmatched end tag at byte offset {self.byte_offset(begin)}, expected "</'
                f'{top.tag}>", found "</{name}>"'
            )
        self.stack.pop()
        self.close(top)
        return i + 1

    def close(self, tag: _Open) -> None:
        length = self.out_len - tag.start
        if length <= 0:
            return
        entity: dict[str, Any] = {"offset": tag.start, "length": length}
        if tag.tag == "a":
            href = tag.attrs.get("href", "")
            if href.startswith("tg://user?id=") and href[13:].isdigit():
                entity["type"] = "text_mention"
                entity["user"] = {"id": int(href[13:]), "is_bot": False, "first_name": ""}
            elif href:
                entity["type"] = "text_link"
                entity["url"] = href
            else:
                return
        elif tag.tag == "span":
            entity["type"] = "spoiler"
        elif tag.tag == "blockquote":
            entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
        elif tag.tag == "tg-emoji":
            entity["type"] = "custom_emoji"
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        elif tag.tag == "code" and self.stack and self.stack[-1].tag == "pre":
            language = tag.attrs.get("class", "")
            if language.startswith("language-"):
                # <pre><code class="language-x"> becomes one pre entity with a language.
                self.stack[-1].attrs["language"] = language[len("language-") :]
                return
            entity["type"] = "code"
        else:
            entity["type"] = _SIMPLE_TAGS[tag.tag]
            if tag.tag == "pre" and tag.attrs.get("language"):
                entity["language"] = tag.attrs["language"]
        self.entities.append(entity)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of an HTML-formatted text, or Telegram's parse error."""
    return _HtmlParser(source).parse()


def _check_entities(text: str, entities: Any) -> list[dict[str, Any]]:
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    checked: list[dict[str, Any]] = []
    for entity in entities:
        if not isinstance(entity, dict) or entity.get("type") not in _ENTITY_TYPES:
            raise bad_request("can't parse entities: unsupported entity type")
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0:
            raise bad_request("can't parse entities: wrong entity offset or length")
        if length > 0 and offset < total:
            checked.append({**entity, "length": min(length, total - offset)})
    return checked


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims leading and trailing white space; entities follow the text."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


def format_text(
    text: str | None,
    parse_mode: str | None,
    entities: Any,
    *,
    caption: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """The text as Telegram stores it, with its entities; raises Telegram's errors."""
    text = text or ""
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, found = parse_html(text)
    elif mode in ("", "none"):
        plain, found = text, _check_entities(text, entities) if entities is not None else []
    elif mode in ("markdown", "markdownv2"):
        # Markdown is not emulated: the text is kept as written (documented limitation).
        plain, found = text, []
    else:
        raise bad_request("unsupported parse_mode")
    plain, found = _strip(plain, found)
    if caption:
        if len(plain) > CAPTION_LIMIT:
            raise bad_request("message caption is too long")
    else:
        if not plain:
            raise bad_request("message text is empty")
        if len(plain) > TEXT_LIMIT:
            raise bad_request("message is too long")
    return plain, found
