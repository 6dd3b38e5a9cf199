"""A loopback stand-in for the Telegram Bot API.

It speaks the real protocol (``POST /bot<token>/<method>``, form or JSON bodies,
``{"ok": ..., "result": ...}`` answers, long-polled ``getUpdates``) so the real
python-telegram-bot Application runs against it unchanged. It checks every
request against the official method list and field limits and refuses what
Telegram would refuse, so a test run shows every request the real API would reject.

Two transports serve one ``FakeBotAPI``: ``LoopbackServer`` (real HTTP on 127.0.0.1, for
what needs a socket: the Updater's long polling, webhooks, dropped connections) and
``InProcessRequest`` (python-telegram-bot's ``BaseRequest`` handing each call straight to
``FakeBotAPI.call``, no sockets: the tests' default). Both decode parameters with
``decode_params`` and answer with the same status codes and JSON bodies.

Used by the terminal chat (``python -m bot chat``), the tests and the load benchmark.
"""
from __future__ import annotations

import asyncio
import html.parser
import itertools
import json
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs

SPEC_PATH = Path(__file__).resolve().parent.parent / "data" / "botapi.json"
BOT_USER = {"id": 7000000001, "is_bot": True, "first_name": "Safe Migration", "username": "SafeMigrationKHBot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}
_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
                 "pre", "blockquote", "tg-emoji"}


