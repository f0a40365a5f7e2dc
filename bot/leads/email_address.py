"""Whether a text looks like an e-mail address a cluster can write to.

Pragmatic, not full RFC 5322: one `local@domain.tld`, dot-atom local part (UTF-8
letters allowed, RFC 6531), a DNS domain whose labels may be internationalised
(`müller.de`). Quoted local parts, comments and IP literals are refused: SMEs don't
type them, and typos that look like them are far more common. The form and the
qualification share this one check, so they cannot disagree.
"""

from __future__ import annotations

import re

MAX_ADDRESS_LENGTH = 254  # RFC 5321 path limit minus the angle brackets
MAX_LOCAL_LENGTH = 64
MAX_DOMAIN_LENGTH = 253
MAX_LABEL_LENGTH = 63

# Any character except whitespace, controls and the RFC 5322 specials; ASCII or not.
_ATOM = r"[^\s\x00-\x1f\x7f@\"(),:;<>\[\]\\.]+"
_LOCAL = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$")
_ASCII_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_TOP_LEVEL = re.compile(r"^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")


def is_valid_email(text: str | None) -> bool:
    """True when `text` is, as it stands, one plausible address (callers strip user input)."""
    if not isinstance(text, str) or not text or len(text) > MAX_ADDRESS_LENGTH:
        return False
    if any(character.isspace() for character in text) or text.count("@") != 1:
        return False
    local, domain = text.split("@")
    if not local or len(local.encode("utf-8")) > MAX_LOCAL_LENGTH or not _LOCAL.match(local):
        return False
    return _is_valid_domain(domain)


def _is_valid_domain(domain: str) -> bool:
    labels = domain.split(".")
    if len(labels) < 2:
        return False
    ascii_labels = [_ascii_label(label) for label in labels]
    if any(label is None for label in ascii_labels):
        return False
    if len(".".join(ascii_labels)) > MAX_DOMAIN_LENGTH:  # type: ignore[arg-type]
        return False
    return bool(_TOP_LEVEL.match(ascii_labels[-1]))  # type: ignore[arg-type]


def _ascii_label(label: str) -> str | None:
    """The label as sent over DNS (punycode for IDN), or None when it cannot be one."""
    if not label.isascii():
        try:
            label = label.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if len(label) > MAX_LABEL_LENGTH or not _ASCII_LABEL.match(label):
        return None
    return label
