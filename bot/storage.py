"""SQLite storage: conversation log, user preferences and flow progress.

Rules that shape this module:

* No personal data on disk. Rows are keyed by a pseudonymous user key
  (:class:`bot.privacy.UserKeys`); texts are masked before they are stored.
* Logging never blocks or breaks an answer. A failed write (locked database,
  read-only file, full disk) is kept in memory and retried on the next write,
  so nothing is lost when the disk comes back, and the caller never sees the error.
* WAL mode, so readers (stats, reports) never block the bot.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import sqlite_utils

from bot.privacy import mask_personal_data

log = logging.getLogger(__name__)
DB_FILE = "bot.sqlite3"
MAX_PENDING = 10_000  # events kept in memory while the disk is failing
MAX_TEXT = 1000  # characters of a question kept for editors
BATCH = 64  # rows written together when batching


class StorageError(RuntimeError):
    """The database cannot be opened at all (raised at start, never while answering)."""


@dataclass
class FlowState:
    """Where a user is in a guided flow."""

    flow: str
    step: str
    run: str
    answers: dict[str, Any]
    tag: str | None = None


def utcnow() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Storage:
    """All reads and writes of the bot's SQLite file."""

    def __init__(self, path: Path | str | None, flush_interval: float = 0.0) -> None:
        """Open (and create) the database; ``None`` or ":memory:" gives an in-memory one for tests.

        ``flush_interval`` > 0 batches writes: rows are written together in one transaction
        when that many seconds have passed or BATCH rows are waiting (the bot flushes on a
        timer and on every clean stop). 0 writes every row at once.
        """
        self.path = None if path in (None, ":memory:") else Path(path)
        self.flush_interval = flush_interval
        try:
            if self.path is None:
                conn = sqlite3.connect(":memory:")
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(str(self.path), timeout=0.5)
            self.db = sqlite_utils.Database(conn)
            if self.path is not None:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self._create()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open the database {self.path}: {exc}") from exc
        self._pending: deque[tuple[str, dict]] = deque(maxlen=MAX_PENDING)
        self._prefs: dict[str, str | None] = {}  # write-through cache, survives a failing disk
        self._flows: dict[str, FlowState | None] = {}
        self._seen_today: set[tuple[str, str]] = set()
        # The language last answered in when the user has not chosen one (e.g. Khmer for a
        # question typed in romanized Khmer), so their next button press stays in it.
        # Memory only: it is a guess, not a choice, and need not outlive a restart.
        self._inferred: OrderedDict[str, str] = OrderedDict()
        self._last_flush = time.monotonic()
        self.failures = 0

    def _create(self) -> None:
        db = self.db
        if "users" not in db.table_names():
            db["users"].create(
                {"key": str, "lang": str, "first_seen": str, "last_seen": str}, pk="key"
            )
        if "events" not in db.table_names():
            db["events"].create(
                {
                    "id": int,
                    "ts": str,
                    "user": str,
                    "kind": str,
                    "lang": str,
                    "text": str,
                    "topic": str,
                    "score": float,
                    "flow": str,
                    "tag": str,
                    "detail": str,
                },
                pk="id",
            )
            db["events"].create_index(["ts"])
            db["events"].create_index(["user"])
            db["events"].create_index(["kind", "ts"])
        if "flow_state" not in db.table_names():
            db["flow_state"].create(
                {"user": str, "flow": str, "step": str, "run": str, "answers": str, "tag": str, "updated": str},
                pk="user",
            )

    # --- writes that must never fail the caller ---------------------------------

    def _write(self, table: str, row: dict, upsert_pk: str | None = None) -> bool:
        """Queue a row; write now unless batching. True when everything queued is on disk."""
        self._pending.append((table, {**row, "__pk": upsert_pk}))
        due = (
            self.flush_interval <= 0
            or len(self._pending) >= BATCH
            or time.monotonic() - self._last_flush >= self.flush_interval
        )
        return self.flush() if due else False

    def flush(self) -> bool:
        """Write every queued row in one transaction; on failure keep them all for the next try."""
        if not self._pending:
            return True
        rows = list(self._pending)
        try:
            with self.db.conn:
                for table, row in rows:
                    pk = row.get("__pk")
                    cols = [k for k in row if k != "__pk"]
                    names = ", ".join(f"[{c}]" for c in cols)
                    marks = ", ".join("?" for _ in cols)
                    sql = f"INSERT INTO [{table}] ({names}) VALUES ({marks})"
                    if pk:
                        updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c != pk)
                        sql += f" ON CONFLICT([{pk}]) DO UPDATE SET {updates}"
                    self.db.conn.execute(sql, [row[c] for c in cols])
        except sqlite3.Error as exc:
            self.failures += 1
            if self.failures == 1 or self.failures % 100 == 0:
                log.warning("storage write failed (%s); %d rows kept in memory", exc, len(self._pending))
            return False
        for _ in rows:
            self._pending.popleft()
        self._last_flush = time.monotonic()
        return True

    @property
    def pending(self) -> int:
        return len(self._pending)

    def log_event(
        self,
        user: str | None,
        kind: str,
        *,
        lang: str | None = None,
        text: str | None = None,
        topic: str | None = None,
        score: float | None = None,
        flow: str | None = None,
        tag: str | None = None,
        detail: str | None = None,
    ) -> bool:
        """Record one incoming message, button or outcome. Text is masked first."""
        row = {
            "ts": utcnow(),
            "user": user,
            "kind": kind,
            "lang": lang,
            "text": mask_personal_data(text)[:MAX_TEXT] if text else None,
            "topic": topic,
            "score": score,
            "flow": flow,
            "tag": tag,
            "detail": detail,
        }
        try:
            return self._write("events", row)
        except Exception:  # belt and braces: logging must never break an answer
            log.exception("unexpected storage error")
            return False

    def touch_user(self, user: str) -> None:
        """Record that a user was seen today (day granularity only)."""
        today = utcnow()[:10]
        if (user, today) in self._seen_today:
            return
        if len(self._seen_today) > 100_000:
            self._seen_today.clear()
        self._seen_today.add((user, today))
        try:
            row = self.db["users"].get(user)
            first = row["first_seen"]
            lang = row["lang"]
        except (sqlite_utils.db.NotFoundError, sqlite3.Error):
            first, lang = today, self._prefs.get(user)
        self._write("users", {"key": user, "lang": lang, "first_seen": first, "last_seen": today}, upsert_pk="key")

    # --- preferences ---------------------------------------------------------------

    def get_lang(self, user: str) -> str | None:
        if user in self._prefs:
            return self._prefs[user]
        try:
            row = self.db["users"].get(user)
        except sqlite_utils.db.NotFoundError:
            row = {}
        except sqlite3.Error:
            return None  # not cached: ask again when the disk is back
        self._prefs[user] = row.get("lang") or None
        return self._prefs[user]

    def set_lang(self, user: str, lang: str) -> None:
        self._prefs[user] = lang
        today = utcnow()[:10]
        try:
            first = self.db["users"].get(user)["first_seen"]
        except (sqlite_utils.db.NotFoundError, sqlite3.Error):
            first = today
        self._write("users", {"key": user, "lang": lang, "first_seen": first, "last_seen": today}, upsert_pk="key")

    def get_inferred_lang(self, user: str) -> str | None:
        return self._inferred.get(user)

    def set_inferred_lang(self, user: str, lang: str) -> None:
        self._inferred[user] = lang
        self._inferred.move_to_end(user)
        if len(self._inferred) > 50_000:
            self._inferred.popitem(last=False)

    # --- flow progress -------------------------------------------------------------

    def get_flow(self, user: str) -> FlowState | None:
        if user in self._flows:
            return self._flows[user]
        try:
            row = self.db["flow_state"].get(user)
        except sqlite_utils.db.NotFoundError:
            row = {}
        except sqlite3.Error:
            return None
        if not row.get("flow"):
            self._flows[user] = None
            return None
        state = FlowState(row["flow"], row["step"], row["run"], json.loads(row["answers"] or "{}"), row["tag"])
        self._flows[user] = state
        return state

    def set_flow(self, user: str, state: FlowState | None) -> None:
        self._flows[user] = state
        if state is None:
            row = {"user": user, "flow": None, "step": None, "run": None, "answers": None, "tag": None}
        else:
            row = {
                "user": user,
                "flow": state.flow,
                "step": state.step,
                "run": state.run,
                "answers": json.dumps(state.answers, ensure_ascii=False),
                "tag": state.tag,
            }
        self._write("flow_state", {**row, "updated": utcnow()}, upsert_pk="user")

    # --- privacy -------------------------------------------------------------------

    def forget(self, user: str) -> int:
        """Delete everything stored about one user; returns rows deleted."""
        self._prefs.pop(user, None)
        self._flows.pop(user, None)
        self._inferred.pop(user, None)
        self._seen_today = {k for k in self._seen_today if k[0] != user}
        self._pending = deque(((t, r) for t, r in self._pending if r.get("user") != user and r.get("key") != user), maxlen=MAX_PENDING)
        self.flush()
        deleted = 0
        with self.db.conn:
            for table, col in (("events", "user"), ("users", "key"), ("flow_state", "user")):
                cur = self.db.execute(f"DELETE FROM [{table}] WHERE [{col}] = ?", [user])
                deleted += cur.rowcount
        return deleted

    def apply_retention(self, days: int, now: dt.datetime | None = None) -> int:
        """Blank question text older than ``days``; counts (kind, topic, score) stay for stats."""
        now = now or dt.datetime.now(dt.timezone.utc)
        cutoff = (now - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")
        with self.db.conn:
            cur = self.db.execute("UPDATE events SET text = NULL WHERE text IS NOT NULL AND ts < ?", [cutoff])
        return cur.rowcount

    # --- reads for editors -----------------------------------------------------------

    def events(self, since: str | None = None, kinds: Iterable[str] | None = None) -> list[dict]:
        self.flush()
        where, params = [], []
        if since:
            where.append("ts >= ?")
            params.append(since)
        if kinds:
            kinds = list(kinds)
            where.append(f"kind IN ({','.join('?' * len(kinds))})")
            params.extend(kinds)
        return list(self.db["events"].rows_where(" AND ".join(where) or None, params, order_by="id"))

    def close(self) -> None:
        """Flush what is pending and close; called on a clean stop."""
        self.flush()
        try:
            self.db.conn.close()
        except sqlite3.Error:
            pass
