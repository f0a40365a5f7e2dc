"""Personal data taken out of a user's message before it becomes a training example.

Training data is committed and shared; an SME's e-mail address or phone number must not
be. Each is replaced by a neutral stand-in of the same kind, so that the example still
teaches the model what such a message looks like.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Seven or more digits, possibly with spaces, dots, dashes, slashes or a leading +: phone numbers,
# but also tax and bank account numbers. Years and head counts are shorter and stay.
PHONE_LIKE = re.compile(r"(?<![\w@])\+?\d(?:[\s./-]?\(?\d\)?){6,}(?!\w)")
URL_QUERY = re.compile(r"(https?://[^\s?#]+)[?#]\S*")

EMAIL_STAND_IN = "name@example.com"
NUMBER_STAND_IN = "+00 000 000 000"


def mask_personal_data(text: str) -> str:
    """The text with e-mail addresses, phone-like numbers and URL query strings replaced."""
    text = EMAIL.sub(EMAIL_STAND_IN, text)
    text = PHONE_LIKE.sub(NUMBER_STAND_IN, text)
    return URL_QUERY.sub(r"\1", text)
