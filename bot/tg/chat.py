"""Terminal chat: the very same bot, with no Telegram account needed.

The real Application long-polls a loopback Bot API (:mod:`bot.tg.fakeapi`) started
here; what you type becomes a Telegram update, what the bot sends is printed,
and inline buttons show as numbered choices: type the number to press one.
Same handlers, same content, same logging as in production.
"""
from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.tg.app import LOCAL_TOKEN, build_application
from bot.config import Settings
from bot.tg.fakeapi import FakeBotAPI, LoopbackServer, Recorded

IDLE_AFTER_REPLY = 0.25  # seconds of quiet that mean the bot has finished answering
MAX_WAIT = 15.0


class TerminalChat:
    """Drives one conversation between a terminal and the bot."""

    def __init__(self, settings: Settings, out: TextIO = sys.stdout, language_code: str | None = None, user_id: int = 1001) -> None:
        self.settings = settings
        self.out = out
        self.api = FakeBotAPI()
        self.api.on_request = self._on_request
        self.user = FakeBotAPI.user(user_id, "You", language_code)
        self.buttons: list[dict] = []
        self._activity = asyncio.Event()
        self._last_message: dict | None = None

    def _on_request(self, rec: Recorded) -> None:
        self._activity.set()
        if not rec.ok:
            self._print(f"[the real Bot API would refuse {rec.method}: {rec.error}]")
            return
        if rec.method == "answerCallbackQuery" and rec.params.get("text"):
            self._print(f"  ({rec.params['text']})")
        if rec.method != "sendMessage":
            return
        message = self.api.last_message(int(rec.params["chat_id"]))
        self._last_message = message
        text = message["text"] if message else rec.params["text"]
        self._print("")
        self._print("\n".join("bot> " + line if i == 0 else "     " + line for i, line in enumerate(text.split("\n"))))
        rows = (rec.params.get("reply_markup") or {}).get("inline_keyboard") or []
        self.buttons = [b for row in rows for b in row]
        n = 0
        for row in rows:
            cells = []
            for b in row:
                n += 1
                cells.append(f"[{n}] {b['text']}" + (f" → {b['url']}" if "url" in b else ""))
            self._print("     " + "   ".join(cells))

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    async def _wait_for_reply(self, before: int) -> None:
        """Wait until the bot has sent something since ``before`` requests, then gone quiet."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_WAIT
        quiet = 0.0
        while loop.time() < deadline:
            self._activity.clear()
            try:
                await asyncio.wait_for(self._activity.wait(), IDLE_AFTER_REPLY)
                quiet = 0.0
            except asyncio.TimeoutError:
                quiet += IDLE_AFTER_REPLY
                if self.api.has_pending_updates():
                    continue
                methods = {r.method for r in self.api.requests[before:]}
                # A message may wait for Telegram's per-chat pacing; a button answered with
                # only a pop-up (feedback) sends no message at all.
                if "sendMessage" in methods or ("answerCallbackQuery" in methods and quiet >= 2.0):
                    return

    def _to_update(self, line: str) -> bool:
        """Turn a typed line into an update; False when nothing was sent to the bot."""
        text = line.strip()
        if text.isdigit() and self.buttons and 1 <= int(text) <= len(self.buttons):
            button = self.buttons[int(text) - 1]
            if "callback_data" in button:
                self.api.push_callback(self.user, button["callback_data"], self._last_message)
                return True
            self._print(f"     (a link to open in a browser: {button.get('url')})")
            return False
        self.api.push_text(self.user, line.rstrip("\n"))
        return True

    async def run(self, lines: TextIO = sys.stdin, first: str | None = "/start") -> None:
        import logging

        if logging.getLogger().level > logging.DEBUG:  # keep the conversation readable
            logging.getLogger("telegram").setLevel(logging.WARNING)
        server = await LoopbackServer(self.api).start()
        settings = self.settings.with_(token=LOCAL_TOKEN, api_base_url=server.base_url)
        app = build_application(settings)
        interactive = lines.isatty()
        try:
            async with app:
                await app.start()
                await app.updater.start_polling(poll_interval=0.0, timeout=1, drop_pending_updates=True)
                if interactive:
                    self._print("Terminal chat with the safe-migration bot. Type a question (Khmer or English),")
                    self._print("a number to press a button, /help for commands, or /quit to leave.")
                if first:
                    before = len(self.api.requests)
                    self.api.push_text(self.user, first)
                    await self._wait_for_reply(before)
                loop = asyncio.get_running_loop()
                while True:
                    if interactive:
                        print("\nyou> ", end="", file=self.out, flush=True)
                    line = await loop.run_in_executor(None, lines.readline)
                    if not line or line.strip() in ("/quit", "/exit"):
                        break
                    if not line.strip():
                        continue
                    if not interactive:
                        self._print(f"\nyou> {line.rstrip()}")
                    before = len(self.api.requests)
                    if self._to_update(line):
                        await self._wait_for_reply(before)
                await app.updater.stop()
                await app.stop()
        finally:
            app.bot_data["services"].storage.close()
            await server.stop()
        if self.api.refused():
            self._print(f"\n{len(self.api.refused())} request(s) would have been refused by Telegram.")


def run_chat(settings: Settings, language_code: str | None = None, lines: TextIO = sys.stdin) -> int:
    chat = TerminalChat(settings, language_code=language_code)
    asyncio.run(chat.run(lines))
    return 1 if chat.api.refused() else 0
