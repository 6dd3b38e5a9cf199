"""Terminal chat: the very same bot, with no Telegram account needed.

The real Application long-polls a loopback Bot API (:mod:`bot.tg.fakeapi`) started
here; what you type becomes a Telegram update, what the bot sends is printed,
and inline buttons show as numbered choices: type the number to press one.
Same handlers, same content, same logging as in production.
"""
from __future__ import annotations

import asyncio
import signal
import sys
import threading
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
        """Chat until end of input, /quit, or SIGTERM; the Application is stopped cleanly in every case."""
        import logging

        ptb_log = logging.getLogger("telegram")
        ptb_level = ptb_log.level
        if logging.getLogger().level > logging.DEBUG:  # keep the conversation readable
            ptb_log.setLevel(logging.WARNING)
        try:
            await self._run(lines, first)
        finally:
            ptb_log.setLevel(ptb_level)  # as it was: the chat may run inside another program (tests)

    async def _run(self, lines: TextIO, first: str | None) -> None:
        loop = asyncio.get_running_loop()
        incoming = _LineReader(lines, loop)
        # SIGTERM (docker stop) ends the chat cleanly: as PID 1 in a container, Python would
        # otherwise ignore it and `docker stop` would wait, then kill. Installed first thing.
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, incoming.stop)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
                pass
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
                if first and not incoming.stopped:
                    before = len(self.api.requests)
                    self.api.push_text(self.user, first)
                    await self._wait_for_reply(before)
                while True:
                    if interactive:
                        print("\nyou> ", end="", file=self.out, flush=True)
                    line = await incoming.next()
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


class _LineReader:
    """Lines of a stream read on a daemon thread, so a stop (SIGTERM) need not wait for the next line."""

    def __init__(self, lines: TextIO, loop: asyncio.AbstractEventLoop) -> None:
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._loop = loop
        threading.Thread(target=self._read, args=(lines,), daemon=True, name="terminal-chat-input").start()

    def _read(self, lines: TextIO) -> None:
        while True:
            try:
                line = lines.readline()
            except (OSError, ValueError):
                line = ""
            self._loop.call_soon_threadsafe(self._queue.put_nowait, line)
            if not line:
                return

    stopped = False

    def stop(self) -> None:
        self.stopped = True
        self._queue.put_nowait("")  # read as end of input

    async def next(self) -> str:
        return await self._queue.get()


def run_chat(settings: Settings, language_code: str | None = None, lines: TextIO = sys.stdin) -> int:
    chat = TerminalChat(settings, language_code=language_code)
    asyncio.run(chat.run(lines))
    return 1 if chat.api.refused() else 0
