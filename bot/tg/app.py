"""The one factory that wires the core into python-telegram-bot.

Production, the terminal chat and the tests all build the application here, so
tests exercise exactly what runs: only the transport differs (a ``request`` for
an in-process fake, or ``TELEGRAM_API_BASE_URL`` for a loopback Bot API).
"""
from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

from bot.config import Settings
from bot.tg.ratelimit import ReliableRateLimiter
from bot.tg.transport import JsonHTTPXRequest, SafeBot
from bot.services import Services
from bot.storage.database import Storage

log = logging.getLogger(__name__)

# A syntactically valid token for the loopback Bot API (terminal chat and tests); never real.
LOCAL_TOKEN = "123456789:LOCAL-loopback-token-not-a-real-bot"

COMMANDS = {
    "en": [
        ("start", "Start again and show the menu"),
        ("menu", "Main menu"),
        ("hotlines", "Numbers to call for help"),
        ("checks", "Guided checks: am I ready? is this job safe?"),
        ("language", "ភាសាខ្មែរ / English"),
        ("privacy", "What is kept, and how to delete it"),
        ("help", "How to use this bot"),
    ],
    "km": [
        ("start", "ចាប់ផ្ដើមម្ដងទៀត និងបង្ហាញម៉ឺនុយ"),
        ("menu", "ម៉ឺនុយដើម"),
        ("hotlines", "លេខទូរស័ព្ទសុំជំនួយ"),
        ("checks", "ការត្រួតពិនិត្យ៖ តើខ្ញុំត្រៀមខ្លួនរួចហើយឬនៅ? តើការងារនេះមានសុវត្ថិភាពទេ?"),
        ("language", "ភាសាខ្មែរ / English"),
        ("privacy", "អ្វីដែលរក្សាទុក និងរបៀបលុប"),
        ("help", "របៀបប្រើបូតនេះ"),
    ],
}


async def retention_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Blank question texts older than BOT_RETENTION_DAYS (counts are kept for stats)."""
    s: Services = context.application.bot_data["services"]
    try:
        n = s.storage.apply_retention(s.settings.retention_days)
        s.storage.flush()
        if n:
            log.info("retention: blanked %d old question texts", n)
    except Exception:
        log.exception("retention job failed; will try again")


async def flush_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Write batched log rows at least every second, even when the bot is idle."""
    context.application.bot_data["services"].storage.flush()


async def _post_init(app: Application) -> None:
    """Only under run_polling/run_webhook: publish the command menu in both languages."""
    for lang, commands in COMMANDS.items():
        await app.bot.set_my_commands(
            [BotCommand(c, d) for c, d in commands], language_code=None if lang == "en" else lang
        )


async def _post_shutdown(app: Application) -> None:
    s: Services = app.bot_data["services"]
    s.storage.close()


def build_application(
    settings: Settings,
    request: BaseRequest | None = None,
    *,
    services: Services | None = None,
    storage: Storage | None = None,
) -> Application:
    """Build the production application; ``request`` replaces the HTTP transport (tests)."""
    from handlers import register

    services = services or Services(settings, storage=storage)
    if request is None:
        request = JsonHTTPXRequest(connection_pool_size=16, read_timeout=10, write_timeout=10)
        updates_request = JsonHTTPXRequest(connection_pool_size=1, read_timeout=40)
    else:
        updates_request = request
    bot = SafeBot(
        settings.token or LOCAL_TOKEN,
        base_url=settings.api_base_url,
        request=request,
        get_updates_request=updates_request,
        defaults=Defaults(block=True),
        rate_limiter=ReliableRateLimiter(
            overall_max_rate=30, overall_time_period=1, group_max_rate=20, max_retries=3, enabled=settings.rate_limit
        ),
    )
    builder: ApplicationBuilder = (
        Application.builder()
        .bot(bot)
        .concurrent_updates(8)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    app = builder.build()
    app.bot_data["services"] = services
    register(app)
    if app.job_queue is not None:
        app.job_queue.run_repeating(retention_job, interval=6 * 3600, first=30, name="retention")
        app.job_queue.run_repeating(flush_job, interval=1.0, first=1.0, name="flush")
    return app
