"""Every consent record names the notice version it was given to: changing the notice's
text in any language must come with a new version in catalogue/privacy.yml."""

from __future__ import annotations

import hashlib
import json

import yaml

from bot.config import PROJECT_ROOT


def test_privacy_notice_version_follows_its_text(domain):
    texts = [variation["text"] for variation in domain["responses"]["utter_ask_consent"]]
    digest = hashlib.sha256(json.dumps(texts, ensure_ascii=False).encode()).hexdigest()
    recorded = yaml.safe_load((PROJECT_ROOT / "catalogue" / "privacy.yml").read_text())
    assert recorded["notice_sha256"] == digest, (
        f"utter_ask_consent changed: raise notice_version and set notice_sha256: {digest}")
