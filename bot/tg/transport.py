"""HTTP transport to the Bot API: JSON bodies instead of form encoding.

python-telegram-bot form-encodes every request. A Khmer answer is three bytes a
character in UTF-8, and percent-encoding triples that again: a 1,200-character
answer becomes about 11 KB on the wire and costs CPU to encode. The Bot API also
accepts ``application/json`` bodies, which carry Khmer as plain UTF-8 (about a
third of the size). Requests with files still go as multipart, unchanged.
"""
from __future__ import annotations

import json

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.ext import ExtBot
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput


class JsonHTTPXRequest(HTTPXRequest):
    """HTTPXRequest that posts JSON when there is nothing to upload."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is None or request_data.contains_files:
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )
        if self._client.is_closed:
            raise RuntimeError("This HTTPXRequest is not initialized!")
        timeout = httpx.Timeout(
            connect=self._client.timeout.connect if isinstance(connect_timeout, DefaultValue) else connect_timeout,
            read=self._client.timeout.read if isinstance(read_timeout, DefaultValue) else read_timeout,
            write=self._client.timeout.write if isinstance(write_timeout, DefaultValue) else write_timeout,
            pool=self._client.timeout.pool if isinstance(pool_timeout, DefaultValue) else pool_timeout,
        )
        body = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            res = await self._client.request(
                method=method,
                url=url,
                headers={"User-Agent": self.USER_AGENT, "Content-Type": "application/json"},
                timeout=timeout,
                content=body,
            )
        except httpx.TimeoutException as err:
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut(message="Pool timeout: all connections are busy; the request was not sent.") from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return res.status_code, res.content


class SafeBot(ExtBot):
    """The bot, plus one fast path for the message it sends most: an HTML answer with buttons.

    ``send_message`` builds a frozen Telegram object for every button, serializes them,
    and parses the whole message Telegram sends back into objects again; for an answer
    with ten buttons that is most of the bot's CPU per answer. ``send_html`` posts the
    same request (same rate limiter, retries and defaults, via ``_post``) from plain
    dicts and returns Telegram's answer as a dict.
    """

    async def send_html(self, chat_id: int, text: str, keyboard: list[list[dict]] | None = None) -> dict:
        data: dict = {"chat_id": chat_id, "text": text, "parse_mode": "HTML", "link_preview_options": {"is_disabled": True}}
        if keyboard:
            data["reply_markup"] = {"inline_keyboard": keyboard}
        return await self._post("sendMessage", data)  # type: ignore[return-value]
