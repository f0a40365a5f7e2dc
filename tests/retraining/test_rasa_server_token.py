"""The token of Rasa's HTTP API travels in the query string: it must not travel on into
error messages (stored with a training run, shown to admins) or log lines."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.retraining.rasa_server import RasaServer, RasaServerError

TOKEN = "rasa-api-token-7f3a9c"


class Refusing(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        self.send_response(500)
        self.end_headers()

    do_GET = do_PUT = do_POST  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def refusing_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_failed_parse_names_no_token(refusing_server, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RasaServerError) as failure:
        RasaServer(refusing_server, TOKEN).parse({"en": ["hello"]})
    assert "500" in str(failure.value) and TOKEN not in str(failure.value)
    assert "/model/parse" in caplog.text and TOKEN not in caplog.text


def test_a_failed_model_replacement_names_no_token(refusing_server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RasaServerError) as failure:
        RasaServer(refusing_server, TOKEN).replace_model(tmp_path / "model.tar.gz")
    assert TOKEN not in str(failure.value) and TOKEN not in caplog.text