class Refused(Exception):
    """A request the real Bot API would refuse (HTTP 400), with Telegram's kind of description."""

    def __init__(self, description: str, code: int = 400, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.code = code
        self.retry_after = retry_after


class Dropped(Refused):
    """The connection is closed without an answer (a network failure, not a Telegram error)."""

    def __init__(self, description: str) -> None:
        super().__init__(description, 0)


class _HtmlText(html.parser.HTMLParser):
    """Parses Telegram-HTML like Telegram does: allowed tags, balanced, text length after parsing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.stack: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in _ALLOWED_TAGS:
            self.problem = self.problem or f"unsupported start tag \"{tag}\""
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problem = self.problem or f"unexpected end tag \"{tag}\""
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> str:
    """Plain text of a Telegram-HTML message; raise Refused as Telegram would for bad markup."""
    if "&" in text:
        import re

        for ent in re.findall(r"&[^;\s]*;?", text):
            if ent not in ("&lt;", "&gt;", "&amp;", "&quot;") and not re.fullmatch(r"&#x?[0-9a-fA-F]+;", ent):
                raise Refused(f"Bad Request: can't parse entities: unsupported entity {ent!r}")
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    if parser.problem or parser.stack:
        raise Refused(f"Bad Request: can't parse entities: {parser.problem or 'unclosed tag'}")
    return "".join(parser.text)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Recorded:
    method: str
    params: dict[str, Any]
    ok: bool
    error: str | None = None
    at: float = field(default_factory=time.monotonic)


class FakeBotAPI:
    """The Bot API's state and rules, independent of transport (HTTP or in-process)."""

    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        self.methods: dict[str, dict] = spec["methods"]
        self.button_fields = set(spec["InlineKeyboardButton"])
        self.version = spec.get("version")
        self.requests: list[Recorded] = []
        self.messages: dict[tuple[int, int], dict] = {}  # (chat id, message id) -> message
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._faults: list[tuple[str, Callable[[], None]]] = []
        self.on_request: Callable[[Recorded], None] | None = None
        self.answered_callbacks: set[str] = set()
        self.pending_callbacks: set[str] = set()
        # Tokens answered with 401 Unauthorized, as Telegram answers a revoked or mistyped one.
        self.rejected_tokens: set[str] = set()

    # --- what users do ------------------------------------------------------------

    def _push(self, update: dict) -> dict:
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._new_update.set()
        return update

    @staticmethod
    def user(user_id: int = 1001, first_name: str = "Sokha", language_code: str | None = "km", username: str | None = None) -> dict:
        u = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            u["language_code"] = language_code
        if username:
            u["username"] = username
        return u

    def push_text(self, user: dict, text: str, chat: dict | None = None) -> dict:
        """A user sends a text message (commands get their bot_command entity, as Telegram adds)."""
        chat = chat or {"id": user["id"], "type": "private", "first_name": user.get("first_name", "")}
        message = {"message_id": next(self._message_ids), "from": user, "chat": chat, "date": int(time.time()), "text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(text[:length])}]
        return self._push({"message": message})

    def push_message(self, user: dict, **fields: Any) -> dict:
        """Any other kind of message (photo, sticker, voice...): ``fields`` as Telegram sends them."""
        chat = fields.pop("chat", None) or {"id": user["id"], "type": "private", "first_name": user.get("first_name", "")}
        message = {"message_id": next(self._message_ids), "from": user, "chat": chat, "date": int(time.time()), **fields}
        return self._push({"message": message})

    def push_callback(self, user: dict, data: str, message: dict | None = None) -> dict:
        """A user presses an inline button (on ``message``, default: the last bot message to them)."""
        if message is None:
            message = self.last_message(user["id"])
        if message is None:  # a button on an old message this stand-in never saw (e.g. before a restart)
            message = {"message_id": next(self._message_ids), "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
                       "chat": {"id": user["id"], "type": "private"}, "date": int(time.time()) - 3600, "text": "…"}
        query_id = str(next(self._callback_ids))
        self.pending_callbacks.add(query_id)
        query = {"id": query_id, "from": user, "chat_instance": str(user["id"]), "data": data}
        if message is not None:
            query["message"] = message
        return self._push({"callback_query": query})

    # --- what the bot sent ----------------------------------------------------------

    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.ok and (chat_id is None or r.params.get("chat_id") == chat_id)]

    def last_message(self, chat_id: int) -> dict | None:
        mine = [m for (c, _), m in self.messages.items() if c == chat_id]
        return mine[-1] if mine else None

    def refused(self) -> list[Recorded]:
        return [r for r in self.requests if not r.ok and r.error and not r.error.startswith("(injected)")]

    # --- faults for reliability tests ---------------------------------------------------

    def fail_next(self, method: str, code: int = 500, retry_after: int | None = None, times: int = 1,
                  kind: str = "status", delay: float = 0.0) -> None:
        """Make the next ``times`` calls of ``method`` fail as Telegram or the network can.

        ``kind``: "status" answers ``code`` (500, 502, 429 with ``retry_after``); "drop" closes the
        connection without an answer; "timeout" holds the request ``delay`` seconds, then drops it.
        The failed request is never processed, as when Telegram fails before acting on it.
        """
        if kind not in ("status", "drop", "timeout"):
            raise ValueError(kind)
        for _ in range(times):
            self._faults.append((method, (kind, code, retry_after, delay)))

    async def _inject(self, fault: tuple) -> None:
        kind, code, retry_after, delay = fault
        if kind == "timeout":
            await asyncio.sleep(delay)
            raise Dropped("(injected) timeout")
        if kind == "drop":
            raise Dropped("(injected) connection dropped")
        if code == 429:
            raise Refused(f"(injected) Too Many Requests: retry after {retry_after or 1}", 429, retry_after or 1)
        raise Refused("(injected) Internal Server Error", code)

    # --- the API ----------------------------------------------------------------------

    def validate(self, method: str, params: dict[str, Any]) -> str | None:
        """Refuse what Telegram would; return the plain text of an HTML message (None otherwise)."""
        spec = self.methods.get(method)
        if spec is None:
            raise Refused("Not Found: method not found", 404)
        fields = spec["fields"]
        for name, f in fields.items():
            if f["required"] and (name not in params or params[name] in (None, "")):
                raise Refused(f"Bad Request: parameter \"{name}\" is required")
        # Telegram counts HTML text after parsing entities; parse it once.
        plain = None
        if params.get("parse_mode") == "HTML" and isinstance(params.get("text"), str):
            plain = parse_html(params["text"])
            if not plain.strip():
                raise Refused("Bad Request: message text is empty")
        for name, value in params.items():
            if name not in fields:
                raise Refused(f"Bad Request: unknown parameter \"{name}\"")
            limit = fields[name].get("limit")
            if limit and isinstance(value, str):
                size = len(value.encode()) if limit[2] == "bytes" else utf16_len(value)
                if name == "text" and plain is not None:
                    size = utf16_len(plain)
                if not limit[0] <= size <= limit[1]:
                    raise Refused(f"Bad Request: {name} must be {limit[0]}-{limit[1]} {limit[2]}, got {size}")
        markup = params.get("reply_markup")
        if markup is not None:
            self._validate_markup(markup)
        return plain

    def _validate_markup(self, markup: Any) -> None:
        if not isinstance(markup, dict):
            raise Refused("Bad Request: reply_markup must be a JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise Refused("Bad Request: inline_keyboard must be an array of arrays")
        for row in rows:
            for b in row:
                unknown = set(b) - self.button_fields
                if unknown:
                    raise Refused(f"Bad Request: unknown button field {sorted(unknown)[0]!r}")
                if not b.get("text"):
                    raise Refused("Bad Request: button text is empty")
                actions = [k for k in ("url", "callback_data", "switch_inline_query", "copy_text", "web_app", "login_url") if k in b]
                if len(actions) != 1:
                    raise Refused("Bad Request: a button needs exactly one action")
                data = b.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise Refused("Bad Request: BUTTON_DATA_INVALID")
                url = b.get("url")
                if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                    raise Refused("Bad Request: BUTTON_URL_INVALID")

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Run one Bot API method; raise Refused like Telegram would."""
        for i, (m, fault) in enumerate(self._faults):
            if m == method:
                del self._faults[i]
                try:
                    await self._inject(fault)
                except Refused as exc:
                    self._record(Recorded(method, params, False, exc.description))
                    raise
        try:
            plain = self.validate(method, params)
            result = await self._dispatch(method, params, plain)
        except Refused as exc:
            self._record(Recorded(method, params, False, exc.description))
            raise
        if method != "getUpdates":
            self._record(Recorded(method, params, True))
        return result

    def _record(self, rec: Recorded) -> None:
        self.requests.append(rec)
        if self.on_request:
            self.on_request(rec)

    async def _dispatch(self, method: str, p: dict[str, Any], plain: str | None = None) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return await self._get_updates(p)
        if method == "sendMessage":
            text = plain if plain is not None else p["text"]
            chat_id = int(p["chat_id"])
            message = {"message_id": next(self._message_ids), "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
                       "chat": {"id": chat_id, "type": "private"}, "date": int(time.time()), "text": text}
            if p.get("reply_markup"):
                message["reply_markup"] = p["reply_markup"]
            self.messages[(chat_id, message["message_id"])] = message
            return message
        if method in ("editMessageText", "editMessageReplyMarkup"):
            key = (int(p.get("chat_id", 0)), int(p.get("message_id", 0)))
            if key not in self.messages:
                raise Refused("Bad Request: message to edit not found")
            message = self.messages[key]
            if "text" in p:
                message["text"] = plain if plain is not None else p["text"]
            message["reply_markup"] = p.get("reply_markup") or message.get("reply_markup")
            return message
        if method == "answerCallbackQuery":
            qid = str(p["callback_query_id"])
            if qid in self.answered_callbacks:
                raise Refused("Bad Request: query is too old and response timeout expired or query ID is invalid")
            self.answered_callbacks.add(qid)
            self.pending_callbacks.discard(qid)
            return True
        if method == "getMyCommands":
            return []
        return True  # setMyCommands, deleteWebhook, sendChatAction, close, ...

    async def _get_updates(self, p: dict[str, Any]) -> list[dict]:
        offset = int(p.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        timeout = float(p.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while not self._updates:
            self._new_update.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            try:
                await asyncio.wait_for(self._new_update.wait(), min(remaining, 1.0))
            except asyncio.TimeoutError:
                pass
        limit = int(p.get("limit") or 100)
        return self._updates[:limit]

    def has_pending_updates(self) -> bool:
        return bool(self._updates)


def decode_params(api: FakeBotAPI, method: str, raw: dict[str, str]) -> dict[str, Any]:
    """Form values arrive as strings; JSON-decode the ones whose type is not a plain String."""
    fields = api.methods.get(method, {}).get("fields", {})
    out: dict[str, Any] = {}
    for name, value in raw.items():
        types = fields.get(name, {}).get("types", [])
        if types == ["String"] or not isinstance(value, str):
            out[name] = value
            continue
        try:
            out[name] = json.loads(value)
        except (ValueError, TypeError):
            out[name] = value
    return out


UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}  # a revoked or mistyped token


def error_body(exc: Refused) -> dict[str, Any]:
    """Telegram's answer to a refused request (both transports send exactly this)."""
    body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.retry_after:
        body["parameters"] = {"retry_after": exc.retry_after}
    return body


# --- HTTP transport (loopback) ----------------------------------------------------------


class LoopbackServer:
    """Serves a FakeBotAPI over HTTP on 127.0.0.1, in the running event loop (tornado)."""

    def __init__(self, api: FakeBotAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        self.api = api
        self.host = host
        self.port = port
        self._server = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    async def start(self) -> "LoopbackServer":
        import tornado.httpserver
        import tornado.netutil
        import tornado.web

        api = self.api

        class Handler(tornado.web.RequestHandler):
            async def _handle(self, token: str, method: str) -> None:
                if token in api.rejected_tokens:
                    self.set_status(401)
                    self.finish(UNAUTHORIZED)
                    return
                raw: dict[str, Any] = {}
                ctype = self.request.headers.get("Content-Type", "")
                if "application/json" in ctype and self.request.body:
                    raw = json.loads(self.request.body)
                else:
                    for k, v in self.request.body_arguments.items():
                        raw[k] = v[-1].decode("utf-8")
                    if not self.request.body_arguments and self.request.body and "multipart" not in ctype:
                        for k, v in parse_qs(self.request.body.decode("utf-8")).items():
                            raw[k] = v[-1]
                    for k, v in self.request.query_arguments.items():
                        raw.setdefault(k, v[-1].decode("utf-8"))
                params = decode_params(api, method, raw)
                try:
                    result = await api.call(method, params)
                except asyncio.CancelledError:  # the client went away (a long poll at shutdown)
                    return
                except Dropped:
                    self.request.connection.stream.close()
                    return
                except Refused as exc:
                    self.set_status(exc.code)
                    self.finish(error_body(exc))
                    return
                self.finish({"ok": True, "result": result})

            async def post(self, token: str, method: str) -> None:
                await self._handle(token, method)

            async def get(self, token: str, method: str) -> None:
                await self._handle(token, method)

        # The access log would print the token in every URL, and injected 5xx faults as errors.
        logging.getLogger("tornado.access").setLevel(logging.CRITICAL)
        app = tornado.web.Application([(r"/bot([^/]+)/([A-Za-z]+)", Handler)])
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None


# --- in-process transport (no sockets) ----------------------------------------------------

_ROUTE = re.compile(r"/bot([^/]+)/([A-Za-z]+)$")  # the loopback server's route: /bot<token>/<method>


def _json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _in_process_request_class() -> type:
    """Defined on first use: importing python-telegram-bot takes about 0.25 s, which
    ``python -m bot ask`` (it imports this module for ``parse_html``) should not pay."""
    from telegram._utils.defaultvalue import DefaultValue
    from telegram.error import NetworkError, TimedOut
    from telegram.request import BaseRequest, RequestData

    class InProcessRequest(BaseRequest):
        """python-telegram-bot's transport, replaced by a direct call of ``FakeBotAPI.call``.

        ``build_application(settings, request=InProcessRequest(api))``: the real ``SafeBot``, its
        rate limiter and retries, and python-telegram-bot's own handling of answers
        (``BaseRequest.post``: status codes into BadRequest, RetryAfter, InvalidToken...) all run
        unchanged; only the sockets are gone. ``api.call`` receives what the loopback server
        decodes from ``JsonHTTPXRequest``'s body: ``RequestData.parameters`` through a JSON round
        trip (a value JSON cannot carry fails as it would on the wire, and what was recorded does
        not change when the bot reuses its dicts), then ``decode_params``. With files, the fields
        arrive as form strings, as in a multipart body. The answer is the status and JSON body
        the loopback server would send, from the same ``error_body``.

        Faults (``api.fail_next``) look as they do over HTTP: an error status is that status, a
        dropped connection a ``NetworkError``, and a request held past the read timeout a
        ``TimedOut`` while the fake API goes on with it (as a server does when its client gives
        up). ``shutdown`` cancels whatever is still running (a long poll).
        """

        def __init__(self, api: FakeBotAPI, read_timeout: float | None = 10.0) -> None:
            self.api = api
            self._read_timeout = read_timeout
            self._running: set[asyncio.Future] = set()

        @property
        def read_timeout(self) -> float | None:
            return self._read_timeout

        async def initialize(self) -> None:
            pass

        async def shutdown(self) -> None:
            running = [t for t in self._running if not t.done()]
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

        def params_of(self, method: str, request_data: RequestData | None) -> dict[str, Any]:
            """The parameters as the loopback server would decode them from the request's body."""
            if request_data is None:
                raw: dict[str, Any] = {}
            elif request_data.contains_files:  # multipart: every field a string, the files by name
                raw = dict(request_data.json_parameters)
                for name in request_data.multipart_data:
                    raw.setdefault(name, f"attach://{name}")
            else:  # JsonHTTPXRequest: the parameters as one JSON body
                raw = json.loads(_json(request_data.parameters))
            return decode_params(self.api, method, raw)

        def _done(self, task: asyncio.Future) -> None:
            self._running.discard(task)
            if not task.cancelled():
                task.exception()  # an answer nobody waits for any more (timed out) is not an error

        async def do_request(
            self,
            url: str,
            method: str,
            request_data: RequestData | None = None,
            read_timeout: Any = BaseRequest.DEFAULT_NONE,
            write_timeout: Any = BaseRequest.DEFAULT_NONE,
            connect_timeout: Any = BaseRequest.DEFAULT_NONE,
            pool_timeout: Any = BaseRequest.DEFAULT_NONE,
        ) -> tuple[int, bytes]:
            route = _ROUTE.search(url.split("?", 1)[0])
            if route is None:
                return 404, _json({"ok": False, "error_code": 404, "description": "Not Found"})
            token, name = route.groups()
            if token in self.api.rejected_tokens:
                return 401, _json(UNAUTHORIZED)
            params = self.params_of(name, request_data)
            timeout = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
            call = asyncio.ensure_future(self.api.call(name, params))
            self._running.add(call)
            call.add_done_callback(self._done)
            try:
                result = await asyncio.wait_for(asyncio.shield(call), timeout)
            except asyncio.TimeoutError:
                raise TimedOut(f"in-process: no answer to {name} within {timeout} s") from None
            except Dropped as exc:
                raise NetworkError(f"in-process: connection closed without an answer ({exc.description})") from None
            except Refused as exc:
                return exc.code, _json(error_body(exc))
            return 200, _json({"ok": True, "result": result})

    InProcessRequest.__module__ = __name__
    InProcessRequest.__qualname__ = "InProcessRequest"
    return InProcessRequest


def __getattr__(name: str) -> Any:
    """``InProcessRequest`` is made on first access (see ``_in_process_request_class``)."""
    if name == "InProcessRequest":
        cls = _in_process_request_class()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
