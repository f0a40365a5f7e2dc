"""Input channels of the Rasa server, registered by dotted path in `credentials.yml`.

One module per channel (`rest`: the contract's REST endpoint; `telegram`: Telegram on
python-telegram-bot; `socketio`: the website widget's Socket.IO channel). The other modules are the Telegram channel's small,
separately tested helpers.
"""

from bot import rasa_runtime

# Every Rasa server of ours loads its channels from here: the one place to install our
# changes to Rasa's runtime in all of them (bot/rasa_runtime.py).
rasa_runtime.install()

__all__ = ["rest", "socketio", "telegram"]
