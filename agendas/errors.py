"""Domain errors, each with a message-catalogue key so the chat layer can explain it."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the user can act on. ``key`` names the catalogue text, ``params`` fill it in."""

    key = "err-generic"

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.key = key or type(self).key
        self.params = params
        super().__init__(self.key, params)


class NotAllowed(DomainError):
    key = "err-not-allowed"


class NotFound(DomainError):
    key = "err-not-found"


class InvalidInput(DomainError):
    key = "err-invalid-input"


class InviteInvalid(DomainError):
    key = "err-invite-invalid"


class ConcurrentEdit(DomainError):
    """Someone saved the punkt after this edit started; the later save must not overwrite it."""

    key = "err-concurrent-edit"
