"""Full-text search, the domain's half: how text becomes search terms, how a secretary's query
is read, what of a punkt is searched (for whom), and the highlighted snippet.

Danish words are stemmed with the Snowball algorithm (``snowballstemmer``, the same algorithm
PostgreSQL's ``danish`` configuration uses) and the Snowball stop words are left out, so
"ældreplejen" finds "ældrepleje" on SQLite and PostgreSQL alike. Pure functions, no I/O.
"""

from __future__ import annotations

import enum
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded with the first search or index write, not at start-up
    import snowballstemmer

from agendas.errors import InvalidInput

#: The Snowball stop words for Danish (PostgreSQL's ``danish.stop``): too common to search for.
STOP_WORDS = frozenset(
    """og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har
    om vi min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv
    her alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle denne end dette
    mit også under have dig anden hende mine alt meget sit sine vor mod disse hvis din nogle hos
    blive mange ad bliver hendes været thi jer sådan""".split()  # noqa: SIM905
)

#: A word: letters and digits (an underscore separates, as in SQLite's unicode61 tokenizer).
WORD = re.compile(r"[^\W_]+")
#: Longest query we read; a secretary's search is a few words.
MAX_QUERY = 200
MAX_TERMS = 12

_local = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _local.stemmer = snowballstemmer.stemmer("danish")
    return stemmer


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Danish stem of one lower-case word ("ældreplejen" -> "ældreplej")."""
    return str(_stemmer().stemWord(word))


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def terms(text: str) -> list[str]:
    """The stems of ``text``'s words that are not stop words, in order."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


def index_text(text: str) -> str:
    """What the SQLite index stores for ``text``: its stems separated by spaces."""
    return " ".join(terms(text))


# --- the query -----------------------------------------------------------------------------------


class SearchField(enum.StrEnum):
    """Where a term must stand: anywhere, in the title, or in the decision."""

    ANY = "any"
    TITLE = "title"
    BESLUTNING = "beslutning"


class SearchSort(enum.StrEnum):
    NEWEST = "newest"
    RELEVANCE = "relevance"


#: Field prefixes a user may type ("beslutning: udsat", "titel:budget").
FIELD_WORDS: dict[str, SearchField] = {
    "titel": SearchField.TITLE,
    "title": SearchField.TITLE,
    "beslutning": SearchField.BESLUTNING,
    "decision": SearchField.BESLUTNING,
}
UDVALG_WORDS = frozenset({"udvalg", "committee"})
SORT_WORDS: dict[str, SearchSort] = {
    "relevans": SearchSort.RELEVANCE,
    "relevance": SearchSort.RELEVANCE,
    "nyeste": SearchSort.NEWEST,
    "newest": SearchSort.NEWEST,
}
_QUOTES = '"“”„«»'
_TOKEN = re.compile(
    rf"(?P<field>[^\W\d_]+):\s*|[{_QUOTES}](?P<phrase>[^{_QUOTES}]*)[{_QUOTES}]?|(?P<plain>[^\s{_QUOTES}]+)"
)
_YEAR = re.compile(r"(19|20)\d\d")
_CODE = re.compile(r"[^\W\d_]{2,10}")


