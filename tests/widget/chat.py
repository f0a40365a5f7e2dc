"""The chat widget as a test sees it in the browser: roles and names, as a user would find them."""

from __future__ import annotations

import json
from functools import lru_cache

from playwright.sync_api import Locator, Page, expect

from bot.config import PROJECT_ROOT

SESSION_ID_JS = """() => {
  const key = Object.keys(localStorage).find((k) => k.startsWith("s3martmed-chat:session:"));
  return key ? localStorage.getItem(key) : null;
}"""


@lru_cache(maxsize=1)
def ui_strings() -> dict[str, dict[str, str]]:
    """The widget's own texts per language (widget/src/i18n.json)."""
    return json.loads((PROJECT_ROOT / "widget" / "src" / "i18n.json").read_text(encoding="utf-8"))


class Chat:
    """One page with the widget on it, in the UI language `language`."""

    def __init__(self, page: Page, language: str = "en") -> None:
        self.page = page
        self.strings = ui_strings()[language]

    @property
    def launcher(self) -> Locator:
        return self.page.get_by_role("button", name=self.strings["launcher"])

    @property
    def input(self) -> Locator:
        return self.page.get_by_role("textbox", name=self.strings["input"])

    @property
    def send_button(self) -> Locator:
        return self.page.get_by_role("button", name=self.strings["send"], exact=True)

    @property
    def close_button(self) -> Locator:
        return self.page.get_by_role("button", name=self.strings["close"], exact=True)

    @property
    def log(self) -> Locator:
        return self.page.get_by_role("log")

    @property
    def bot_messages(self) -> Locator:
        return self.log.locator(".from-bot .bubble")

    @property
    def user_messages(self) -> Locator:
        return self.log.locator(".from-user .bubble")

    def button(self, title: str) -> Locator:
        return self.log.get_by_role("button", name=title, exact=True)

    def texts(self, messages: Locator) -> list[str]:
        """Visible texts of the messages, without the screen-reader prefix ("You: ")."""
        return messages.evaluate_all(
            "els => els.map((el) => Array.from(el.childNodes).slice(1).map((n) => n.textContent).join(''))")

    def open(self) -> str:
        """Open the panel and wait for the session; returns the session id (the conversation is
        `widget-<session id>`)."""
        if self.launcher.get_attribute("aria-expanded") != "true":
            self.launcher.click()
        expect(self.input).to_be_focused()
        self.page.wait_for_function(SESSION_ID_JS)
        return self.session_id()

    def session_id(self) -> str | None:
        return self.page.evaluate(SESSION_ID_JS)

    def say(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.user_messages.last).to_have_text(f"{self.strings['you']}: {text}")

    def focused(self) -> dict[str, str | None]:
        """The element focused inside the widget (its shadow root), or the page's."""
        return self.page.evaluate("""() => {
          const host = document.getElementById("s3martmed-chat");
          const el = (host && host.shadowRoot.activeElement) || document.activeElement;
          return {tag: el.tagName.toLowerCase(), id: el.id || null, text: el.textContent.trim(),
                  outline: getComputedStyle(el).outlineStyle, inWidget: el.getRootNode() !== document};
        }""")
