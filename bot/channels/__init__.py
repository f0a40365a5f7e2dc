"""Input channels of the Rasa server, registered by dotted path in `credentials.yml`.

One module per channel (`telegram`: Telegram on python-telegram-bot; `socketio`: the
website widget's Socket.IO channel). The other modules are the Telegram channel's small,
separately tested helpers.
"""

__all__ = ["socketio", "telegram"]
