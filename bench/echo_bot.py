"""The baseline for the load benchmark: a plain python-telegram-bot echo bot, nothing else.

Run by bench/load.py with TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL pointing at the
loopback Bot API; it long-polls and answers every text with the same text.
"""
import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


def main() -> None:
    app = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .concurrent_updates(8)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=["message"])


if __name__ == "__main__":
    main()
