"""The message catalogue: Danish and English in step, and every key the code uses exists.

The code is read with ``ast`` (not imported), so a key passed to ``t(...)``, to a domain error
or set as an error class's ``key`` is found wherever it is written. Keys built at run time from
a known set (roles, menu commands) are checked by enumerating that set.
"""

from __future__ import annotations

import ast
import re
import string
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from agendas.model import Role
from agendas.plans import RoundState
from agendas.services.punkter import META_FIELDS

ROOT = Path(__file__).resolve().parents[2]
#: As in bot/i18n.py; read here without importing aiogram (that import alone takes seconds).
LOCALES_DIR = ROOT / "bot" / "locales"
LANGUAGES = ("da", "en")


def key_shaped(node: ast.JoinedStr) -> bool:
    """Keys are lower-case words and dashes; ``f"moede-{id}@host"`` (an iCalendar UID) is not."""
    return all(
        re.fullmatch(r"[a-z0-9-]*", part.value)
        for part in node.values
        if isinstance(part, ast.Constant) and isinstance(part.value, str)
    )


def menu_commands() -> list[str]:
    """``bot.commands.MENU``, read from the source for the same reason."""
    tree = ast.parse((ROOT / "bot" / "commands.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == [
            "MENU"
        ]:
            return [ast.literal_eval(e) for e in getattr(node.value, "elts", [])]
    raise AssertionError("MENU not found in bot/commands.py")


SOURCE_DIRS = ("agendas", "bot", "handlers", "storage", "web")
ERROR_NAMES = {"DomainError", "NotAllowed", "NotFound", "InvalidInput", "InviteInvalid"}
ERROR_NAMES |= {"ConcurrentEdit"}
#: Keys built at run time, by their f-string prefix, and the values they are built from.
DYNAMIC: dict[str, list[str]] = {
    "role-": [r.value for r in Role],
    "start-can-": [r.value for r in Role],
    "help-": [r.value for r in Role],
    "cmd-": menu_commands(),
    "agenda-field-": list(META_FIELDS),
    "status-state-": [s.value for s in RoundState],
    # The command line's own wording of a refusal the chat words as a chat command.
    "cli-": ["err-plan-unknown"],
}
#: Prefixes of catalogue keys; a string literal shaped like ``<prefix>-words`` is a key.
KEY_PREFIXES = (
    "agenda",
    "cli",
    "cancel",
    "cmd",
    "err",
    "fallback",
    "help",
    "invite",
    "lang",
    "meeting",
    "members",
    "moede",
    "moeder",
    "plan",
    "role",
    "roster",
    "sag",
    "start",
    "status",
    "udvalg",
    "view",
    "web",
)
KEY_LITERAL = re.compile(rf"^(?:{'|'.join(KEY_PREFIXES)})(?:-[a-z0-9]+)+$")
#: The constant start of an f-string that builds a key, e.g. ``f"role-{role.value}"``.
KEY_PREFIX = re.compile(rf"^(?:{'|'.join(KEY_PREFIXES)})(?:-[a-z0-9]+)*-$")


def po_files(language: str) -> list[Path]:
    return sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po"))


def read_messages(path: Path) -> dict[str, str]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {str(m.id): str(m.string) for m in catalog if m.id}


def catalogue(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in po_files(language):
        merged.update(read_messages(path))
    return merged


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


CATALOGUES = {language: catalogue(language) for language in LANGUAGES}


def test_every_language_has_the_same_files() -> None:
    names = {language: [p.name for p in po_files(language)] for language in LANGUAGES}
    assert names["da"] == names["en"]
    assert "common.po" in names["da"]


@pytest.mark.parametrize("name", [p.name for p in po_files("da")])
def test_danish_and_english_files_have_the_same_keys_and_placeholders(name: str) -> None:
    da = read_messages(LOCALES_DIR / "da" / "LC_MESSAGES" / name)
    en = read_messages(LOCALES_DIR / "en" / "LC_MESSAGES" / name)
    assert sorted(set(da) - set(en)) == [], "in da only"
    assert sorted(set(en) - set(da)) == [], "in en only"
    differing = {k: (placeholders(da[k]), placeholders(en[k])) for k in da}
    assert {k: v for k, v in differing.items() if v[0] != v[1]} == {}


def test_every_text_is_translated_and_formats() -> None:
    for language, messages in CATALOGUES.items():
        empty = sorted(k for k, v in messages.items() if not v.strip())
        assert empty == [], language
        for key, text in messages.items():
            text.format(**dict.fromkeys(placeholders(text), "x"))  # no stray braces
            assert key not in text, f"{language}: {key} looks untranslated"


def test_no_key_is_defined_in_two_files() -> None:
    for language in LANGUAGES:
        where: dict[str, list[str]] = defaultdict(list)
        for path in po_files(language):
            for key in read_messages(path):
                where[key].append(path.name)
        assert {k: v for k, v in where.items() if len(v) > 1} == {}, language


def source_files() -> Iterator[Path]:
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


TREES = {p: ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in source_files()}


def call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return ""


class Use:
    """One place the code names a catalogue key, with the parameters it passes (None: unknown)."""

    def __init__(self, where: str, key: str, params: set[str] | None) -> None:
        self.where, self.key, self.params = where, key, params

    def __repr__(self) -> str:
        return f"{self.key} at {self.where}"


def error_class_names(trees: dict[Path, ast.Module]) -> set[str]:
    names = set(ERROR_NAMES)
    changed = True
    while changed:
        changed = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {b.id if isinstance(b, ast.Name) else "" for b in node.bases}
                    if bases & names:
                        names.add(node.name)
                        changed = True
    return names


def collect_uses() -> tuple[list[Use], list[Use]]:
    """(static key uses, dynamic f-string uses with their prefix as key)."""
    trees = TREES
    errors = error_class_names(trees)
    static: list[Use] = []
    dynamic: list[Use] = []
    for path, tree in trees.items():
        rel = path.relative_to(ROOT)
        for node in ast.walk(tree):
            where = f"{rel}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and node.args:
                name = call_name(node)
                if name not in {"t", "gettext"} | errors:
                    continue
                first = node.args[0]
                params: set[str] | None = {k.arg for k in node.keywords if k.arg}
                if any(k.arg is None for k in node.keywords):
                    params = None  # **kwargs: unknown
                if name == "gettext":
                    params = None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    static.append(Use(where, first.value, params))
                elif isinstance(first, ast.JoinedStr) and first.values:
                    head = first.values[0]
                    prefix = head.value if isinstance(head, ast.Constant) else ""
                    dynamic.append(Use(where, str(prefix), params))
            elif isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                if (
                    isinstance(head, ast.Constant)
                    and isinstance(head.value, str)
                    and KEY_PREFIX.match(head.value)
                    and key_shaped(node)
                    and not any(u.where == where for u in dynamic)
                ):
                    dynamic.append(Use(where, head.value, None))
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (
                        isinstance(item, ast.Assign)
                        and [getattr(t, "id", "") for t in item.targets] == ["key"]
                        and isinstance(item.value, ast.Constant)
                        and isinstance(item.value.value, str)
                    ):
                        static.append(Use(f"{rel}:{item.lineno}", item.value.value, None))
    return static, dynamic


STATIC, DYNAMIC_USES = collect_uses()


def test_the_scan_finds_the_keys_we_know_are_used() -> None:
    keys = {u.key for u in STATIC}
    assert {"err-generic", "err-not-admin", "err-date-format", "view-continued"} <= keys
    assert {u.key for u in DYNAMIC_USES} >= {"role-", "cmd-"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_used_in_the_code_exists(language: str) -> None:
    messages = CATALOGUES[language]
    missing = sorted({repr(u) for u in STATIC if u.key not in messages})
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_dynamic_key_exists_for_each_known_value(language: str) -> None:
    messages = CATALOGUES[language]
    unknown = sorted({repr(u) for u in DYNAMIC_USES if u.key not in DYNAMIC})
    assert unknown == [], "a key built at run time: add its values to DYNAMIC in this test"
    missing = sorted(
        f"{use.key}{value} ({use.where})"
        for use in DYNAMIC_USES
        for value in DYNAMIC.get(use.key, [])
        if f"{use.key}{value}" not in messages
    )
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_parameters_passed_fill_every_placeholder(language: str) -> None:
    """A placeholder the code does not pass would crash ``str.format`` or show ``{name}``."""
    messages = CATALOGUES[language]
    problems = sorted(
        f"{use!r}: needs {sorted(placeholders(messages[use.key]) - use.params)}"
        for use in STATIC
        if use.params is not None
        and use.key in messages
        and not placeholders(messages[use.key]) <= use.params
    )
    assert problems == []


def string_literals() -> list[tuple[str, str]]:
    return [
        (f"{path.relative_to(ROOT)}:{node.lineno}", node.value)
        for path, tree in TREES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


LITERALS = string_literals()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_shaped_literal_exists(language: str) -> None:
    """Keys handed around before reaching ``t`` (button labels, prompts) must exist too."""
    messages = CATALOGUES[language]
    missing = sorted(
        f"{value} at {where}"
        for where, value in LITERALS
        if KEY_LITERAL.match(value) and value not in messages
    )
    assert missing == []


def test_every_command_the_bot_answers_is_in_the_help() -> None:
    """Issue 16: /planskema and /statusrunde worked but /hjaelp did not name them."""
    import re

    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "handlers").glob("*.py"))
    commands = set(re.findall(r'Command\(\s*"([a-z_]+)"', source))
    assert {"planskema", "statusrunde", "dagsorden"} <= commands
    for language in LANGUAGES:
        messages = CATALOGUES[language]
        help_text = "\n".join(v for k, v in messages.items() if k.startswith("help-"))
        # /start and /hjaelp show the help itself; /dagsorden_docx is the Word button's command.
        unnamed = sorted(
            c
            for c in commands - {"hjaelp", "dagsorden_docx"}
            if not re.search(rf"/{c}\b", help_text)
        )
        assert unnamed == [], language
