"""The running Rasa server, through its HTTP API: which model is active, parse, replace the model.

`PUT /model` loads the new model while the old one keeps answering, then swaps them:
conversations go on without a restart. With several Rasa processes behind one address
(docs/production.md), each must be sent the new model; `S3M_RASA_URL` names one.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from bot.config import Settings
from bot.log_redaction import hide_in_logs, redact
from bot.retraining.evaluation import label_of

LOAD_TIMEOUT_SECONDS = 600.0  # loading a full model takes one to three minutes on 2 cores


class RasaServerError(RuntimeError):
    """The Rasa server could not be reached or refused the request."""


class RasaServer:
    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url.rstrip("/")
        self._params = {"token": token} if token else {}
        hide_in_logs(token)  # it travels in the query string, which httpx logs and quotes in errors

    @classmethod
    def from_settings(cls, settings: Settings) -> RasaServer:
        return cls(settings.rasa_url, settings.rasa_token)

    def _request(self, method: str, path: str, timeout: float = 30.0, **kwargs) -> httpx.Response:
        try:
            response = httpx.request(method, self.url + path, params=self._params, timeout=timeout, **kwargs)
        except httpx.HTTPError as error:
            raise RasaServerError(redact(f"Rasa server at {self.url} unreachable: {error}")) from error
        if response.status_code >= 400:
            raise RasaServerError(f"Rasa server answered {response.status_code} to {method} {path}: "
                                  f"{response.text[:300]}")
        return response

    def active_model(self) -> str:
        """File name of the model the server answers with."""
        return Path(self._request("GET", "/status").json().get("model_file") or "").name

    def parse(self, tests: dict[str, list[str]]) -> dict[str, list[str]]:
        """Labels the active model gives to each text, per language (as `evaluation.evaluate` wants)."""
        with httpx.Client(base_url=self.url, params=self._params, timeout=30.0) as client:
            try:
                return {
                    language: [label_of(client.post("/model/parse", json={"text": text}).raise_for_status().json())
                               for text in texts]
                    for language, texts in tests.items()
                }
            except httpx.HTTPError as error:
                raise RasaServerError(redact(f"parsing on the Rasa server at {self.url} failed: {error}")) from error

    def replace_model(self, model: Path) -> None:
        """Make the server answer with `model` (a file it can read); returns once it does."""
        self._request("PUT", "/model", timeout=LOAD_TIMEOUT_SECONDS, json={"model_file": str(model.resolve())})
