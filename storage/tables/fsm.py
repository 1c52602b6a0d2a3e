"""The aiogram dialog state table (``storage.fsm``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime


class FsmStateRow(SQLModel, table=True):
    """aiogram dialog state and data per storage key, so dialogs survive a restart."""

    __tablename__ = "fsm_state"

    key: str = Field(sa_type=String(255), primary_key=True)
    state: str | None = Field(default=None, sa_type=String(255))
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)
