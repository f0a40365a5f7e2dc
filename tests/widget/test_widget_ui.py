"""The chat widget in chromium, against Rasa's real Socket.IO channel with a scripted bot.

The scripted bot (scripted_rasa.py) answers "You said: ...", or with buttons, HTML or two
paragraphs when asked: these tests cover what the widget does with each, in seconds and
without the trained model. tests/widget/test_widget_registration.py holds whole
conversations with the real assistant.
"""

from __future__ import annotations

from typing import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.widget.chat import Chat, ui_strings
from tests.widget.conftest import DESKTOP, PHONE, ScriptedRasa, ThreadedServer
from tests.widget.scripted_rasa import HTML_REPLY


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def demo(page: Page, site: str, language: str = "en", query: str = "") -> Chat:
    page.goto(f"{site}/demo?lang={language}{query}")
    return Chat(page, language)


@pytest.mark.parametrize("language", ["en", "de", "fr", "it", "pl"])
def test_ui_texts_follow_the_page_language_and_the_hint_goes_with_each_message(
    page: Page, scripted_site: str, scripted_rasa: ScriptedRasa, language: str
) -> None:
    chat = demo(page, scripted_site, language, "&cluster=biowin")
    strings = ui_strings()[language]
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")
    session = chat.open()
    expect(chat.launcher).to_have_attribute("aria-expanded", "true")
    expect(chat.send_button).to_be_visible()
    expect(chat.close_button).to_be_visible()
    expect(page.get_by_role("dialog", name=strings["title"])).to_be_visible()
    assert page.locator("#s3martmed-chat .widget").get_attribute("lang") == language

    chat.say("hello there")
    expect(chat.bot_messages.last).to_have_text(f"{strings['bot']}: You said: hello there")
    [message] = scripted_rasa.received_from(session)
    assert message["text"] == "hello there"
    assert message["metadata"] == {"language": language, "preferred_cluster": "biowin"}


def test_buttons_send_their_payload_show_their_title_and_are_then_disabled(
    page: Page, scripted_site: str, scripted_rasa: ScriptedRasa
) -> None:
    chat = demo(page, scripted_site)
    session = chat.open()
    chat.say("show me buttons")
    yes, no = chat.button("Yes please"), chat.button("No thanks")
    expect(yes).to_be_enabled()
    expect(no).to_be_enabled()
    yes.click()

    expect(chat.user_messages.last).to_have_text("You: Yes please")
    expect(chat.bot_messages.last).to_have_text("Assistant: You said: /affirm")
    expect(yes).to_be_disabled()
    expect(no).to_be_disabled()
    expect(chat.input).to_be_focused()
    assert [m["text"] for m in scripted_rasa.received_from(session)] == ["show me buttons", "/affirm"]

    page.reload()  # still answered after a reload
    expect(chat.button("Yes please")).to_be_disabled()


def test_typing_instead_of_clicking_retires_the_buttons(page: Page, scripted_site: str) -> None:
    chat = demo(page, scripted_site)
    chat.open()
    chat.say("buttons again")
    expect(chat.button("No thanks")).to_be_enabled()
    chat.say("something else")
    expect(chat.button("No thanks")).to_be_disabled()


def test_html_in_messages_stays_inert_text(page: Page, scripted_site: str) -> None:
    chat = demo(page, scripted_site)
    chat.open()
    typed = '<b>html</b> <img src="x" onerror="window.__s3mInjected = 3">'
    chat.say(typed)
    expect(chat.bot_messages.last).to_have_text(f"Assistant: {HTML_REPLY}")
    assert chat.texts(chat.user_messages)[-1] == typed
    assert chat.log.locator("img, b, script").count() == 0
    page.wait_for_timeout(300)  # an onerror handler would have run by now
    assert page.evaluate("window.__s3mInjected") is None


def test_paragraphs_become_messages_and_addresses_links(page: Page, scripted_site: str) -> None:
    chat = demo(page, scripted_site)
    chat.open()
    chat.say("two paragraphs please")
    expect(chat.bot_messages).to_have_count(2)
    assert chat.texts(chat.bot_messages) == ["First paragraph.", "Second paragraph, see https://example.org/s3m."]
    link = chat.bot_messages.last.get_by_role("link")
    expect(link).to_have_attribute("href", "https://example.org/s3m")
    expect(link).to_have_attribute("rel", "noopener noreferrer")


