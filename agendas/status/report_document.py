"""The status report of one round: a Word document and the "Status på <plan>" sag.

Pure functions. The DOCX has a title block (plan, udvalg, round, deadline), a short summary
(counts per colour, missing answers), the development over the rounds (a chart of the colour
counts per round and the counts as a table), and a table of the indsatser grouped under their
goals: indsats, tovholder, the colour in each of the last rounds side by side (coloured cells
carrying the word: Grøn/Gul/Rød, "Mangler svar" on grey), the latest status text and the date
answered ("ingen ændring" when the last answer was reused, "før runden" when it was given
before the round opened). The table body is written as WordprocessingML in one parse (as
``agendas.documents.render`` does): 500 rows take a fraction of a second.

The pages carry the protocol's furniture (``agendas.documents.furniture``): the udvalg and the
plan in the header, "Side X af Y" in the footer. The table's header row repeats on every page,
and its columns are measured on their longest word (9-point text), so that "Tovholder", "Status"
or a date such as "29-11-2026" is never broken; the indsats and the status text share the rest.

The sag is til orientering with the indstilling "at orienteringen tages til efterretning"; its
sagsfremstilling carries the summary, the report goes with it as bilag.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from agendas.dates import format_date, format_time, to_local
from agendas.model import Sagstype
from agendas.plans import COLOUR_LABELS, PLAN_KIND_LABELS, PlanKind, StatusColour
from agendas.rules import MAX_SECTION, MAX_TITLE
from agendas.services.punkter import SagDraft
from agendas.status.chart import RoundCounts, colour_chart_png

if TYPE_CHECKING:  # python-docx loads when a report is rendered, not when the bot starts
    from agendas.documents.render import BodyWriter

ZONE = "Europe/Copenhagen"

#: The tables are set in 9 point (half-points), with 0.12 cm of room left and right in a cell.
TABLE_FONT_SIZE = 18
CELL_MARGIN = 70
#: The width a 9-point character may take, in twentieths of a point: 0.61 em, more than the
#: average of Calibri or Arial in bold, so that no word is broken in a column sized for it.
CHAR_WIDTH = 110
#: Beyond the cell's own margins: the borders and a little air.
CELL_SLACK = 40
#: The width of A4 portrait between the protocol's margins (21 cm - 2.5 cm - 2.0 cm), used when
#: a template's page does not say.
TEXT_WIDTH = 9355
#: The indsats and the status text share what the other columns leave, at least this much each
#: where the page allows (a longer word than fits that is broken, as it would be anywhere).
FLEX_NEED_LIMIT = 2400
INDSATS_SHARE = 0.4
#: How many rounds stand side by side in the table (this one and those before it).
TREND_ROUNDS = 4
LABEL_MISSING = "Mangler svar"
LABEL_NO_ANSWER = "–"
LABEL_UNCHANGED = "ingen ændring"
LABEL_EARLY = "før runden"
LABEL_BY = "Besvaret af"
LABEL_TREND = "Udvikling over runderne"
LABEL_NO_GOAL = "Øvrige indsatser"
GOAL_FILL = "DEEAF6"
LABEL_SUMMARY = "Sammenfatning"
LABEL_MISSING_LIST = "Mangler svar fra"
LABEL_ATTACHMENT = "Vedhæftet"
#: Cell shading (hex RGB) per colour; missing answers are grey.
FILLS: dict[StatusColour | None, str] = {
    StatusColour.GROEN: "00B050",
    StatusColour.GUL: "FFC000",
    StatusColour.ROED: "FF0000",
    None: "D9D9D9",
}
SAG_TITLE = "Status på {plan}"
INDSTILLING = "{forvaltning} indstiller, at orienteringen tages til efterretning."


@dataclass(frozen=True, slots=True)
class ReportRow:
    indsats: str
    tovholder: str
    colour: StatusColour | None  # None: no answer
    text: str = ""
    answered_at: datetime | None = None
    unchanged: bool = False
    attachment: str = ""  # file name of an attachment, if any
    #: The goal the indsats is under (its label), "" when the plan has no goals.
    goal: str = ""
    #: Its colour in each round of ``StatusReport.trend_rounds`` (the last is this round's).
    trend: tuple[StatusColour | None, ...] = ()
    early: bool = False
    #: Who answered, shown when the indsats has several owners.
    answered_by: str = ""


@dataclass(frozen=True, slots=True)
class StatusReport:
    plan_title: str
    plan_kind: PlanKind
    udvalg_name: str
    forvaltning: str
    round_number: int
    opens_at: datetime
    deadline: datetime
    rows: tuple[ReportRow, ...]
    zone: str = ZONE
    #: The rounds whose colours stand side by side in the table, oldest first.
    trend_rounds: tuple[int, ...] = ()
    #: Counts per colour of every round up to this one, oldest first (the chart).
    history: tuple[RoundCounts, ...] = ()

    @property
    def answered(self) -> tuple[ReportRow, ...]:
        return tuple(row for row in self.rows if row.colour is not None)

    @property
    def missing(self) -> tuple[ReportRow, ...]:
        return tuple(row for row in self.rows if row.colour is None)

    def counts(self) -> dict[StatusColour, int]:
        result = {colour: 0 for colour in StatusColour}
        for row in self.answered:
            assert row.colour is not None
            result[row.colour] += 1
        return result


def _local(report: StatusReport, instant: datetime) -> str:
    return format_date(to_local(instant, report.zone).date())


def answered_label(report: StatusReport, row: ReportRow) -> str:
    if row.answered_at is None:
        return ""
    day = _local(report, row.answered_at)
    notes = [LABEL_UNCHANGED] * row.unchanged + [LABEL_EARLY] * row.early
    return f"{day} ({', '.join(notes)})" if notes else day


def trend_lines(report: StatusReport) -> list[str]:
    """``Runde 2: Grøn 3, Gul 1, Rød 1, mangler svar 0.`` per round, oldest first."""
    return [
        f"Runde {r.number}: "
        + ", ".join(f"{COLOUR_LABELS[c]} {r.counts.get(c, 0)}" for c in StatusColour)
        + f", {LABEL_MISSING.lower()} {r.missing}."
        for r in report.history
    ]


def summary_lines(report: StatusReport) -> list[str]:
    """``6 indsatser, 5 besvaret: Grøn 3, Gul 1, Rød 1. Mangler svar: 1.`` and who is missing."""
    counts = report.counts()
    colours = ", ".join(f"{COLOUR_LABELS[c]} {counts[c]}" for c in StatusColour)
    total = len(report.rows)
    lines = [
        f"{total} indsatser, {len(report.answered)} besvaret: {colours}. "
        f"{LABEL_MISSING}: {len(report.missing)}."
    ]
    if report.missing:
        lines.append(f"{LABEL_MISSING_LIST}:")
        lines.extend(
            f"- {row.indsats} ({row.tovholder})" if row.tovholder else f"- {row.indsats}"
            for row in report.missing
        )
    return lines


def summary_text(report: StatusReport) -> str:
    """The summary for the sag's sagsfremstilling (bullets render as a list)."""
    kind = PLAN_KIND_LABELS[report.plan_kind].lower()
    head = (
        f"Statusrunde {report.round_number} for {kind}en »{report.plan_title}« "
        f"med svarfrist {_local(report, report.deadline)} "
        f"kl. {format_time(to_local(report.deadline, report.zone).time())}."
    )
    lines = [head, "", *summary_lines(report)]
    if len(report.history) > 1:
        lines += ["", f"{LABEL_TREND}:", *(f"- {line}" for line in trend_lines(report))]
    lines.append("")
    for colour in (StatusColour.ROED, StatusColour.GUL):
        rows = [row for row in report.answered if row.colour is colour]
        if rows:
            lines.append(f"Indsatser med status {COLOUR_LABELS[colour].lower()}:")
            lines.extend(f"- {row.indsats}: {_one_line(row.text)}" for row in rows)
    lines.append("Statusrapporten med alle indsatser er vedlagt som bilag.")
    text = "\n".join(lines).strip()
    return text if len(text) <= MAX_SECTION else text[: MAX_SECTION - 1] + "…"


