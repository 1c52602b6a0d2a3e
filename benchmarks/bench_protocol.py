"""Export a 60-punkt beslutningsprotokol and import it again; compare with bare python-docx.
Then the same protocol as PDF/A (HTML printed by WeasyPrint), against LibreOffice headless
converting the Word file to PDF (the route not taken), when LibreOffice is installed.

Run: .venv/bin/python benchmarks/bench_protocol.py [--no-pdf]
Prints time and peak memory (tracemalloc) of our renderer, of a baseline that writes the same
paragraphs with the same styles through python-docx, their ratio, and the time of importing the
rendered document; then the PDF/A's time, pages and size, and the ratio to LibreOffice. No
assertions.

The baseline, "python-docx, style ids set directly", is what a python-docx user writes when speed
matters: each style looked up once, its id set on each new paragraph. (``add_paragraph(text,
style=name)`` looks the style up among all styles for every paragraph: 83 % of its time went
there, which made any renderer look 50 times faster than python-docx.) Ours does more (runs,
numbering, tables, headers, document properties), and is still about 4 times faster because it
writes the XML itself; the target, ours < 0.6x the baseline, is crossed by a regression that makes
the renderer about twice as slow.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from datetime import time as clock

import docx

from agendas.documents import parse_docx, render_protokol
from agendas.documents.html_render import render_html
from agendas.documents.parse import docx_lines
from agendas.documents.pdf_render import render_pdf
from agendas.model import Moede, Punkt, PunktKind, Udvalg
from agendas.protocol import Attendee, DocumentPunkt, MeetingDocument, PunktRecord, Votes

PARAGRAPH = (
    "Forvaltningen har i samarbejde med lokalcentrene gennemgået tilbuddene til ældre borgere "
    "over 80 år. Gennemgangen viser, at fællesspisning og besøgsvenner når flest borgere, mens "
    "de digitale tilbud endnu kun bruges af få. Udgifterne holdes inden for den afsatte ramme."
)


def meeting(punkter: int = 60) -> MeetingDocument:
    sections = {
        "sagens_kerne": PARAGRAPH,
        "indstilling": "Social- og Sundhedsforvaltningen indstiller,\n"
        + "\n".join(f"at punkt {n} i handleplanen godkendes." for n in range(1, 4)),
        "sagsfremstilling": "\n".join([PARAGRAPH] * 6)
        + "\n- Fællesspisning\n- Besøgsvenner\n- Telefonkæde",
        "lov_og_plangrundlag": "Lov om social service § 79.",
        "oekonomiske_konsekvenser": PARAGRAPH,
        "tidsplan": "Næste status forelægges udvalget i september 2025.",
    }
    items = [
        DocumentPunkt(
            Punkt(
                moede_id=1,
                kind=PunktKind.SAG,
                title=f"Status på indsats {n} i handleplan mod ensomhed",
                number=n,
                beslutningskompetence="SOU",
                sections=dict(sections),
            ),
            bilag=[f"Bilag til sag {n}.pdf", "Statusskema.xlsx"],
            record=PunktRecord(beslutning="Anbefales", votes=Votes(3, ("A", "V"), 1, ("Ø",))),
        )
        for n in range(1, punkter + 1)
    ]
    return MeetingDocument(
        udvalg=Udvalg(code="SOU", name="Sundheds- og Omsorgsudvalget", forvaltning="SSF"),
        moede=Moede(udvalg_id=1, date=date(2025, 3, 4), start_time=clock(15), place="Rådhuset"),
        punkter=items,
        attendance=[Attendee(f"Medlem {n}", "A") for n in range(9)],
        end_time=clock(18, 5),
    )


#: The baseline's name and the ratio a regression would cross.
BASELINE = "python-docx, style ids set directly"
TARGET = 0.6


def baseline(paragraphs: list[tuple[str, str]]) -> bytes:
    """The same paragraphs and styles written with python-docx: each style resolved to its id
    once, the id set on the paragraph (``CT_P.style``), the text added as one run."""
    document = docx.Document()
    ids = {name: document.styles[name].style_id for name in {style for _, style in paragraphs}}
    for text, style in paragraphs:
        paragraph = document.add_paragraph(text)
        paragraph._p.style = ids[style]
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def slow_baseline(paragraphs: list[tuple[str, str]]) -> bytes:
    """The former baseline: ``add_paragraph(text, style=name)``, a scan of every style for each
    paragraph. Printed for comparison only."""
    document = docx.Document()
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def interleaved(works: dict[str, Callable[[], object]], repeat: int = 5) -> dict[str, float]:
    """The best time of each, run in turns (ours, baseline, ours, …), so a burst of load on a
    shared machine hits both rather than one."""
    best = dict.fromkeys(works, float("inf"))
    for _ in range(repeat):
        for name, work in works.items():
            started = time.perf_counter()
            work()
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def measure(
    name: str, work: Callable[[], object], repeat: int = 3, best: float | None = None
) -> float:
    if best is None:
        best = interleaved({name: work}, repeat)[name]
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{name:<48} {best * 1000:8.1f} ms   peak {peak / 1024 / 1024:6.1f} MiB")
    return best


def main(pdf: bool = True) -> None:
    doc = meeting()
    rendered = render_protokol(doc, public=False)
    document = docx.Document(io.BytesIO(rendered))
    names = {s.style_id: s.name for s in document.styles}
    paragraphs = []
    for p in document.element.body.iter(docx.oxml.ns.qn("w:p")):
        style = p.pPr.style if p.pPr is not None else None
        paragraphs.append((p.text, names.get(style, "Normal")))
    print(f"60 punkter, {len(paragraphs)} paragraphs, {len(rendered) // 1024} KiB DOCX")
    ours_work = lambda: render_protokol(doc, public=False)  # noqa: E731
    base_work = lambda: baseline(paragraphs)  # noqa: E731
    times = interleaved({"ours": ours_work, "base": base_work})
    ours = measure("render_protokol", ours_work, best=times["ours"])
    base = measure(f"baseline: {BASELINE}", base_work, best=times["base"])
    measure("  (add_paragraph(style=name))", lambda: slow_baseline(paragraphs), repeat=1)
    verdict = "met" if ours / base < TARGET else "MISSED"
    print(
        f"{'ratio ours/baseline':<48} {ours / base:8.2f}x "
        f"(baseline: {BASELINE}; target < {TARGET}x: {verdict})"
    )
    measure("parse_docx (import)", lambda: parse_docx(rendered))
    measure("  of which reading lines", lambda: docx_lines(docx.Document(io.BytesIO(rendered))))
    if pdf:
        pdf_figures(doc, rendered)


def pdf_pages(pdf: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as opened:
        return len(opened.pages)


def pdf_figures(doc: MeetingDocument, rendered: bytes) -> None:
    render_pdf(doc, protokol=True, public=False)  # warms fontconfig and the templates
    measure("render_html", lambda: render_html(doc, protokol=True, public=False))
    small = meeting(10)
    for name, item in (("10 punkter", small), ("60 punkter", doc)):
        pdf = render_pdf(item, protokol=True, public=False)
        print(f"PDF/A of {name}: {pdf_pages(pdf)} pages, {len(pdf) // 1024} KiB")
    small_pdf = measure("render_pdf, 10 punkter", lambda: render_pdf(small, True, False), 2)
    ours = measure("render_pdf, 60 punkter", lambda: render_pdf(doc, True, False), repeat=2)
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        print("LibreOffice is not installed: no baseline for the PDF")
        return
    small_office = libreoffice(office, render_protokol(small, public=False), "10 punkter")
    large_office = libreoffice(office, rendered, "60 punkter")
    print(f"ratio ours/LibreOffice       {small_pdf / small_office:8.2f}x (10 punkter)")
    print(f"ratio ours/LibreOffice       {ours / large_office:8.2f}x (60 punkter)")


def libreoffice(office: str, docx_bytes: bytes, name: str) -> float:
    """LibreOffice headless converting the Word file to PDF: the second of two runs (the first
    creates its profile)."""
    with tempfile.TemporaryDirectory() as folder:
        source = os.path.join(folder, "protokol.docx")
        with open(source, "wb") as handle:
            handle.write(docx_bytes)
        env = {**os.environ, "HOME": folder}
        command = [office, "--headless", "--convert-to", "pdf", "--outdir", folder, source]
        subprocess.run(command, capture_output=True, check=True, env=env, timeout=300)
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env, timeout=300)
        took = time.perf_counter() - started
    print(f"{'LibreOffice DOCX->PDF, ' + name:<28} {took * 1000:8.1f} ms")
    return took


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-pdf", action="store_true", help="the Word figures only")
    main(pdf=not parser.parse_args().no_pdf)