def test_a_reload_keeps_the_session_and_shows_this_tab_s_messages(
    page: Page, scripted_site: str, scripted_rasa: ScriptedRasa
) -> None:
    chat = demo(page, scripted_site)
    session = chat.open()
    chat.say("before the reload")
    expect(chat.bot_messages.last).to_contain_text("before the reload")

    page.reload()
    expect(chat.input).to_be_visible()  # still open, without taking the focus
    assert chat.texts(chat.user_messages) == ["before the reload"]
    assert chat.texts(chat.bot_messages) == ["You said: before the reload"]
    chat.say("after the reload")
    expect(chat.bot_messages.last).to_have_text("Assistant: You said: after the reload")
    assert chat.session_id() == session
    assert [m["text"] for m in scripted_rasa.received_from(session)] == ["before the reload", "after the reload"]

    other_tab = page.context.new_page()  # same browser: same session, but its own transcript
    other = demo(other_tab, scripted_site)
    assert other.open() == session
    expect(other.user_messages).to_have_count(0)


def test_keyboard_only_open_send_choose_and_close(
    page: Page, scripted_site: str, scripted_rasa: ScriptedRasa
) -> None:
    chat = demo(page, scripted_site)
    for _ in range(12):  # past the demo page's language links to the launcher
        page.keyboard.press("Tab")
        if chat.focused()["inWidget"]:
            break
    focused = chat.focused()
    assert focused["text"] == "Chat with us" and focused["outline"] != "none", focused  # visible focus

    page.keyboard.press("Enter")
    expect(chat.input).to_be_focused()
    page.keyboard.type("typed with the keyboard")
    page.keyboard.press("Enter")
    expect(chat.bot_messages.last).to_have_text("Assistant: You said: typed with the keyboard")

    page.keyboard.type("buttons, please")
    page.keyboard.press("Enter")
    expect(chat.button("No thanks")).to_be_visible()
    page.keyboard.press("Shift+Tab")  # input -> last button
    page.keyboard.press("Shift+Tab")
    assert chat.focused()["text"] == "Yes please"
    page.keyboard.press("Space")
    expect(chat.user_messages.last).to_have_text("You: Yes please")
    expect(chat.input).to_be_focused()

    page.keyboard.press("Escape")
    expect(chat.input).to_be_hidden()
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")
    expect(chat.launcher).to_be_focused()
    session = chat.session_id()
    assert [m["text"] for m in scripted_rasa.received_from(session)][-1] == "/affirm"


def test_the_close_button_closes_and_returns_the_focus(page: Page, scripted_site: str) -> None:
    chat = demo(page, scripted_site)
    chat.open()
    chat.close_button.click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(chat.launcher).to_be_focused()


def test_on_a_phone_the_open_chat_fills_the_screen(browser: Browser, scripted_site: str) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-GB", has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        chat = demo(page, scripted_site)
        chat.open()
        box = page.get_by_role("dialog").bounding_box()
        assert box == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}
        expect(chat.launcher).to_be_hidden()  # under the panel: the close button closes
        chat.say("small screen")
        expect(chat.bot_messages.last).to_contain_text("small screen")
        chat.close_button.click()
        expect(chat.launcher).to_be_visible()
    finally:
        context.close()


def test_on_a_desktop_the_panel_sits_above_the_launcher(page: Page, scripted_site: str) -> None:
    chat = demo(page, scripted_site)
    chat.open()
    panel, launcher = page.get_by_role("dialog").bounding_box(), chat.launcher.bounding_box()
    assert panel["width"] == 380 and panel["y"] + panel["height"] <= launcher["y"]


def test_without_data_language_the_page_or_browser_language_is_used(
    browser: Browser, scripted_site: str, scripted_rasa: ScriptedRasa
) -> None:
    """A page of another site (origin), with only `<html lang>`, or nothing: the browser's language."""
    script = f'<script src="{scripted_site}/widget/s3martmed-chat.js" data-server="{scripted_rasa.url}"></script>'
    pages = {
        "it": f'<!doctype html><html lang="it-IT"><body><p>Ciao</p>{script}</body></html>',
        "none": f"<!doctype html><html><body><p>?</p>{script}</body></html>",
    }
    other_site = FastAPI()
    other_site.add_api_route("/{name}", lambda name: HTMLResponse(pages[name]))
    context = browser.new_context(viewport=DESKTOP, locale="pl-PL")
    with ThreadedServer(other_site) as server:
        try:
            for name, language in [("it", "it"), ("none", "pl")]:
                page = context.new_page()
                page.goto(f"http://localhost:{server.port}/{name}")  # not 127.0.0.1: another origin
                chat = Chat(page, language)
                session = chat.open()
                chat.say("ciao")
                expect(chat.bot_messages.last).to_contain_text("ciao")
                assert scripted_rasa.received_from(session)[-1]["metadata"] == {"language": language}
        finally:
            context.close()