def _one_line(text: str, limit: int = 300) -> str:
    value = " ".join(text.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def status_sag(report: StatusReport) -> SagDraft:
    """The "Status på <plan>" sag for the next meeting's agenda (til orientering)."""
    title = SAG_TITLE.format(plan=report.plan_title)
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    forvaltning = report.forvaltning or "Forvaltningen"
    kind = PLAN_KIND_LABELS[report.plan_kind].lower()
    kerne = (
        f"{forvaltning} orienterer om status på {kind}en »{report.plan_title}« "
        f"(statusrunde {report.round_number})."
    )
    return SagDraft(
        title=title,
        sagstype=Sagstype.ORIENTERING,
        sections={
            "sagens_kerne": kerne,
            "indstilling": INDSTILLING.format(forvaltning=forvaltning),
            "sagsfremstilling": summary_text(report),
        },
    )


def report_file_name(report: StatusReport) -> str:
    """``Status_Handleplan_for_ensomhed_runde_3.docx`` (safe for every file system)."""
    stem = re.sub(r"[^0-9A-Za-zÆØÅæøå]+", "_", report.plan_title).strip("_")[:60] or "plan"
    return f"Status_{stem}_runde_{report.round_number}.docx"


# --- DOCX ----------------------------------------------------------------------------------

_BORDER = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
_BORDERS = "".join(
    _BORDER.format(side=side) for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)


def _paragraphs(text: str, bold: bool = False) -> str:
    from agendas.documents.render import xml_run

    lines = [line for line in (raw.strip() for raw in text.splitlines()) if line] or [""]
    return "".join(
        f"<w:p>{xml_run(line, bold, TABLE_FONT_SIZE) if line else ''}</w:p>" for line in lines
    )


def _cell(width: int, body: str, fill: str | None = None) -> str:
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>{body}</w:tc>'


def _row(cells: Sequence[str], header: bool = False) -> str:
    props = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>" if header else ""
    return f"<w:tr>{props}{''.join(cells)}</w:tr>"


def page_text_width(document: Any) -> int:
    """The width between the margins of the document's last section, in twentieths of a point."""
    section = document.sections[-1]
    page, left, right = section.page_width, section.left_margin, section.right_margin
    if page is None or left is None or right is None:
        return TEXT_WIDTH
    from docx.shared import Length

    return int(Length(page - left - right).twips)


def word_width(texts: Iterable[str]) -> int:
    """The column width that holds the longest word of ``texts`` without breaking it."""
    longest = max((len(word) for text in texts for word in text.split()), default=1)
    return longest * CHAR_WIDTH + 2 * CELL_MARGIN + CELL_SLACK


def _columns(report: StatusReport) -> list[list[str]]:
    """Every text of each column, its header first (what the widths are measured on)."""
    columns: list[list[str]] = [[h] for h in _headers(report)]
    rounds = len(columns) - 4
    for row in report.rows:
        columns[0].append(row.indsats)
        columns[1].append(row.tovholder)
        trend = row.trend or (row.colour,)
        for i, colour in enumerate(trend[:rounds]):
            columns[2 + i].append(_colour_word(colour, i == len(trend) - 1))
        columns[-2].append(_status_text(row))
        columns[-1].append(answered_label(report, row))
    return columns


def column_widths(report: StatusReport, width: int = TEXT_WIDTH) -> list[int]:
    """Tovholder, the rounds and Besvaret as wide as their longest word (a name, "Mangler", a
    date); the indsats and the status text share the rest, each wide enough for its longest
    word where the page allows."""
    needs = [word_width(texts) for texts in _columns(report)]
    fixed = needs[1:-2] + needs[-1:]
    flex = width - sum(fixed)
    indsats_need, text_need = (min(n, FLEX_NEED_LIMIT) for n in (needs[0], needs[-2]))
    indsats = max(indsats_need, int(flex * INDSATS_SHARE))
    if flex - indsats < text_need:
        indsats = max(indsats_need, flex - text_need)
    text = max(flex - indsats, 0)
    return [indsats, *needs[1:-2], text, needs[-1]]


def _headers(report: StatusReport) -> list[str]:
    rounds = [f"Runde {n}" for n in report.trend_rounds] or ["Status"]
    return ["Indsats", "Tovholder", *rounds, "Status og bemærkninger", "Besvaret"]


def _colour_word(colour: StatusColour | None, current: bool) -> str:
    return COLOUR_LABELS[colour] if colour else (LABEL_MISSING if current else LABEL_NO_ANSWER)


def _colour_cell(width: int, colour: StatusColour | None, current: bool) -> str:
    return _cell(width, _paragraphs(_colour_word(colour, current), bold=True), FILLS[colour])


def _status_text(row: ReportRow) -> str:
    text = row.text
    if row.answered_by:
        text = f"{text}\n{LABEL_BY} {row.answered_by}" if text else row.answered_by
    if row.attachment:
        text = f"{text}\n{LABEL_ATTACHMENT}: {row.attachment}" if text else row.attachment
    return text


def _indsats_row(report: StatusReport, row: ReportRow, widths: list[int]) -> str:
    text = _status_text(row)
    trend = row.trend or (row.colour,)
    colours = [
        _colour_cell(widths[2 + i], colour, i == len(trend) - 1) for i, colour in enumerate(trend)
    ]
    return _row(
        [
            _cell(widths[0], _paragraphs(row.indsats)),
            _cell(widths[1], _paragraphs(row.tovholder)),
            *colours,
            _cell(widths[-2], _paragraphs(text)),
            _cell(widths[-1], _paragraphs(answered_label(report, row))),
        ]
    )


def _goal_row(label: str, widths: list[int]) -> str:
    span = f'<w:gridSpan w:val="{len(widths)}"/>'
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{GOAL_FILL}"/>'
    props = f'<w:tcPr><w:tcW w:w="{sum(widths)}" w:type="dxa"/>{span}{shading}</w:tcPr>'
    return _row([f"<w:tc>{props}{_paragraphs(label, bold=True)}</w:tc>"])


def _table_props(width: int) -> str:
    """A fixed layout as wide as its columns, with the report's cell margins and borders."""
    margins = "".join(f'<w:{side} w:w="{CELL_MARGIN}" w:type="dxa"/>' for side in ("left", "right"))
    return (
        f'<w:tblPr><w:tblW w:w="{width}" w:type="dxa"/>'
        f"<w:tblBorders>{_BORDERS}</w:tblBorders>"
        f'<w:tblLayout w:type="fixed"/><w:tblCellMar>{margins}</w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1"/></w:tblPr>'
    )


def _table(report: StatusReport, width: int) -> str:
    widths = column_widths(report, width)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    rows = [
        _row(
            [
                _cell(w, _paragraphs(h, bold=True), "F2F2F2")
                for w, h in zip(widths, _headers(report), strict=True)
            ],
            header=True,
        )
    ]
    grouped = any(row.goal for row in report.rows)
    goal: str | None = None
    for row in report.rows:
        if grouped and row.goal != goal:
            goal = row.goal
            rows.append(_goal_row(row.goal or LABEL_NO_GOAL, widths))
        rows.append(_indsats_row(report, row, widths))
    props = _table_props(sum(widths))
    return f"<w:tbl>{props}<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def _counts_table(report: StatusReport, text_width: int) -> str:
    headers = ["Runde", *(COLOUR_LABELS[c] for c in StatusColour), LABEL_MISSING]
    width = text_width // len(headers)
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for _ in headers)
    rows = [_row([_cell(width, _paragraphs(h, bold=True), "F2F2F2") for h in headers], True)]
    for counts in report.history:
        values = [str(counts.number), *(str(counts.counts.get(c, 0)) for c in StatusColour)]
        values.append(str(counts.missing))
        rows.append(_row([_cell(width, _paragraphs(v)) for v in values]))
    props = _table_props(width * len(headers))
    return f"<w:tbl>{props}<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def _chart(writer: BodyWriter, report: StatusReport) -> str:
    """The chart as an inline picture (a paragraph of WordprocessingML)."""
    from docx.shared import Cm

    png = colour_chart_png(report.history)
    inline = writer.document.part.new_pic_inline(io.BytesIO(png), Cm(15), None)
    drawing = str(inline.xml).split("?>", 1)[-1] if str(inline.xml).startswith("<?") else inline.xml
    return f"<w:p><w:r><w:drawing>{drawing}</w:drawing></w:r></w:p>"


