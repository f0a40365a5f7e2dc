"""Input channels of the Rasa server, registered by dotted path in `credentials.yml`.

One module per channel (`rest`: the contract's REST endpoint; `telegram`: Telegram on
python-telegram-bot; `socketio`: the website widget's Socket.IO channel). The other modules are the Telegram channel's small,
separately tested helpers.
"""

from bot import action_result_check

# Every Rasa server loads its channels from here, so this is where our fix of Rasa's
# per-message cost is installed (bot/action_result_check.py).
action_result_check.install()

__all__ = ["rest", "socketio", "telegram"]