@dataclass(frozen=True, slots=True)
class Term:
    """One thing that must match: a word, or several words in this order (a phrase)."""

    words: tuple[str, ...]
    where: SearchField = SearchField.ANY

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem(w) for w in self.words if w not in STOP_WORDS)

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed ``/soeg``: every term must match; udvalg codes and years narrow it down."""

    terms: tuple[Term, ...]
    codes: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    sort: SearchSort = SearchSort.NEWEST

    def stems(self) -> frozenset[str]:
        """Every stem of the query (what a snippet highlights)."""
        return frozenset(s for t in self.terms for s in t.stems)

    def with_sort(self, sort: SearchSort) -> SearchQuery:
        return SearchQuery(self.terms, self.codes, self.years, sort)


def parse_query(text: str) -> SearchQuery:
    """Read a search the way a secretary types it.

    Plain words must all match (stemmed); "words in quotes" (also „…“) match as a phrase; a
    code in capitals (``BEU``, or ``udvalg:beu``) and a year (``2026``) narrow the search;
    ``beslutning:`` or ``titel:`` before a word or phrase searches only there; ``relevans``
    sorts by relevance instead of newest first. Raises ``InvalidInput`` with what to do.
    """
    text = text.strip()
    if not text:
        raise InvalidInput("search-err-empty")
    if len(text) > MAX_QUERY:
        raise InvalidInput("search-err-too-long", limit=MAX_QUERY)
    found: list[Term] = []
    codes: list[str] = []
    years: list[int] = []
    sort = SearchSort.NEWEST
    common: list[str] = []
    pending: str | None = None  # a field prefix waiting for its word or phrase
    for match in _TOKEN.finditer(text):
        prefix, phrase, plain = match.group("field"), match.group("phrase"), match.group("plain")
        if prefix is not None:
            name = prefix.lower()
            if name in FIELD_WORDS or name in UDVALG_WORDS:
                if pending is not None:
                    raise InvalidInput("search-err-field-empty", field=pending)
                pending = name
                continue
            plain = prefix  # "kl:" and the like are words, not a field
        if pending in UDVALG_WORDS:
            codes.append((phrase if phrase is not None else plain or "").strip().upper())
            pending = None
            continue
        field_ = FIELD_WORDS.get(pending or "", SearchField.ANY)
        if phrase is None and pending is None and plain is not None:
            if plain.lower() in SORT_WORDS:
                sort = SORT_WORDS[plain.lower()]
                continue
            if _YEAR.fullmatch(plain):
                years.append(int(plain))
                continue
            if _CODE.fullmatch(plain) and plain.isupper():
                codes.append(plain)
                continue
        pending = None
        term = Term(tuple(words(phrase if phrase is not None else plain or "")), field_)
        if not term.words:
            continue
        if not term.stems:
            common.extend(term.words)
            continue
        found.append(term)
    if pending is not None:
        raise InvalidInput("search-err-field-empty", field=pending)
    if not found:
        if common:
            raise InvalidInput("search-err-common", words=", ".join(dict.fromkeys(common)))
        raise InvalidInput("search-err-only-filters" if codes or years else "search-err-empty")
    if len(found) > MAX_TERMS:
        raise InvalidInput("search-err-too-many", limit=MAX_TERMS)
    return SearchQuery(
        tuple(dict.fromkeys(found)),
        tuple(dict.fromkeys(codes)),
        tuple(sorted(set(years))),
        sort,
    )


# --- what is searched --------------------------------------------------------------------------


class DocKind(enum.StrEnum):
    """An index document of a punkt. An open punkt has one (``ALL``: what everyone in the udvalg
    and the public read); a closed punkt has two: ``FULL`` for those who may read closed
    punkter, ``PUBLIC`` (its title and public decision text) for everyone else."""

    ALL = "all"
    FULL = "full"
    PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class SearchDocument:
    kind: DocKind
    title: str
    body: str
    beslutning: str


def _joined(parts: Iterable[str]) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def search_documents(
    title: str,
    closed: bool,
    sections: Sequence[str],
    beslutning: str,
    public_beslutning: str,
    remarks: Sequence[str] = (),
) -> list[SearchDocument]:
    """The index documents of a punkt. ``sections`` are its texts (sections other than the
    decision, the document's own sections as "heading\\ntext"); ``beslutning`` the decision as
    recorded at the meeting (or the punkt's own Beslutning section); ``remarks`` the afvigende
    meninger. A closed punkt's content never reaches its ``PUBLIC`` document."""
    body = _joined(sections)
    decided = _joined([beslutning, *remarks])
    if not closed:
        return [SearchDocument(DocKind.ALL, title, body, decided)]
    return [
        SearchDocument(DocKind.FULL, title, body, _joined([decided, public_beslutning])),
        SearchDocument(DocKind.PUBLIC, title, "", public_beslutning.strip()),
    ]


@dataclass(frozen=True, slots=True)
class SearchScope:
    """Whose documents a search reads. ``full``: udvalg whose closed punkter the searcher may
    read (their ``ALL`` and ``FULL`` documents); ``public``: udvalg searched in what the public
    version shows (``ALL`` and ``PUBLIC``). ``archive``: the public web archive: every udvalg,
    public documents of released agendas, and decisions only of approved protocols."""

    full: frozenset[int] = frozenset()
    public: frozenset[int] = frozenset()
    archive: bool = False

    @property
    def empty(self) -> bool:
        return not (self.full or self.public or self.archive)


# --- snippets ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fragment:
    text: str
    hit: bool = False


@dataclass(frozen=True, slots=True)
class Snippet:
    """A piece of text with the words that matched marked (``hit``)."""

    fragments: tuple[Fragment, ...] = ()

    @property
    def text(self) -> str:
        return "".join(f.text for f in self.fragments)

    def marked(self, start: str, end: str, escape: Callable[[str], str] | None = None) -> str:
        """The text with each hit between ``start`` and ``end`` (e.g. ``<b>``, ``</b>``), the
        rest passed through ``escape`` (e.g. ``html.escape``) when given."""
        esc = escape or (lambda s: s)
        return "".join(
            f"{start}{esc(f.text)}{end}" if f.hit else esc(f.text) for f in self.fragments
        )

    def __bool__(self) -> bool:
        return bool(self.fragments)


#: How many words a snippet shows around the hits.
SNIPPET_WORDS = 24
MARK_START, MARK_END = "\x02", "\x03"


def highlight(text: str, stems: frozenset[str], width: int | None = None) -> Snippet:
    """``text`` (whitespace collapsed) with the words whose stem is searched marked; with
    ``width``, only the window of that many words with the most hits, "…" where it is cut."""
    text = " ".join(text.split())
    spans = [(m.start(), m.end()) for m in WORD.finditer(text)]
    if not spans:
        return Snippet((Fragment(text),) if text else ())
    hits = [stem(text[a:b].lower()) in stems for a, b in spans]
    first, last = 0, len(spans)
    if width is not None and len(spans) > width:
        first = _best_window(hits, width)
        last = first + width
    begin = spans[first][0] if first else 0
    end = spans[last - 1][1] if last < len(spans) else len(text)
    fragments: list[Fragment] = [Fragment("…")] if first else []
    cursor = begin
    for (a, b), hit in zip(spans[first:last], hits[first:last], strict=True):
        if hit:
            fragments.append(Fragment(text[cursor:a]))
            fragments.append(Fragment(text[a:b], True))
            cursor = b
    fragments.append(Fragment(text[cursor:end] + ("…" if last < len(spans) else "")))
    return Snippet(tuple(f for f in fragments if f.text))


def _best_window(hits: list[bool], width: int) -> int:
    """The start of the ``width``-word window with the most hits, a little before the first."""
    best, best_count = 0, -1
    count = sum(hits[:width])
    for start in range(len(hits) - width + 1):
        if start:
            count += hits[start + width - 1] - hits[start - 1]
        if count > best_count:
            best, best_count = start, count
    first_hit = next((i for i in range(best, best + width) if hits[i]), best)
    return max(0, min(best, first_hit - 3))


def snippet(texts: Sequence[str], stems: frozenset[str], width: int = SNIPPET_WORDS) -> Snippet:
    """The snippet of a document: from the text with the most hits (the first when none has)."""
    candidates = [t for t in texts if t.strip()]
    if not candidates:
        return Snippet()

    def count(text: str) -> int:
        return sum(stem(w) in stems for w in words(text))

    best = max(candidates, key=count)
    return highlight(best, stems, width)


def from_marked(text: str) -> Snippet:
    """A snippet from text whose hits stand between ``MARK_START`` and ``MARK_END`` (what
    PostgreSQL's ``ts_headline`` is told to write)."""
    fragments: list[Fragment] = []
    for index, part in enumerate(re.split(f"[{MARK_START}{MARK_END}]", text)):
        if part:
            fragments.append(Fragment(part, index % 2 == 1))
    return Snippet(tuple(fragments))


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One document found: where it belongs and its highlighted snippet."""

    punkt_id: int
    moede_id: int
    udvalg_id: int
    kind: DocKind
    title: str
    snippet: Snippet = field(default_factory=Snippet)
    #: The meeting's day and the punkt's number on its agenda (``rules.ordered``).
    day: date | None = None
    number: int = 0


@dataclass(frozen=True, slots=True)
class SearchHits:
    total: int
    hits: list[SearchHit]