def render_status_report(report: StatusReport, template: bytes | None = None) -> bytes:
    """The report as DOCX bytes (``template``: the municipality's letterhead, optional)."""
    from agendas.documents.furniture import page_furniture
    from agendas.documents.render import BodyWriter

    writer = BodyWriter(template)
    kind = PLAN_KIND_LABELS[report.plan_kind]
    props = writer.document.core_properties
    props.title = f"Status på {report.plan_title}"
    props.subject = report.udvalg_name
    props.author = report.forvaltning or report.udvalg_name
    props.keywords = "statusrapport"
    props.language = "da-DK"
    deadline = to_local(report.deadline, report.zone)
    page_furniture(
        writer.document,
        f"{report.udvalg_name} · Status på {report.plan_title}",
        f"Statusrunde {report.round_number}",
        f"{report.udvalg_name} · statusrunde {report.round_number}, "
        f"svarfrist {format_date(deadline.date())}",
    )
    width = page_text_width(writer.document)
    writer.para(f"Status på {report.plan_title}", writer.styles.title)
    writer.para(f"{kind} · {report.udvalg_name}", writer.styles.subtitle)
    writer.labelled("Statusrunde", str(report.round_number))
    writer.labelled("Åbnet", _local(report, report.opens_at))
    writer.labelled(
        "Svarfrist", f"{format_date(deadline.date())} kl. {format_time(deadline.time())}"
    )
    writer.para(LABEL_SUMMARY, writer.styles.heading1)
    for line in summary_lines(report):
        if line.startswith("- "):
            writer.para(line[2:], writer.styles.bullet)
        else:
            writer.para(line)
    if report.history:
        writer.para(LABEL_TREND, writer.styles.heading1)
        writer.parts.append(_chart(writer, report))
        writer.parts.append(_counts_table(report, width))
        writer.para("")
    writer.para("Indsatser", writer.styles.heading1)
    writer.parts.append(_table(report, width))
    writer.para("")
    return writer.finish()


__all__ = [
    "ReportRow",
    "StatusReport",
    "column_widths",
    "page_text_width",
    "render_status_report",
    "report_file_name",
    "status_sag",
    "summary_lines",
    "summary_text",
    "trend_lines",
]
