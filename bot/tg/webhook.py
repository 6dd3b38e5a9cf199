"""Our own webhook server: every request is checked before its body is read.

It replaces python-telegram-bot's ``run_webhook`` (security audit F1, F2, F13):

* F1: without ``BOT_WEBHOOK_SECRET`` PTB served an open webhook, so anyone who found the
  URL could post updates "from" an admin. Here a secret is always set: the configured
  one, or a fresh one per start. The header is compared in constant time.
* F2: PTB's tornado server read bodies of up to 100 MiB before checking anything. Here
  method, path, secret and size are checked from the headers alone (``stream_request_body``
  runs ``prepare`` before the body); a refused request's body is never read.
* F13: every refusal (wrong path, method, secret, size, a body that is not an update) is
  the same answer: 403, the same headers, an empty body, and the connection is closed.
  A prober learns nothing from which check failed.

A good request is handed to one awaited hook, ``accept(update_json)``, *before* Telegram
gets its 200: what is acknowledged has been taken over (today: queued for the
application; later: written to a durable inbox).
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import secrets
import signal
import sys
from typing import Any, Awaitable, Callable, Sequence

import tornado.httpserver
import tornado.httputil
import tornado.iostream
import tornado.netutil
import tornado.web
from telegram import Update
from telegram.ext import Application
from tornado.http1connection import HTTP1Connection

from bot.config import Settings

log = logging.getLogger(__name__)

# Telegram updates are a few KiB; a message with the longest text and entities stays far
# below this. Anything larger is refused before (or, chunked, while) it is read.
MAX_BODY = 256 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
REFUSAL_STATUS = 403

# Backstops in the HTTP layer, in case a check above is ever bypassed.
_MAX_BODY_SIZE = MAX_BODY + 64 * 1024  # tornado's own limit for Content-Length bodies
_MAX_HEADER_SIZE = 8 * 1024  # request line and headers
_IDLE_TIMEOUT = 30.0  # seconds a connection may sit without sending a request's headers
_BODY_TIMEOUT = 10.0  # seconds to send a body of at most MAX_BODY
_DRAIN_TIMEOUT = 12.0  # at stop: how long requests already past the checks may take to finish
# Chunked bodies are counted in data_received against MAX_BODY. Tornado would otherwise
# answer a chunk that merely *declares* more than its limit with its own, different 400;
# raising its limit for those requests keeps every refusal ours.
_CHUNKED_READ_LIMIT = 1 << 40
_CONTENT_LENGTH = re.compile(r"[0-9]{1,9}")
# PTB logs every API call's parameters at DEBUG (setWebhook's include the secret) on these.
_API_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot")

Accept = Callable[[dict[str, Any]], Awaitable[None]]


class WebhookError(RuntimeError):
    """The webhook server cannot start (e.g. its port is taken); the message says what to change."""


def webhook_path(token: str) -> str:
    """A URL path Telegram posts to: derived from the token, but not revealing it in proxy logs."""
    return "tg-" + hashlib.sha256(token.encode()).hexdigest()[:32]


def new_secret() -> str:
    """A secret for one run: 43 characters of A-Z a-z 0-9 _ -, the alphabet Telegram allows."""
    return secrets.token_urlsafe(32)


def parse_update(body: bytes, bot: Any) -> dict[str, Any] | None:
    """The update's JSON if ``body`` is a Telegram update, else None (the caller refuses it)."""
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            return None
        Update.de_json(data, bot)  # copies what it parses: ``data`` stays as sent
    except Exception:  # bad JSON, bad UTF-8, too deep, fields of the wrong shape: all the same to us
        return None
    return data


