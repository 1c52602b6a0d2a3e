"""The Atom feed (RFC 4287) of newly approved protocols, written with ``xml.etree``.

Hand-written rather than with feedgen: one feed of one kind needs a dozen elements, and
``xml.etree`` (standard library) escapes text and attributes correctly; feedgen would add a
dependency (and lxml) for that. Each entry is one approved protocol: its title, when it was
approved (``updated``), its public page, its documents and, as the summary, each punkt's number,
title and public decision, nothing of a closed punkt but its title and public decision text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from agendas.archive import meeting_path
from agendas.chatviews import Translate
from agendas.services.archive import PublicMeeting

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ET.register_namespace("", ATOM)


def _el(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
    if text is not None:
        element.text = text
    return element


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def entry_summary(meeting: PublicMeeting) -> str:
    """``3. Ny model for unge: Anbefales`` per punkt, one a line."""
    lines = []
    for punkt in meeting.punkter:
        head = f"{punkt.number}. {'Lukket punkt: ' if punkt.closed else ''}{punkt.title}"
        lines.append(f"{head}: {punkt.decision}" if punkt.decision else head)
    return "\n".join(lines)


def atom_feed(
    meetings: list[PublicMeeting],
    *,
    self_url: str,
    home_url: str,
    url_for: Callable[[str], str],
    t: Translate,
    pdf: bool,
    now: datetime,
) -> bytes:
    """The feed as UTF-8 XML; ``meetings`` newest approval first (``recent_protocols``)."""
    host = urlsplit(home_url).hostname or "localhost"
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: "da"})
    _el(feed, "id", self_url)
    _el(feed, "title", t("web-feed-title"))
    _el(feed, "subtitle", t("web-feed-subtitle"))
    stamps = [m.entry.approved_at for m in meetings if m.entry.approved_at is not None]
    _el(feed, "updated", _stamp(max(stamps) if stamps else now))
    _el(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _el(feed, "link", rel="alternate", type="text/html", href=home_url)
    _el(feed, "generator", "Udvalgsbot")
    author = _el(feed, "author")
    _el(author, "name", t("web-site-name"))
    for meeting in meetings:
        approved = meeting.entry.approved_at or now
        moede = meeting.entry.moede
        path = meeting_path(meeting.udvalg.code, moede.date, meeting.entry.ordinal)
        entry = _el(feed, "entry")
        _el(entry, "id", f"tag:{host},{moede.date.isoformat()}:{path.lstrip('/')}")
        title = t(
            "web-feed-entry", udvalg=meeting.udvalg.name, date=moede.date.strftime("%d-%m-%Y")
        )
        _el(entry, "title", title)
        _el(entry, "updated", _stamp(approved))
        _el(entry, "published", _stamp(approved))
        _el(entry, "link", rel="alternate", type="text/html", href=url_for(path))
        if pdf:
            _el(
                entry,
                "link",
                rel="enclosure",
                type="application/pdf",
                href=url_for(f"{path}/referat.pdf"),
            )
        entry_author = _el(entry, "author")
        _el(entry_author, "name", meeting.udvalg.forvaltning or meeting.udvalg.name)
        _el(entry, "summary", entry_summary(meeting), type="text")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
