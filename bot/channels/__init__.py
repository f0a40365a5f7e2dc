"""Input channels of the Rasa server, registered by dotted path in `credentials.yml`.

`bot.channels.telegram` connects the assistant to Telegram with python-telegram-bot;
the other modules here are its small, separately tested helpers.
"""

__all__ = ["telegram"]
