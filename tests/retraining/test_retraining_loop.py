"""The whole retraining loop on a small assistant: real Rasa server, real portal, real Chromium.

A Bavarian goodbye the model never saw is misunderstood; an admin finds it among the
unrecognised messages, labels it, retrains, compares and activates the new model on
the running server, which then understands it, and the conversation that was going on
simply continues. The command-line tools take the same steps.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Iterator

import httpx
import pytest
import yaml
from sqlalchemy.orm import sessionmaker

from bot.config import PROJECT_ROOT
from bot.database import build_engine
from bot.portal.accounts import create_user
from tests.browser import chromium, screenshot_folder
from tests.portal_server import serve_portal
from tests.retraining.conftest import LOW_CONFIDENCE, SmallAssistant

ADMIN, PASSWORD = "admin@s3martmed.example", "a long enough password"
UNKNOWN_GOODBYE = "pfiat di"  # Bavarian; the small model knows only standard German and takes it for a greeting
SENDER = "sme-retraining"


@pytest.fixture(scope="module")
def portal(small_assistant: SmallAssistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    engine = build_engine(small_assistant.database_url)
    with sessionmaker(engine, future=True)() as session:
        create_user(session, email=ADMIN, name="Ada Admin", password=PASSWORD, cluster=None)
        session.commit()
    engine.dispose()
    env = dict(small_assistant.env)
    with serve_portal(env, tmp_path_factory.mktemp("portal") / "portal.log") as url:
        yield url


def cli(small_assistant: SmallAssistant, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.retraining", *args], cwd=PROJECT_ROOT,
                          env=small_assistant.env, capture_output=True, text=True, timeout=600)


def user_examples(small_assistant: SmallAssistant, language: str) -> dict[str, str]:
    content = yaml.safe_load(small_assistant.workspace.user_examples(language).read_text(encoding="utf-8"))
    return {block["intent"]: block["examples"] for block in content["nlu"]}


def test_the_command_line_lists_and_labels_an_unrecognised_message(small_assistant: SmallAssistant) -> None:
    small_assistant.say("sme-cli", "hello")
    small_assistant.say("sme-cli", "grüezi mitenand, my mail is urs.meier@medtech.ch")
    listing = cli(small_assistant, "unrecognised")
    assert listing.returncode == 0, listing.stderr
    line = next(line for line in listing.stdout.splitlines() if "grüezi mitenand" in line)
    assert "hello" not in listing.stdout  # understood, so not listed

    labelled = cli(small_assistant, "annotate", line.split()[0], "greet")
    assert labelled.returncode == 0, labelled.stderr
    examples = user_examples(small_assistant, "en")["greet"]
    assert "grüezi mitenand, my mail is name@example.com" in examples
    assert "urs.meier" not in small_assistant.workspace.user_examples("en").read_text(encoding="utf-8")
    assert "grüezi" not in cli(small_assistant, "unrecognised").stdout  # judged: off the list

    refused = cli(small_assistant, "annotate", line.split()[0], "no_such_intent")
    assert refused.returncode == 2


def test_an_admin_fixes_a_misunderstood_message_and_activates_the_new_model(
    small_assistant: SmallAssistant, portal: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from playwright.sync_api import expect

    small_assistant.say(SENDER, "hallo")
    assert small_assistant.say(SENDER, UNKNOWN_GOODBYE)[0]["text"] != "Goodbye!"
    before = small_assistant.parse(UNKNOWN_GOODBYE)["intent"]
    assert before["name"] != "goodbye" or before["confidence"] < LOW_CONFIDENCE
    screenshots = screenshot_folder(tmp_path_factory.mktemp("screenshots"))

    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB").new_page()
        page.goto(f"{portal}/retraining")
        page.get_by_label("E-mail").fill(ADMIN)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()

        row = page.locator("table.unrecognised tr", has_text=UNKNOWN_GOODBYE)
        expect(row).to_have_count(1)
        expect(page.locator("table.unrecognised")).not_to_contain_text("hallo")
        row.get_by_label("Right intent").select_option("goodbye")
        row.get_by_label("Language").select_option("de")
        page.screenshot(path=str(screenshots / "portal-unrecognised.png"), full_page=True)
        row.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("the message is a training example now")
        expect(page.locator("table.unrecognised tr", has_text=UNKNOWN_GOODBYE)).to_have_count(0)
        assert UNKNOWN_GOODBYE in user_examples(small_assistant, "de")["goodbye"]

        page.get_by_role("link", name="Retrain and activate").click()
        page.get_by_role("button", name="Start retraining").click()
        expect(page.locator("#current-run progress")).to_be_visible()  # progress while it trains
        page.locator("section.run .status", has_text="ready to activate").wait_for(timeout=600_000)
        page.screenshot(path=str(screenshots / "portal-retrain.png"), full_page=True)

        german = page.locator("table.comparison tr", has_text="German")
        active, candidate = (float(cell.split("%")[0]) for cell in german.locator("td").all_inner_texts()[2:4])
        assert candidate > active  # the held-out "pfiat eich" is understood now
        override = page.get_by_label("Activate anyway (override)")
        if page.locator("tr.worse").count():
            override.check()  # the page insists on the override when some language got worse
        else:
            expect(override).to_have_count(0)
        page.get_by_role("button", name="Activate on the running assistant").click()
        expect(page.get_by_role("status")).to_contain_text("The new model is active", timeout=300_000)

    status = httpx.get(f"{small_assistant.rasa_url}/status", timeout=10).json()
    assert status["model_file"].endswith(".tar.gz") and small_assistant.process.poll() is None  # no restart
    after = small_assistant.parse(UNKNOWN_GOODBYE)["intent"]
    assert after["name"] == "goodbye" and after["confidence"] >= LOW_CONFIDENCE
    assert small_assistant.say(SENDER, UNKNOWN_GOODBYE)[0]["text"] == "Goodbye!"
    tracker = httpx.get(f"{small_assistant.rasa_url}/conversations/{SENDER}/tracker", timeout=10).json()
    said = [event["text"] for event in tracker["events"] if event["event"] == "user"]
    assert said == ["hallo", UNKNOWN_GOODBYE, UNKNOWN_GOODBYE]  # the conversation went on
