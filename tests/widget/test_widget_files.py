"""The widget's routes in the portal and the files they rely on (no browser needed)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from bot.config import PROJECT_ROOT
from bot.definitions import LANGUAGES
from bot.portal import widget_routes
from tests.widget.conftest import widget_app
from tests.widget.scripted_rasa import socketio_entry

WIDGET_SOURCE = PROJECT_ROOT / "widget" / "src" / "widget.js"


@pytest.fixture
def client() -> TestClient:
    return TestClient(widget_app(rasa_port=5999), base_url="http://portal.example:8000")


def test_the_ui_texts_exist_in_every_language_with_the_same_keys() -> None:
    strings = json.loads((PROJECT_ROOT / "widget" / "src" / "i18n.json").read_text(encoding="utf-8"))
    assert sorted(strings) == sorted(LANGUAGES)
    for language, texts in strings.items():
        assert texts.keys() == strings["en"].keys(), language
        assert all(value.strip() for value in texts.values()), language


def test_the_widget_speaks_the_socketio_channel_as_credentials_yml_configures_it() -> None:
    key, socketio = socketio_entry()
    assert key == "bot.channels.socketio.SocketIOInput"  # Rasa's, with session_request fixed
    assert socketio["session_persistence"] is True  # the session id names the conversation
    source = WIDGET_SOURCE.read_text(encoding="utf-8")
    assert f'USER_EVENT = "{socketio["user_message_evt"]}"' in source
    assert f'BOT_EVENT = "{socketio["bot_message_evt"]}"' in source
    assert socketio.get("socketio_path", "/socket.io") == "/socket.io"


def test_the_widget_never_parses_html() -> None:
    for path in (PROJECT_ROOT / "widget" / "src").glob("*.js"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", source), path.name


def test_the_script_is_served_from_the_portal(client: TestClient) -> None:
    if not (widget_routes.ASSET_DIR / widget_routes.SCRIPT_NAME).is_file():
        pytest.fail("The chat widget is not built: run `make widget`.", pytrace=False)
    response = client.get("/widget/s3martmed-chat.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["access-control-allow-origin"] == "*"
    assert "S3martMedChat" in response.text and "session_request" in response.text


@pytest.mark.parametrize("name", ["other.js", "..%2Fapp.py", "s3martmed-chat.js.map"])
def test_only_the_built_script_is_served(client: TestClient, name: str) -> None:
    assert client.get(f"/widget/{name}").status_code == 404


def test_the_demo_page_embeds_the_widget_in_the_chosen_language(client: TestClient) -> None:
    page = client.get("/demo", params={"lang": "de", "cluster": "biowin"}).text
    assert '<html lang="de">' in page
    assert re.search(
        r'<script src="http://portal.example:8000/widget/s3martmed-chat.js" data-server="http://portal.example:5999"'
        r'\s+data-language="de"\s+data-cluster="biowin"></script>', page)
    assert 'href="?lang=fr&amp;cluster=biowin"' in page and 'aria-current="page">Deutsch' in page
    assert "&lt;script src=" in page  # the snippet to copy is shown, not run


def test_the_demo_page_falls_back_to_english_and_ignores_unknown_clusters(client: TestClient) -> None:
    page = client.get("/demo", params={"lang": "xx", "cluster": "<script>"}).text
    assert '<html lang="en">' in page and 'data-language="en"' in page
    assert "data-cluster" not in page and "<script>" not in page.split("<body>")[1].split("<script src=")[0]
