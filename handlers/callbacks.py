"""Callback data shared between features (kept under Telegram's 64 bytes)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class MoedeCb(CallbackData, prefix="m"):
    """A button about a meeting: ``agenda`` opens it, ``nysag`` starts a sag on it."""

    action: str
    moede_id: int


class PunktCb(CallbackData, prefix="p"):
    """A button about a punkt. ``version`` lets an old message's button be recognised as stale."""

    action: str
    punkt_id: int
    version: int = 0


class BilagCb(CallbackData, prefix="b"):
    action: str
    bilag_id: int


class InviteCb(CallbackData, prefix="iv"):
    """/inviter without arguments: pick the udvalg (``role`` empty), then the role."""

    code: str
    role: str = ""


class NytMoedeCb(CallbackData, prefix="nm"):
    """The /nytmoede dialog: ``udvalg`` picks the committee (``code``), ``skip`` skips the place."""

    action: str
    code: str = ""


class PunktEditCb(CallbackData, prefix="pe"):
    """Edit one field of a punkt; ``value`` carries a chosen sagstype, or ``clear``."""

    name: str
    punkt_id: int
    version: int
    value: str = ""


class PunktMoveCb(CallbackData, prefix="pm"):
    """Move a punkt (seen at ``version``) to another meeting of the same udvalg."""

    punkt_id: int
    version: int
    moede_id: int


class NySagCb(CallbackData, prefix="ns"):
    """A button in the /nysag dialog; ``value`` is checked against the step it was asked in."""

    action: str
    value: str = ""
