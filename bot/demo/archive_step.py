"""The demo's last steps: a member searches the archive in chat, and a citizen reads the
public web archive the demo serves on a free local port (``bot.web.running_archive``)."""

from __future__ import annotations

import aiohttp

from bot.demo.chat import Transcript
from bot.demo.scenario import CLOSED_TITLE, SAG_TITLE, UDVALG, Cast, meeting_day

#: What the member searches for: a word of the sag, in another form ("ungeteam").
SEARCH = "ungeteamet"
#: The closed punkt's content: in the members' chat, never in the public archive.
CLOSED_CONTENT = "Forhandling om køb af ejendom"


async def search_step(cast: Cast, transcript: Transcript) -> None:
    transcript.heading("12. Et medlem søger i udvalgets dagsordener og beslutninger")
    await cast.members[0][0].say(f"/soeg {SEARCH}")


async def archive_step(transcript: Transcript, address: str) -> str:
    """A citizen opens the meeting's public page; returns the page's address."""
    transcript.heading("13. Det offentlige webarkiv")
    page = f"{address}/udvalg/{UDVALG.lower()}/{meeting_day().isoformat()}"
    async with aiohttp.ClientSession() as http, http.get(page) as response:
        html = await response.text()
        status = response.status
    if status != 200 or SAG_TITLE not in html or CLOSED_CONTENT in html:
        raise RuntimeError(f"the archive's meeting page is not as expected ({status})")
    transcript.emit(f"  En borger åbner {page}")
    transcript.emit(f"  (HTTP {status}: dagsorden og godkendt referat, offentlig udgave.)")
    transcript.emit(f"  Punkt 3 »{SAG_TITLE}« vises med sagen og beslutningen.")
    transcript.emit(f"  Punkt 4 »{CLOSED_TITLE}« vises kun med titel og offentlig beslutning.")
    return page
