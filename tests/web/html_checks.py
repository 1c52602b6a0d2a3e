"""What a page's HTML must have (WCAG 2.1 AA as far as markup shows it), read with the
standard library's parser: language, one h1, headings in order, landmarks, a skip link,
labelled form fields, link texts that say where they go, no script."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from html.parser import HTMLParser

#: Link texts that make no sense out of context.
VAGUE = {"her", "klik her", "læs mere", "link", "mere", "download", "hent"}


@dataclass
class Page(HTMLParser):
    lang: str = ""
    headings: list[tuple[int, str]] = field(default_factory=list)
    landmarks: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)
    inputs: list[str] = field(default_factory=list)
    scripts: int = 0
    _heading: int | None = None
    _link: str | None = None
    _text: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if values.get("id"):
            self.ids.append(values["id"])
        if tag == "html":
            self.lang = values.get("lang", "")
        elif tag in {"header", "nav", "main", "footer"}:
            self.landmarks.append(tag)
        elif tag == "script":
            self.scripts += 1
        elif tag == "label" and values.get("for"):
            self.labels.add(values["for"])
        elif tag == "input" and values.get("type") != "hidden":
            self.inputs.append(values.get("id", ""))
        elif len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self._heading, self._text = int(tag[1]), []
        elif tag == "a":
            self._link, self._text = values.get("href", ""), []

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self._text).split())
        if self._heading is not None and tag == f"h{self._heading}":
            self.headings.append((self._heading, text))
            self._heading = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link, text))
            self._link = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def problems(html: str) -> list[str]:
    """Empty for a page that keeps the rules."""
    page = parse(html)
    found = []
    if page.lang != "da":
        found.append(f"lang is {page.lang!r}")
    levels = [level for level, _ in page.headings]
    if levels.count(1) != 1:
        found.append(f"{levels.count(1)} h1 elements")
    if levels and levels[0] != 1:
        found.append("the first heading is not the h1")
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            found.append(f"heading h{before} followed by h{after}")
    for landmark in ("header", "nav", "main", "footer"):
        if landmark not in page.landmarks:
            found.append(f"no <{landmark}>")
    if not page.links or page.links[0][0] != "#indhold" or "indhold" not in page.ids:
        found.append("no skip link to #indhold first")
    for field_id in page.inputs:
        if not field_id or field_id not in page.labels:
            found.append(f"input {field_id!r} has no label")
    for href, text in page.links:
        if not text or text.lower() in VAGUE:
            found.append(f"link to {href} says {text!r}")
    if page.scripts:
        found.append("a script")
    if len(set(page.ids)) != len(page.ids):
        found.append("duplicate ids")
    return found
