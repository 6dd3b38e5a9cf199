"""Telegram's protocol limits, shared by the content check and the reply builders."""

MAX_MESSAGE = 4096  # characters of one message
SAFE_MESSAGE = 3900  # leave room: Telegram counts after entity parsing, we split before
MAX_CALLBACK_BYTES = 64  # bytes of a button's callback data
MAX_BUTTON_LABEL = 60  # characters of a button label we allow ourselves
