"""Whole registrations held through the chat widget in chromium, against the real assistant.

The demo page is the portal's (`/demo`) when the running portal serves the widget's
routes, else the same router in a local app; either way the widget talks to the
assistant's Rasa server over Socket.IO. Each turn waits until Rasa has handled the
message (its tracker) and the widget shows the last reply, then checks which question
the form asks next, like tests/test_registration.py does over REST. The lead is then
read from the lead API under the conversation id, `widget-<session id>`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from bot.conversation_ids import WIDGET, conversation_id
from bot.portal.widget_routes import SCRIPT_NAME
from tests.widget.chat import Chat
from tests.widget.conftest import DESKTOP, PHONE, ThreadedServer, widget_app

pytestmark = pytest.mark.model


@dataclass(frozen=True)
class Click:
    """A step that clicks the button with this title instead of typing."""

    title: str


REGISTRATIONS = {
    "en": [
        ("Hello", None),
        ("We would like to register our company for S3martMed", "consent"),
        (Click("Yes, I agree"), "company_name"),
        ("Medisens", "contact_name"),
        ("Claire Martin", "email"),
        ("claire.martin@medisens.fr", "country"),
        ("Lyon", "employees"),
        ("about forty", "sector"),
        (Click("Medical devices"), "interests"),
        ("partners and financing", "target_regions"),
        ("Piedmont and Wallonia", "registration_confirmed"),
        ("yes", None),
    ],
    "de": [
        ("Hallo", None),
        ("Guten Tag, wir möchten unser Unternehmen anmelden", "consent"),
        (Click("Ja, ich bin einverstanden"), "company_name"),
        ("Alpenmed GmbH", "contact_name"),
        ("Julia Hartmann", "email"),
        ("j.hartmann@alpenmed.de", "country"),
        ("Tübingen", "employees"),
        ("rund 40", "sector"),
        (Click("Diagnostik"), "interests"),
        ("ein Technologiezentrum", "target_regions"),
        (Click("Keine Präferenz"), "registration_confirmed"),  # the button's payload is /deny
        (Click("Ja, speichern"), None),
    ],
}


@pytest.fixture(scope="module")
def assistant_site(chromium_path: Path, assistant) -> Iterator[str]:
    """Base URL of a demo page whose widget talks to the running assistant."""
    try:
        response = httpx.get(f"{assistant.portal_url}/demo", timeout=10)
        served = response.status_code == 200 and SCRIPT_NAME in response.text
    except httpx.HTTPError:
        served = False
    if served:
        yield assistant.portal_url
        return
    rasa_port = int(assistant.rasa_url.rsplit(":", 1)[1])
    with ThreadedServer(widget_app(rasa_port)) as server:
        yield server.url


def user_turns(tracker: dict) -> int:
    return sum(1 for event in tracker["events"] if event["event"] == "user")


def turn(chat: Chat, assistant, sender: str, step: str | Click, timeout: float = 120) -> dict:
    """Send one message (typed or clicked), wait for Rasa and for the widget; returns the tracker."""
    before = user_turns(assistant.tracker(sender))
    if isinstance(step, Click):
        chat.button(step.title).click()
        expect(chat.user_messages.last).to_have_text(f"{chat.strings['you']}: {step.title}")
    else:
        chat.say(step)
    deadline = time.monotonic() + timeout
    while True:  # Rasa saves the tracker once the whole turn is over
        tracker = assistant.tracker(sender)
        if user_turns(tracker) > before and tracker["latest_action_name"] == "action_listen":
            break
        assert time.monotonic() < deadline, f"no answer to {step!r} within {timeout} s"
        time.sleep(0.3)
    last_reply = next(e["text"] for e in reversed(tracker["events"]) if e["event"] == "bot" and e.get("text"))
    expect(chat.bot_messages.last).to_contain_text(last_reply.strip().split("\n\n")[-1].strip(), timeout=15_000)
    return tracker


def converse(chat: Chat, assistant, sender: str, language: str, steps, on_step=None) -> None:
    for index, (step, expected_slot) in enumerate(steps):
        tracker = turn(chat, assistant, sender, step)
        assert tracker["slots"].get("requested_slot") == expected_slot, (step, chat.texts(chat.bot_messages)[-3:])
        user = [event for event in tracker["events"] if event["event"] == "user"][-1]
        assert user["input_channel"] == "socketio"
        assert user["metadata"]["language"] == language  # the page's language, as the hint
        if on_step:
            on_step(index, step)


def screenshot(page: Page, directory: Path, name: str, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    page.mouse.move(1, 1)  # no hover effect where the last click was
    page.get_by_role("log").evaluate("(log) => { log.scrollTop = log.scrollHeight; }")
    page.wait_for_timeout(200)
    page.screenshot(path=str(directory / f"widget-{name}.png"))


def test_english_registration_on_a_desktop(browser: Browser, assistant, assistant_site: str,
                                           screenshot_dir: Path) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{assistant_site}/demo?lang=en")
        chat = Chat(page, "en")
        sender = conversation_id(WIDGET, chat.open())

        def on_step(index: int, step: str | Click) -> None:
            if step == "about forty":  # the sector's buttons are on screen
                screenshot(page, screenshot_dir, "en-desktop", DESKTOP)
                screenshot(page, screenshot_dir, "en-phone", PHONE)
                page.set_viewport_size(DESKTOP)

        converse(chat, assistant, sender, "en", REGISTRATIONS["en"], on_step)
        expect(chat.button("Medical devices")).to_be_disabled()

        [lead] = assistant.leads_of(sender)
        assert lead["language"] == "en" and lead["qualified"] is True, lead["qualification_reasons"]
        assert (lead["company_name"], lead["contact_name"], lead["email"]) == (
            "Medisens", "Claire Martin", "claire.martin@medisens.fr")
        assert (lead["country"], lead["employees"], lead["sector"]) == ("FR", 40, "medical_devices")
        assert set(lead["interests"]) == {"partnering", "financing"}
        assert (lead["cluster"], lead["cc_clusters"]) == ("lyonbiopole", ["biopmed", "biowin"])
        assert "claire.martin@medisens.fr" in " ".join(chat.texts(chat.bot_messages)[-3:])

        # HTML typed by the user stays text, in its own bubble and in whatever the bot answers.
        typed = '<img src="x" onerror="window.__s3mInjected = 1"><b>thanks</b>'
        turn(chat, assistant, sender, typed)
        assert chat.texts(chat.user_messages)[-1] == typed
        assert chat.log.locator("img, b, script").count() == 0
        assert page.evaluate("window.__s3mInjected") is None
    finally:
        context.close()


def test_german_registration_on_a_phone_across_a_reload(browser: Browser, assistant, assistant_site: str,
                                                        screenshot_dir: Path) -> None:
    context = browser.new_context(viewport=PHONE, locale="de-DE", is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{assistant_site}/demo?lang=de&cluster=bioregio_stern")
        chat = Chat(page, "de")
        session = chat.open()
        sender = conversation_id(WIDGET, session)
        steps = REGISTRATIONS["de"]
        reload_after = 4  # after the company name: the rest of the form after a reload

        converse(chat, assistant, sender, "de", steps[:reload_after])
        shown = chat.texts(chat.bot_messages)
        page.reload()
        expect(chat.input).to_be_visible()
        assert chat.session_id() == session
        assert chat.texts(chat.bot_messages) == shown
        expect(chat.button("Ja, ich bin einverstanden")).to_be_disabled()

        def on_step(index: int, step: str | Click) -> None:
            if step == Click("Keine Präferenz"):  # the summary with its buttons
                screenshot(page, screenshot_dir, "de-phone", PHONE)
                screenshot(page, screenshot_dir, "de-desktop", DESKTOP)
                page.set_viewport_size(PHONE)

        converse(chat, assistant, sender, "de", steps[reload_after:], on_step)
        tracker = assistant.tracker(sender)
        metadata = [e["metadata"] for e in tracker["events"] if e["event"] == "user"]
        hints = {(m.get("language"), m.get("preferred_cluster")) for m in metadata}  # Rasa adds model_id etc.
        assert hints == {("de", "bioregio_stern")}, metadata

        [lead] = assistant.leads_of(sender)
        assert lead["language"] == "de" and lead["qualified"] is True, lead["qualification_reasons"]
        assert (lead["company_name"], lead["email"]) == ("Alpenmed GmbH", "j.hartmann@alpenmed.de")
        assert (lead["country"], lead["employees"], lead["sector"]) == ("DE", 40, "diagnostics")
        assert set(lead["interests"]) == {"technology_centre"} and lead["target_regions"] == []
        assert (lead["cluster"], lead["cc_clusters"]) == ("bioregio_stern", [])
    finally:
        context.close()