class _Redact(logging.Filter):
    """Hide the secret from PTB's DEBUG log of API calls (it logs setWebhook's parameters)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        if self.secret in msg:
            record.msg = msg.replace(self.secret, "<webhook secret>")
            record.args = ()
        return True


def _log_request(handler: tornado.web.RequestHandler) -> None:
    """No access log: probes would flood it, and every line would carry the webhook path."""
    log.debug("webhook: %d in %.1f ms", handler.get_status(), 1000 * handler.request.request_time())


@tornado.web.stream_request_body
class _WebhookHandler(tornado.web.RequestHandler):
    """One handler for every path and method, so a wrong path is refused like a wrong secret."""

    def initialize(self, server: "WebhookServer") -> None:
        self._server = server
        self._body = bytearray()
        self._refused = False
        self._counted = False

    def set_default_headers(self) -> None:
        # The same, minimal headers on every answer: nothing names the server or a type.
        self.clear_header("Server")
        self.clear_header("Content-Type")

    async def prepare(self) -> None:
        """Runs after the headers only: refuse here and the body is never read."""
        if not self._server.admits(self.request):
            await self._refuse(stop_reading=True)
            return
        self._counted = True
        self._server.request_started()
        if "Transfer-Encoding" in self.request.headers:
            conn = self.request.connection
            if isinstance(conn, HTTP1Connection):
                conn.set_max_body_size(_CHUNKED_READ_LIMIT)

    async def data_received(self, chunk: bytes) -> None:
        if self._refused:
            return
        self._body += chunk
        if len(self._body) > MAX_BODY:  # only a chunked body can get here: it had no length to check
            self._body.clear()
            await self._refuse()

    async def post(self) -> None:
        if self._refused:
            return
        try:
            update = parse_update(bytes(self._body), self._server.app.bot)
            if update is None:
                log.warning("webhook: refused a request with the right secret whose body (%d bytes) "
                            "is not a Telegram update", len(self._body))
                await self._refuse()
                return
            if not self._server.accepting:
                await self._refuse()  # stopping: Telegram sends it again after the restart
                return
            try:
                await self._server.accept(update)
            except Exception:
                log.exception("webhook: could not take over update %s; Telegram will send it again",
                              update["update_id"])
                await self._refuse()
                return
            self.set_status(200)
            self.finish()
        finally:
            self._release()

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        """Errors tornado answers itself (an unknown method's 405, a bug's 500) look like any refusal."""
        if self._headers_written or self._finished:
            super().send_error(status_code, **kwargs)
            return
        self._answer_refusal()

    def on_finish(self) -> None:
        self._release()

    def on_connection_close(self) -> None:
        super().on_connection_close()
        self._release()

    def _release(self) -> None:
        if self._counted:
            self._counted = False
            self._server.request_ended()

    def _answer_refusal(self) -> "asyncio.Future[None]":
        self._refused = True
        self.clear()  # status, headers and any written body back to the defaults
        self.set_status(REFUSAL_STATUS)
        self.set_header("Connection", "close")
        return self.finish()

    async def _refuse(self, stop_reading: bool = False) -> None:
        """The one refusal; then close the connection, so a refused client is never read further."""
        conn = self.request.connection
        try:
            await self._answer_refusal()
        except tornado.iostream.StreamClosedError:
            pass
        if not isinstance(conn, HTTP1Connection):
            return
        if stop_reading:
            # Still inside headers_received: detaching stops tornado from reading the body.
            conn.detach().close()
        else:
            conn.close()


class WebhookServer:
    """The application plus a tornado server for Telegram's webhook posts.

    ``start()``: initialize, ``post_init``, ``setWebhook`` (with the secret), start the
    application, listen. ``stop()``: stop listening, let requests already past the checks
    finish, answer the queued updates, shut down (``post_shutdown`` closes storage).
    """

    def __init__(self, app: Application, settings: Settings, *, accept: Accept | None = None) -> None:
        if not settings.token or not settings.webhook_url:
            raise ValueError("webhook mode needs TELEGRAM_BOT_TOKEN and BOT_WEBHOOK_URL")
        self.app = app
        self.listen = settings.webhook_listen
        self.port = settings.webhook_port  # 0: any free port (tests); the bound port after start()
        self.generated_secret = settings.webhook_secret is None
        self.secret = settings.webhook_secret or new_secret()
        self.path = "/" + webhook_path(settings.token)
        self.url = settings.webhook_url.rstrip("/") + self.path
        self.accept: Accept = accept or self._enqueue
        self.accepting = False
        self._stopped = False
        self._secret_bytes = self.secret.encode("ascii")
        self._path_bytes = self.path.encode("ascii")
        self._http: tornado.httpserver.HTTPServer | None = None
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._redact = _Redact(self.secret)

    async def _enqueue(self, update_json: dict[str, Any]) -> None:
        """The default ``accept``: queue the update for the application, as PTB's webhook did."""
        await self.app.update_queue.put(Update.de_json(update_json, self.app.bot))

    def admits(self, request: tornado.httputil.HTTPServerRequest) -> bool:
        """Method, exact path, secret (constant time) and declared size, from the headers alone.

        Every check runs whatever the others found, so timing does not tell which one failed.
        """
        headers = request.headers
        method_ok = request.method == "POST"
        path_ok = hmac.compare_digest((request.uri or "").encode("latin-1", "replace"), self._path_bytes)
        given = headers.get(SECRET_HEADER)  # a repeated header arrives joined with commas: refused
        secret_ok = hmac.compare_digest((given or "").encode("latin-1", "replace"), self._secret_bytes)
        secret_ok &= given is not None
        length = headers.get("Content-Length")
        if "Transfer-Encoding" in headers:  # counted while it arrives (data_received)
            size_ok = length is None and headers["Transfer-Encoding"].strip().lower() == "chunked"
        else:
            size_ok = length is not None and bool(_CONTENT_LENGTH.fullmatch(length)) and int(length) <= MAX_BODY
        return method_ok & path_ok & secret_ok & size_ok & self.accepting

    def request_started(self) -> None:
        self._in_flight += 1
        self._idle.clear()

    def request_ended(self) -> None:
        self._in_flight -= 1
        if self._in_flight <= 0:
            self._in_flight = 0
            self._idle.set()

    async def start(self) -> None:
        """Initialize the application, set the webhook, start, then listen."""
        for name in _API_LOGGERS:
            logging.getLogger(name).addFilter(self._redact)
        try:
            await self.app.initialize()
            if self.app.post_init:  # as run_webhook does: publishes the command menu
                await self.app.post_init(self.app)
            # Pending updates are kept: Telegram delivers them once we listen.
            await self.app.bot.set_webhook(url=self.url, secret_token=self.secret, allowed_updates=ALLOWED_UPDATES)
            await self.app.start()
            self._serve()
        except BaseException:
            await self._shutdown_app()
            raise
        if self.generated_secret:
            log.info("webhook: no BOT_WEBHOOK_SECRET set, so a random secret was generated for this run")
        log.info("serving webhook on %s:%d", self.listen, self.port)

    def _serve(self) -> None:
        try:
            sockets = tornado.netutil.bind_sockets(self.port, self.listen)
        except OSError as exc:
            raise WebhookError(
                f"Cannot listen for the webhook on {self.listen}:{self.port} ({exc.strerror or exc}). "
                "Set BOT_WEBHOOK_LISTEN / BOT_WEBHOOK_PORT to a free address."
            ) from None
        self.port = sockets[0].getsockname()[1]
        web = tornado.web.Application(
            [(r".*", _WebhookHandler, {"server": self})],
            log_function=_log_request,
            compress_response=False,
        )
        self._http = tornado.httpserver.HTTPServer(
            web,
            decompress_request=False,  # a gzip body stays unreadable JSON: refused, never inflated
            max_body_size=_MAX_BODY_SIZE,
            max_header_size=_MAX_HEADER_SIZE,
            idle_connection_timeout=_IDLE_TIMEOUT,
            body_timeout=_BODY_TIMEOUT,
        )
        self._http.add_sockets(sockets)
        self.accepting = True

    async def stop(self) -> None:
        """Stop listening; finish what was accepted; answer queued updates; shut down."""
        if self._stopped:
            return
        self._stopped = True
        self.accepting = False  # from now on every request is refused; Telegram retries later
        if self._http is not None:
            self._http.stop()
            try:
                await asyncio.wait_for(self._idle.wait(), _DRAIN_TIMEOUT)
            except asyncio.TimeoutError:
                log.warning("webhook: %d request(s) still unfinished at stop", self._in_flight)
            try:
                await asyncio.wait_for(self._http.close_all_connections(), 5)
            except asyncio.TimeoutError:
                pass
            self._http = None
        await self._shutdown_app()

    async def _shutdown_app(self) -> None:
        try:
            if self.app.running:
                await self.app.stop()  # processes every update already queued
                if self.app.post_stop:
                    await self.app.post_stop(self.app)
            await self.app.shutdown()
            if self.app.post_shutdown:
                await self.app.post_shutdown(self.app)
        finally:
            for name in _API_LOGGERS:
                logging.getLogger(name).removeFilter(self._redact)


async def serve_webhook(
    app: Application,
    settings: Settings,
    *,
    accept: Accept | None = None,
    stop_signals: Sequence[int] = (signal.SIGINT, signal.SIGTERM),
) -> None:
    """Serve until one of ``stop_signals``, then stop cleanly."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    installed: list[int] = []
    for sig in stop_signals:
        try:
            loop.add_signal_handler(sig, stopping.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # not on this platform / not the main thread
            pass
    server = WebhookServer(app, settings, accept=accept)
    try:
        await server.start()
        try:
            await stopping.wait()
            log.info("webhook: stopping")
        finally:
            await server.stop()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def run_webhook(app: Application, settings: Settings) -> int:
    """``python -m bot run`` in webhook mode; 0 after a clean stop on SIGTERM or SIGINT."""
    try:
        asyncio.run(serve_webhook(app, settings))
    except WebhookError as exc:
        print(str(exc), file=sys.stderr)
        return 71  # EX_OSERR
    return 0
