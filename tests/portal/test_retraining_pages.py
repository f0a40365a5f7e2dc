"""The retraining pages' access rules and the conversation page behind an unrecognised message."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.portal.conftest import add_events


@pytest.mark.parametrize("path", ["/retraining", "/retraining/runs", "/retraining/conversations/conv-1"])
def test_staff_may_not_open_the_retraining_pages(staff_browser: TestClient, path: str) -> None:
    response = staff_browser.get(path)
    assert response.status_code == 403
    assert "Only admins may open this page." in response.text


def test_an_admin_reads_the_conversation_of_an_unrecognised_message(admin_browser: TestClient, engine: Engine) -> None:
    add_events(engine, "conv-unrecognised", [("user", "pfiat di <b>beinand</b>"), ("bot", "Hello!")])
    page = admin_browser.get("/retraining/conversations/conv-unrecognised")
    assert page.status_code == 200
    assert "pfiat di &lt;b&gt;beinand&lt;/b&gt;" in page.text and "Hello!" in page.text
    assert admin_browser.get("/retraining/conversations/no-such-conversation").status_code == 404


def test_the_retraining_pages_open_for_an_admin_with_nothing_pending(admin_browser: TestClient) -> None:
    page = admin_browser.get("/retraining")
    assert page.status_code == 200 and "No unrecognised messages in this period." in page.text
    runs = admin_browser.get("/retraining/runs")
    assert runs.status_code == 200 and "Start retraining" in runs.text
