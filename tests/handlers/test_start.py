"""/start, /hjaelp, /sprog, /annuller and the fallback, for every role; and the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, load_catalog
from handlers.language import LanguageCb
from tests.handlers.conftest import ADMIN, MEMBER, OUTSIDER, SECRETARY, TOVHOLDER, invite_token
from tests.support.recording import ChatHarness, Sent, TgUser

HELP_SECTIONS = {
    "admin": "<b>Administrator</b>",
    "secretary": "<b>Sekretær</b>",
    "member": "<b>Medlem</b>",
    "tovholder": "<b>Tovholder</b>",
    "nobody": "Du er ikke med i noget udvalg endnu.",
}
STALE = "Knappen er forældet. Hent en ny oversigt, fx med /dagsorden."


def only(calls: list[Sent]) -> Sent:
    sent = [c for c in calls if c.text is not None]
    assert len(sent) == 1, [c.text for c in sent]
    return sent[0]


def sections(text: str) -> set[str]:
    return {name for name, marker in HELP_SECTIONS.items() if marker in text}


async def test_start_without_token_explains_the_bot(chat: ChatHarness) -> None:
    reply = only(await chat.send(OUTSIDER, "/start"))

    assert reply.text is not None
    assert reply.text.startswith("Hej Otto Udenfor! Jeg er Udvalgsbot.")
    assert sections(reply.text) == {"nobody"}
    assert "/sprog – skift mellem dansk og engelsk" in reply.text


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (ADMIN, {"admin"}),
        (SECRETARY, {"secretary"}),
        (MEMBER, {"member"}),
        (TOVHOLDER, {"tovholder"}),
        (OUTSIDER, {"nobody"}),
    ],
)
@pytest.mark.parametrize("command", ["/hjaelp", "/help", "/start"])
async def test_help_shows_the_users_own_roles(
    beu_committee: ChatHarness, user: TgUser, expected: set[str], command: str
) -> None:
    reply = only(await beu_committee.send(user, command))

    assert reply.text is not None
    assert reply.text.count("<b>Udvalgsbot – hjælp</b>") == 1
    assert sections(reply.text) == expected


async def test_opening_an_invite_link_ends_a_running_dialog(beu_committee: ChatHarness) -> None:
    chat = beu_committee
    link = only(await chat.send(ADMIN, "/inviter BEU formand"))
    await chat.send(SECRETARY, "/nytmoede BEU")

    welcome = only(await chat.send(SECRETARY, f"/start {invite_token(link.text or '')}"))

    assert welcome.text is not None
    assert welcome.text.startswith("Velkommen, Sofie Sekretær! Du er nu formand i")
    assert only(await chat.send(SECRETARY, "12-01-2027")).text == (
        "Jeg forstår kun kommandoer og knapper. Skriv /hjaelp for at se, hvad du kan."
    )


async def test_switch_language_to_english_and_back(beu_committee: ChatHarness) -> None:
    chat = beu_committee

    ask = only(await chat.send(MEMBER, "/sprog"))
    assert ask.text == "Vælg sprog:"
    assert [label for label, _ in ask.buttons()] == ["🇩🇰 Dansk", "🇬🇧 English"]

    edited = only(await chat.press(MEMBER, ask, ask.button("English")))
    assert (edited.method, edited.text) == ("editMessageText", "The language is now English.")

    # Everything after that is in English: feature texts and refusals alike.
    assert only(await chat.send(MEMBER, "/moeder")).text == (
        "There are no coming or recent meetings in your committees."
    )
    assert only(await chat.send(MEMBER, "/nytmoede BEU 12-01-2027 14:00")).text == (
        "Only the committee's secretary can do that."
    )
    assert only(await chat.send(MEMBER, "/annuller")).text == (
        "There is nothing to cancel. Send /help to see what you can do."
    )
    # Others keep Danish.
    assert only(await chat.send(SECRETARY, "/annuller")).text == (
        "Der er ikke noget at annullere. Skriv /hjaelp for at se, hvad du kan."
    )

    back = only(await chat.send(MEMBER, "/language"))
    edited = only(await chat.press(MEMBER, back, back.button("Dansk")))
    assert edited.text == "Sproget er nu dansk."
    assert only(await chat.send(MEMBER, "/moeder")).text == (
        "Der er ingen kommende eller nylige møder i dine udvalg."
    )


async def test_english_dialog_texts(beu_committee: ChatHarness) -> None:
    chat = beu_committee
    ask = only(await chat.send(SECRETARY, "/sprog"))
    await chat.press(SECRETARY, ask, ask.button("English"))

    assert only(await chat.send(SECRETARY, "/nytmoede BEU")).text == (
        "On which date does BEU meet? Type e.g. 12-01-2027 or 12. januar 2027. (/cancel stops.)"
    )
    assert only(await chat.send(SECRETARY, "12-01-2027")).text == (
        "When does the meeting on 12-01-2027 start? Type e.g. 14:00 or kl. 14."
    )
    place = only(await chat.send(SECRETARY, "14:00"))
    created = only(await chat.press(SECRETARY, place, place.button("Skip")))
    assert created.text is not None
    assert created.text.startswith(
        "The meeting has been created: Beskæftigelsesudvalget (BEU) 12-01-2027 at 14.00."
    )
    assert [label for label, _ in created.buttons()] == ["Show agenda", "Add item"]


async def test_unknown_language_button_is_stale(chat: ChatHarness) -> None:
    ask = only(await chat.send(MEMBER, "/sprog"))

    [alert] = await chat.press(MEMBER, ask, LanguageCb(code="de").pack())

    assert (alert.text, alert.show_alert) == (STALE, True)


@pytest.mark.parametrize("command", ["/annuller", "/cancel"])
async def test_cancel_with_nothing_to_cancel(chat: ChatHarness, command: str) -> None:
    assert only(await chat.send(OUTSIDER, command)).text == (
        "Der er ikke noget at annullere. Skriv /hjaelp for at se, hvad du kan."
    )


async def test_cancel_leaves_a_dialog(chat: ChatHarness) -> None:
    await chat.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget")

    assert only(await chat.send(ADMIN, "/cancel")).text == (
        "Annulleret. Intet fra dialogen er gemt."
    )
    assert only(await chat.send(ADMIN, "/annuller")).text == (
        "Der er ikke noget at annullere. Skriv /hjaelp for at se, hvad du kan."
    )


@pytest.mark.parametrize("user", [ADMIN, SECRETARY, MEMBER, OUTSIDER])
async def test_unknown_command_and_free_text(beu_committee: ChatHarness, user: TgUser) -> None:
    chat = beu_committee

    assert only(await chat.send(user, "/slet_alt")).text == (
        "Den kommando kender jeg ikke. Skriv /hjaelp for at se, hvad du kan."
    )
    assert only(await chat.send(user, "hej bot")).text == (
        "Jeg forstår kun kommandoer og knapper. Skriv /hjaelp for at se, hvad du kan."
    )


async def test_unknown_command_in_a_dialog_keeps_the_dialog(chat: ChatHarness) -> None:
    await chat.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget")

    assert only(await chat.send(ADMIN, "/slet_alt")).text == (
        "Den kommando kender jeg ikke. Skriv /hjaelp for at se, hvad du kan."
    )
    reply = only(await chat.send(ADMIN, "Social- og Sundhedsforvaltningen"))
    assert reply.text is not None and reply.text.startswith("Udvalget Beskæftigelsesudvalget")


async def test_button_of_unknown_kind_is_stale(chat: ChatHarness) -> None:
    message = only(await chat.send(OUTSIDER, "/start"))

    [alert] = await chat.press(OUTSIDER, message, "zz:nothing")

    assert (alert.method, alert.text, alert.show_alert) == ("answerCallbackQuery", STALE, True)


# -- the catalogue of this area --------------------------------------------------------------

AREA_FILES = ("committees", "invites", "meetings")
HANDLERS = Path(__file__).parents[2] / "handlers"


def _msgids(locale: str, name: str) -> dict[str, str]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / f"{name}.po").open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


@pytest.mark.parametrize("name", AREA_FILES)
def test_danish_and_english_have_the_same_keys_and_placeholders(name: str) -> None:
    da, en = _msgids("da", name), _msgids("en", name)

    assert set(da) == set(en)
    for key, text in da.items():
        assert text and en[key], key
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", en[key])), key


@pytest.mark.parametrize("module", [*AREA_FILES, "start", "language", "cancel", "fallback"])
@pytest.mark.parametrize("locale", ["da", "en"])
def test_every_key_used_by_the_handlers_exists(module: str, locale: str) -> None:
    source = (HANDLERS / f"{module}.py").read_text(encoding="utf-8")
    keys = set(re.findall(r"""\bt\(\s*["']([a-z0-9-]+)["']""", source))
    keys |= set(
        re.findall(r"""(?:Invalid\w*|NotAllowed|NotFound)\(\s*["']([a-z0-9-]+)["']""", source)
    )
    catalog = load_catalog(locale)

    assert keys, module
    missing = sorted(k for k in keys if not catalog.get(k) or not catalog.get(k).string)
    assert missing == []
