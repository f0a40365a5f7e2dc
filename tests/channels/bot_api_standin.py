"""A local stand-in of the Telegram Bot API, for tests that cannot reach Telegram.

It speaks Telegram's real HTTP protocol (`POST <base_url><token>/<method>`,
form-encoded or JSON parameters, `{"ok": ..., "result": ...}` answers), so the
real python-telegram-bot client talks to it through `TELEGRAM_API_BASE_URL`.
It implements the methods the channel uses, records every call with its
parameters and answer, and serves updates that a test queues through
`getUpdates`, with long polling and offsets as Telegram does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List

from aiohttp import web

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "S3martMed",
    "username": "s3martmed_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_JSON_PARAMETERS = {"reply_markup", "allowed_updates", "entities", "link_preview_options"}
_INTEGER_PARAMETERS = {"chat_id", "message_id", "offset", "limit", "timeout", "max_connections"}


@dataclass
class ApiCall:
    """One request the bot made: method, decoded parameters and the result it got."""

    method: str
    params: Dict[str, Any]
    result: Any = None
    received_at: float = field(default_factory=time.monotonic)


class BotApiStandIn:
    """Bot API stand-in for one bot token, served by aiohttp on a free localhost port."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: List[ApiCall] = []
        self.webhook: Dict[str, Any] | None = None
        self._failures: Dict[str, int] = {}
        self._floods: Dict[str, List[int]] = {}
        self._updates: List[Dict[str, Any]] = []
        self._changed = asyncio.Condition()
        self._message_ids = itertools.count(500)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """Value for TELEGRAM_API_BASE_URL (python-telegram-bot appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- what tests use ----

    def queue_update(self, update: Dict[str, Any]) -> None:
        """Make an update available to the next getUpdates call."""
        self._updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())

    def fail_next(self, method: str) -> None:
        """Answer the next call to `method` with `502 Bad Gateway`, as Telegram does while its Bot API is down."""
        self._failures[method] = self._failures.get(method, 0) + 1

    def flood_next(self, method: str, retry_after: int = 1) -> None:
        """Answer the next call to `method` with Telegram's flood control: `429`, retry after `retry_after` s."""
        self._floods.setdefault(method, []).append(retry_after)

    def calls_to(self, method: str) -> List[ApiCall]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 15.0) -> List[ApiCall]:
        """The calls to `method`, once there are at least `count` of them."""
        async def enough() -> List[ApiCall]:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.calls_to(method)) >= count)
            return self.calls_to(method)

        try:
            return await asyncio.wait_for(enough(), timeout)
        except TimeoutError:
            made = [call.method for call in self.calls]
            raise AssertionError(f"expected {count} call(s) to {method} within {timeout} s; calls: {made}") from None

    # ---- the Bot API ----

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _parameters(request)
        call = ApiCall(method, params)
        self.calls.append(call)
        await self._notify()
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found")
        if self._failures.get(method):
            self._failures[method] -= 1
            return _error(502, "Bad Gateway")
        if self._floods.get(method):
            retry_after = self._floods[method].pop(0)
            return web.json_response({"ok": False, "error_code": 429, "parameters": {"retry_after": retry_after},
                                      "description": f"Too Many Requests: retry after {retry_after}"}, status=429)
        if not _is_chat_id(params.get("chat_id", 0)):
            return _error(400, "Bad Request: chat not found")
        status, result = await handler(params)
        if status != 200:
            return _error(status, result)
        call.result = result
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _api_getMe(self, params: Dict[str, Any]) -> tuple[int, Any]:  # noqa: N802 - Bot API names
        return 200, BOT_USER

    async def _api_getUpdates(self, params: Dict[str, Any]) -> tuple[int, Any]:  # noqa: N802
        if self.webhook is not None:
            return 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
        offset = params.get("offset")
        if offset is not None:  # confirms every update before it, as Telegram does
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: bool(self._updates)), float(params.get("timeout") or 0)
                )
            except TimeoutError:
                pass
        return 200, list(self._updates[: int(params.get("limit") or 100)])

    async def _api_setWebhook(self, params: Dict[str, Any]) -> tuple[int, Any]:  # noqa: N802
        self.webhook = params
        return 200, True

    async def _api_deleteWebhook(self, params: Dict[str, Any]) -> tuple[int, Any]:  # noqa: N802
        self.webhook = None
        return 200, True

    async def _api_sendMessage(self, params: Dict[str, Any]) -> tuple[int, Any]:  # noqa: N802
        text = params.get("text") or ""
        if not text.strip():
            return 400, "Bad Request: message text is empty"
        if len(text.encode("utf-16-le")) // 2 > 4096:
            return 400, "Bad Request: message is too long"
        message = self._message(params["chat_id"], text=text)
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return 200, message

    async def _api_sendPhoto(self, params: Dict[str, Any]) -> tuple[int, Any]:  # noqa: N802
        photo = [{"file_id": "photo-1", "file_unique_id": "u-photo-1", "width": 1, "height": 1}]
        return 200, self._message(params["chat_id"], photo=photo)

    async def _api_answerCallbackQuery(self, params: Dict[str, Any]) -> tuple[int, Any]:  # noqa: N802
        return 200, True

    async def _api_editMessageReplyMarkup(self, params: Dict[str, Any]) -> tuple[int, Any]:  # noqa: N802
        message = self._message(params["chat_id"], text="(edited)")
        message["message_id"] = params["message_id"]
        message["edit_date"] = int(time.time())
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return 200, message

    def _message(self, chat_id: Any, **content: Any) -> Dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(chat_id), "type": "private"},
            "from": BOT_USER,
            **content,
        }

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


async def _parameters(request: web.Request) -> Dict[str, Any]:
    """Decode parameters the way Telegram reads them: query, form or JSON body."""
    params: Dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
        return params
    if request.can_read_body:
        form = await request.post()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
    for key, value in list(params.items()):
        if not isinstance(value, str):
            continue
        if key in _JSON_PARAMETERS:
            params[key] = json.loads(value)
        elif key in _INTEGER_PARAMETERS and value.lstrip("-").isdigit():
            params[key] = int(value)
    return params


def _is_chat_id(chat_id: Any) -> bool:
    """Telegram addresses a chat by its integer id (or a channel's `@username`), nothing else."""
    if isinstance(chat_id, str):
        return chat_id.lstrip("-").isdigit() or chat_id.startswith("@")
    return isinstance(chat_id, int)


def _error(status: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": status, "description": description}, status=status)


class BotApiStandInThread:
    """The stand-in in a thread of its own, for synchronous tests (e.g. with the whole assistant
    started by `bot.launcher`, whose Rasa server gets `TELEGRAM_API_BASE_URL=<base_url>`)."""

    def __init__(self, token: str) -> None:
        self.api = BotApiStandIn(token)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="bot-api-standin", daemon=True)

    @property
    def base_url(self) -> str:
        return self.api.base_url

    def start(self) -> BotApiStandInThread:
        self._thread.start()
        self._run(self.api.start())
        return self

    def stop(self) -> None:
        self._run(self.api.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def queue_update(self, update: Dict[str, Any]) -> None:
        self._loop.call_soon_threadsafe(self.api.queue_update, update)

    def wait_for(self, method: str, count: int = 1, timeout: float = 60.0) -> List[ApiCall]:
        return self._run(self.api.wait_for(method, count, timeout), timeout + 5)

    def _run(self, coroutine: Any, timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)
