"""A small chart of a plan's colour counts over its rounds, as PNG bytes.

One stacked bar per round (grøn at the bottom, then gul, rød, and grey for missing answers), the
count written in each part, the round under each bar and a legend. Drawn with Pillow, imported
only when a chart is made, so the bot starts without it (Pillow is already installed as
pdfplumber's dependency; matplotlib would add tens of megabytes and a second of import time for
four rectangles). The legend's words need æ/ø, which Pillow's built-in font lacks: a DejaVu
font is used where one is found (the project's or the system's); without one the legend is
left out and the caption carries it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agendas.plans import COLOUR_LABELS, StatusColour

WIDTH, HEIGHT = 720, 360
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 150, 24, 48
#: The traffic light's colours (as the Word report shades its cells) and grey for missing.
FILLS: dict[StatusColour | None, str] = {
    StatusColour.GROEN: "#00B050",
    StatusColour.GUL: "#FFC000",
    StatusColour.ROED: "#FF0000",
    None: "#BFBFBF",
}
ORDER: tuple[StatusColour | None, ...] = (
    StatusColour.GROEN,
    StatusColour.GUL,
    StatusColour.ROED,
    None,
)
LABEL_MISSING = "Mangler svar"
FONT_CANDIDATES = (
    Path(__file__).resolve().parents[1] / "documents" / "fonts" / "DejaVuSans.ttf",
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/local/share/fonts/DejaVuSans.ttf"),
)


@dataclass(frozen=True, slots=True)
class RoundCounts:
    """A round's answers per colour and its missing answers."""

    number: int
    counts: dict[StatusColour, int] = field(default_factory=dict)
    missing: int = 0

    @classmethod
    def tally(
        cls, number: int, colours: dict[int, StatusColour], active: Iterable[int]
    ) -> RoundCounts:
        """The counts of a round from each indsats' colour (by id) among the ``active``."""
        counts = {colour: 0 for colour in StatusColour}
        missing = 0
        for indsats_id in active:
            if indsats_id in colours:
                counts[colours[indsats_id]] += 1
            else:
                missing += 1
        return cls(number, counts, missing)

    def part(self, colour: StatusColour | None) -> int:
        return self.missing if colour is None else self.counts.get(colour, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + self.missing


def _font(size: int) -> tuple[Any, bool]:
    """A font with the Danish letters (True), or Pillow's own (False)."""
    from PIL import ImageFont

    for path in FONT_CANDIDATES:
        if path.is_file():
            return ImageFont.truetype(str(path), size), True
    return ImageFont.load_default(size=size), False


def colour_chart_png(history: Sequence[RoundCounts]) -> bytes:
    """The chart of ``history`` (oldest round first) as PNG bytes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font, danish = _font(13)
    top = max((r.total for r in history), default=1) or 1
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    base = MARGIN_TOP + plot_h
    draw.line((MARGIN_LEFT, MARGIN_TOP, MARGIN_LEFT, base), fill="#404040")
    draw.line((MARGIN_LEFT, base, MARGIN_LEFT + plot_w, base), fill="#404040")
    for tick in sorted({0, top // 2, top}):
        y = base - plot_h * tick / top
        draw.line((MARGIN_LEFT - 4, y, MARGIN_LEFT, y), fill="#404040")
        draw.text((MARGIN_LEFT - 8, y), str(tick), fill="#404040", font=font, anchor="rm")
    slot = plot_w / max(len(history), 1)
    bar = min(slot * 0.6, 80)
    for index, counts in enumerate(history):
        x0 = MARGIN_LEFT + slot * index + (slot - bar) / 2
        y = base
        for colour in ORDER:
            value = counts.part(colour)
            if not value:
                continue
            height = plot_h * value / top
            draw.rectangle((x0, y - height, x0 + bar, y), fill=FILLS[colour], outline="white")
            if height >= 14:
                draw.text((x0 + bar / 2, y - height / 2), str(value), fill="black", font=font,
                          anchor="mm")  # fmt: skip
            y -= height
        draw.text((x0 + bar / 2, base + 8), f"Runde {counts.number}", fill="black", font=font,
                  anchor="ma")  # fmt: skip
    if danish:
        _legend(draw, font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _legend(draw: Any, font: Any) -> None:
    x = WIDTH - MARGIN_RIGHT + 20
    for row, colour in enumerate(reversed(ORDER)):
        y = MARGIN_TOP + 10 + row * 24
        draw.rectangle((x, y, x + 14, y + 14), fill=FILLS[colour])
        label = COLOUR_LABELS[colour] if colour is not None else LABEL_MISSING
        draw.text((x + 22, y + 7), label, fill="black", font=font, anchor="lm")
