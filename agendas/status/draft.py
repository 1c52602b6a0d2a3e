"""The status answer a tovholder is writing in chat: colour, then text, then an attachment.

The draft lives in the dialog state between updates (the database or Redis), so a restart in the
middle of an answer loses nothing; ``to_data``/``from_data`` are the one place it is turned into
that state and back. The text is checked once, when it is written (``with_text``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from agendas.errors import InvalidInput
from agendas.plans import AttachmentRef, PreviousStatus, StatusColour, clean_status_text


@dataclass(frozen=True, slots=True)
class StatusDraft:
    round_id: int
    indsats_id: int
    #: The indsats' title, for the questions and the confirmation.
    title: str
    colour: StatusColour
    text: str = ""
    #: "Ingen ændring": the last answer again (its colour and text, shown for confirmation).
    unchanged: bool = False
    attachment: AttachmentRef | None = None

    @classmethod
    def unchanged_from(
        cls, round_id: int, indsats_id: int, title: str, previous: PreviousStatus | None
    ) -> StatusDraft:
        if previous is None:
            raise InvalidInput("err-status-no-previous")
        return cls(round_id, indsats_id, title, previous.colour, previous.text, unchanged=True)

    def with_text(self, text: str) -> StatusDraft:
        return replace(self, text=clean_status_text(text))

    def with_attachment(self, attachment: AttachmentRef) -> StatusDraft:
        return replace(self, attachment=attachment)

    def belongs_to(self, round_id: int, indsats_id: int) -> bool:
        return self.round_id == round_id and self.indsats_id == indsats_id

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "round": self.round_id,
            "indsats": self.indsats_id,
            "title": self.title,
            "colour": self.colour.value,
            "text": self.text,
            "unchanged": self.unchanged,
        }
        if self.attachment is not None:
            data.update(
                file_id=self.attachment.telegram_file_id,
                file_name=self.attachment.file_name,
                size=self.attachment.size,
            )
        return data

    @classmethod
    def from_data(cls, data: object) -> StatusDraft | None:
        """The draft kept in the dialog state; None when there is none (or it is unreadable)."""
        if not isinstance(data, dict):
            return None
        try:
            attachment = (
                AttachmentRef(str(data["file_id"]), str(data["file_name"]), int(data["size"]))
                if data.get("file_id")
                else None
            )
            return cls(
                round_id=int(data["round"]),
                indsats_id=int(data["indsats"]),
                title=str(data["title"]),
                colour=StatusColour(data["colour"]),
                text=str(data.get("text", "")),
                unchanged=bool(data.get("unchanged", False)),
                attachment=attachment,
            )
        except (KeyError, TypeError, ValueError):
            return None
