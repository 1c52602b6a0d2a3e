"""The page of every Word document the bot writes: A4 portrait with ordinary Danish margins."""

from __future__ import annotations

from typing import Any

from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Length

#: A4 portrait with ordinary Danish margins: 2.5 cm at the top and bottom, 2.5 cm on the left
#: (room to punch and file the printed protocol) and 2.0 cm on the right; header and footer
#: 1.25 cm from the edge of the paper.
A4_WIDTH = Cm(21.0)
A4_HEIGHT = Cm(29.7)
MARGINS: dict[str, Length] = {
    "top_margin": Cm(2.5),
    "bottom_margin": Cm(2.5),
    "left_margin": Cm(2.5),
    "right_margin": Cm(2.0),
    "header_distance": Cm(1.25),
    "footer_distance": Cm(1.25),
}
#: How far a template's page may be off A4 and still count as A4 (Word stores A4 as
#: 11906 × 16838 twentieths of a point).
_A4_TOLERANCE = Cm(0.1)


def _is_a4(section: Any) -> bool:
    width, height = section.page_width, section.page_height
    if width is None or height is None:
        return False
    short, long = sorted((int(width), int(height)))
    return abs(short - A4_WIDTH) <= _A4_TOLERANCE and abs(long - A4_HEIGHT) <= _A4_TOLERANCE


def page_setup(document: Any, keep_a4: bool) -> None:
    """Every section on A4 portrait with ``MARGINS``. With a municipal template (``keep_a4``) a
    section that already is A4 keeps its own page setup, margins included: its letterhead is laid
    out for them. Any other size (python-docx's own default is US Letter) becomes A4."""
    for section in document.sections:
        if keep_a4 and _is_a4(section):
            continue
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width = A4_WIDTH
        section.page_height = A4_HEIGHT
        for name, value in MARGINS.items():
            setattr(section, name, value)
