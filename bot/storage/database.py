"""SQLite storage: conversation log, user preferences and flow progress.

Rules that shape this module:

* No personal data on disk. Rows are keyed by a pseudonymous user key
  (:class:`bot.storage.keys.UserKeys`); texts are masked before they are stored.
* Logging never blocks or breaks an answer. A failed write (locked database,
  read-only file, full disk) is kept in memory and retried on the next write,
  so nothing is lost when the disk comes back, and the caller never sees the error.
* WAL mode, so readers (stats, reports) never block the bot.
* Deleted means gone from the disk: ``secure_delete`` overwrites freed pages, and
  a forget checkpoints and truncates the WAL, where the old rows would otherwise
  linger (a byte scan of the data folder in the tests proves it).
* Caches are bounded: memory must not grow with every user ever seen.
* The schema is declared as migrations (:mod:`bot.storage.migrations`), applied at open;
  event kinds are one enum (:class:`bot.storage.events.EventKind`), and any other is refused.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import secrets
import sqlite3
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import sqlite_utils

from bot.storage import migrations
from bot.storage.events import EventKind
from bot.config import unwritable_folder
from bot.text.masking import mask_personal_data

log = logging.getLogger(__name__)
DB_FILE = "bot.sqlite3"
MAX_PENDING = 10_000  # events kept in memory while the disk is failing
MAX_TEXT = 1000  # characters of a question kept for editors
BATCH = 64  # rows written together when batching
CACHE_USERS = 50_000  # users whose language and flow progress are cached in memory
ANON_PREFIX = "~"  # user column of rows past retention: a per-day pseudonym, linked to nobody
LOCAL_OFFSET = dt.timedelta(hours=7)  # Cambodia time: retention works in whole local days, like the stats


class StorageError(RuntimeError):
    """The database cannot be opened at all (raised at start, never while answering)."""


class LRU(OrderedDict):
    """A dict that forgets its least recently used entries beyond ``size``."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get(self, key, default=None):  # type: ignore[override]
        if key in self:
            self.move_to_end(key)
            return self[key]
        return default

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > self.size:
            self.popitem(last=False)


@dataclass
class FlowState:
    """Where a user is in a guided flow."""

    flow: str
    step: str
    run: str
    answers: dict[str, Any]
    tag: str | None = None


# Control characters (C0 but newline and tab, DEL, C1) and bidirectional overrides: in a
# stored question they would reach editors' terminals (`python -m bot unanswered`) as escape
# sequences that can rewrite the screen or the window title, or reorder what is shown.
# Zero-width joiners and spaces stay: Khmer text uses them.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text with terminal control characters removed (stored questions, editors' output)."""
    return _CONTROLS.sub("", text)


def _owner_only(path: Path) -> None:
    """Create the database file owner-only (0600), or tighten an existing one: it holds what at-risk users asked."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if p.exists():
                os.chmod(p, 0o600)
    except OSError:
        pass  # a read-only folder: opening reports it


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
        conn: sqlite3.Connection | None = None
        try:
            if self.path is None:
                conn = sqlite3.connect(":memory:")
            else:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StorageError(unwritable_folder(self.path.parent, exc)) from None
                _owner_only(self.path)  # before SQLite creates it: its WAL and shm files take its mode
                if not os.access(self.path.parent, os.W_OK):
                    raise StorageError(unwritable_folder(self.path.parent, PermissionError("not writable")))
                conn = sqlite3.connect(str(self.path), timeout=0.5)
            self.db = sqlite_utils.Database(conn)
            # Freed pages are overwritten, so deleted texts do not stay in the file.
            self.db.execute("PRAGMA secure_delete=ON")
            if self.path is not None:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            upgraded = migrations.upgrade(self.db)  # the schema: bot/storage/migrations.py
        except (migrations.MigrationError, sqlite3.Error) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, migrations.MigrationError):
                raise StorageError(f"cannot use the conversation log {self.path}: {exc}") from exc
            raise StorageError(f"cannot open the database {self.path}: {exc}") from exc
        self._pending: deque[tuple[str, dict]] = deque(maxlen=MAX_PENDING)
        # Write-through caches (they also carry a user through a failing disk), bounded.
        self._prefs: LRU = LRU(CACHE_USERS)
        self._flows: LRU = LRU(CACHE_USERS)
        self._seen_today: set[tuple[str, str]] = set()
        # The language last answered in when the user has not chosen one (e.g. Khmer for a
        # question typed in romanized Khmer), so their next button press stays in it.
        # Memory only: it is a guess, not a choice, and need not outlive a restart.
        self._inferred: LRU = LRU(CACHE_USERS)
        self._checkpoint_due = False
        self._last_flush = time.monotonic()
        self.failures = 0
        self._refused_kinds: set[str] = set()  # unknown event kinds already warned about (bounded)
        if upgraded:
            self.checkpoint(attempts=1)  # pages an upgrade freed leave the WAL too

    @property
    def schema_steps(self) -> list[str]:
        """The schema migrations recorded in this database, in the order they ran."""
        return migrations.applied(self.db)

    def meta(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", [name]).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        with self.db.conn:
            self.db.execute("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value", [name, value])

    def check_secret(self, fingerprint: str, scheme: str) -> bool:
        """Refuse a secret other than the one this log was written with; True if legacy keys may be present.

        A log from before fingerprints is adopted (its rows were keyed with the
        legacy HMAC, which returning users' rows are moved away from).
        """
        from bot.storage.keys import SecretError

        stored = self.meta("secret_fingerprint")
        if stored is not None and stored != fingerprint:
            raise SecretError(
                "The secret key is not the one this conversation log was written with, so no stored row could "
                "be linked to (or deleted for) its user. Restore the original BOT_SECRET_KEY / BOT_SECRET_KEY_FILE "
                f"/ secret.key, or move {self.path} away to start a new log."
            )
        if stored is None:
            has_rows = self.db.execute("SELECT 1 FROM users UNION ALL SELECT 1 FROM events LIMIT 1").fetchone()
            self.set_meta("secret_fingerprint", fingerprint)
            self.set_meta("key_scheme", "hmac-1" if has_rows else scheme)
        return self.meta("key_scheme") != scheme

    def rename_user(self, old: str, new: str) -> None:
        """Move a returning user's rows from their legacy key to the current one."""
        self.flush()
        try:
            with self.db.conn:
                if self.db.execute("SELECT 1 FROM users WHERE key = ?", [new]).fetchone() is None:
                    self.db.execute("UPDATE users SET key = ? WHERE key = ?", [new, old])
                else:
                    self.db.execute("DELETE FROM users WHERE key = ?", [old])
                self.db.execute("UPDATE events SET user = ? WHERE user = ?", [new, old])
                if self.db.execute("SELECT 1 FROM flow_state WHERE user = ?", [new]).fetchone() is None:
                    self.db.execute("UPDATE flow_state SET user = ? WHERE user = ?", [new, old])
                else:
                    self.db.execute("DELETE FROM flow_state WHERE user = ?", [old])
        except sqlite3.Error as exc:
            log.warning("could not move a returning user's rows to the new key (%s)", exc)

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
        if self._checkpoint_due and not self._pending:
            self.checkpoint(attempts=1)
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
        kind: EventKind | str,
        *,
        lang: str | None = None,
        text: str | None = None,
        topic: str | None = None,
        score: float | None = None,
        flow: str | None = None,
        tag: str | None = None,
        detail: str | None = None,
    ) -> bool:
        """Record one incoming message, button or outcome. Text is masked first.

        ``kind`` is an :class:`EventKind` or its string value; anything else is refused:
        not stored, a warning logged (once per kind), False returned, never an exception.
        """
        try:
            event = EventKind.parse(kind)
            if event is None:
                self._refuse_kind(kind)
                return False
            row = {
                "ts": utcnow(),
                "user": user,
                "kind": event.value,
                "lang": lang,
                "text": mask_personal_data(printable(text))[:MAX_TEXT] if text else None,
                "topic": topic,
                "score": score,
                "flow": flow,
                "tag": tag,
                "detail": detail,
            }
            return self._write("events", row)
        except Exception:  # belt and braces: logging must never break an answer
            log.exception("unexpected storage error")
            return False

    def _refuse_kind(self, kind: object) -> None:
        shown = printable(repr(kind))[:60]
        if shown in self._refused_kinds:
            return
        if len(self._refused_kinds) >= 100:
            self._refused_kinds.clear()
        self._refused_kinds.add(shown)
        log.warning("event not logged: %s is not an event kind (bot.storage.events.EventKind)", shown)

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
        """Delete everything stored about one user, from the file and from the WAL; returns rows deleted."""
        for cache in (self._prefs, self._flows, self._inferred):
            cache.pop(user, None)
        self._seen_today = {k for k in self._seen_today if k[0] != user}
        self._pending = deque(((t, r) for t, r in self._pending if r.get("user") != user and r.get("key") != user), maxlen=MAX_PENDING)
        self.flush()
        deleted = 0
        with self.db.conn:
            for table, col in (("events", "user"), ("users", "key"), ("flow_state", "user")):
                cur = self.db.execute(f"DELETE FROM [{table}] WHERE [{col}] = ?", [user])
                deleted += cur.rowcount
        self.checkpoint()
        return deleted

    def checkpoint(self, attempts: int = 3) -> bool:
        """Copy the WAL into the database and truncate it to zero bytes, so deleted rows leave the WAL too.

        A reader (a report being written) can hold the WAL open; then, rather than block
        the bot, the checkpoint is tried again on every flush (once a second) until it completes.
        """
        if self.path is None:
            return True
        for i in range(attempts):
            try:
                busy, _, _ = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            except sqlite3.Error as exc:
                busy = 1
                log.warning("checkpoint failed (%s); will retry", exc)
            if not busy:
                self._checkpoint_due = False
                return True
            if i + 1 < attempts:
                time.sleep(0.02)
        self._checkpoint_due = True
        return False

    def apply_retention(self, days: int, now: dt.datetime | None = None) -> int:
        """Past ``days``, keep counts only: nothing that links a row to a person or says what they typed or chose.

        For events older than the cutoff (whole Cambodian days, as the stats count them):
        the question text goes, a guided-check answer keeps only which step it was,
        the time is cut to the hour, and the user key becomes a pseudonym valid for that
        day only (made with a random salt that is never stored), so daily user counts
        stay right but no row can be tied to a user. Users and check progress not
        touched since the cutoff are deleted. Returns the events anonymized.
        """
        now = now or dt.datetime.now(dt.timezone.utc)
        local_midnight = (now + LOCAL_OFFSET).replace(hour=0, minute=0, second=0, microsecond=0) - LOCAL_OFFSET
        cutoff_dt = local_midnight - dt.timedelta(days=days)
        cutoff = cutoff_dt.strftime("%Y-%m-%dT%H:%M:%S")
        salt = secrets.token_bytes(16)  # forgotten when this function returns
        shift = f"+{int(LOCAL_OFFSET.total_seconds() // 3600)} hours"

        def day_pseudonym(user: str | None, ts: str) -> str | None:
            if not user:
                return user
            return ANON_PREFIX + hashlib.sha256(salt + ts.encode() + b"|" + user.encode()).hexdigest()[:23]

        self.flush()
        with self.db.conn:
            self.db.conn.create_function("day_pseudonym", 2, day_pseudonym, deterministic=True)
            cur = self.db.execute(
                "UPDATE events SET text = NULL, "
                f"detail = CASE WHEN kind = '{EventKind.FLOW_ANSWER.value}' AND instr(detail, ':') "
                "THEN substr(detail, 1, instr(detail, ':') - 1) "
                f"WHEN kind = '{EventKind.BUTTON.value}' AND detail LIKE 'a:%' THEN 'a' ELSE detail END, "
                "ts = substr(ts, 1, 13) || ':00:00.000000Z', "
                f"user = day_pseudonym(user, date(ts, '{shift}')) "
                f"WHERE ts < ? AND (user IS NULL OR user NOT LIKE '{ANON_PREFIX}%') "
                "AND (text IS NOT NULL OR user IS NOT NULL OR substr(ts, 14) != ':00:00.000000Z')",
                [cutoff],
            )
            n = cur.rowcount
            stale_day = cutoff_dt.strftime("%Y-%m-%d")
            self.db.execute("DELETE FROM users WHERE last_seen < ?", [stale_day])
            self.db.execute("DELETE FROM flow_state WHERE updated < ?", [cutoff])
        for cache in (self._prefs, self._flows):
            cache.clear()  # the rows behind them may be gone
        self.checkpoint()
        return n

    # --- reads for editors -----------------------------------------------------------

    def events(self, since: str | None = None, kinds: Iterable[EventKind | str] | None = None) -> list[dict]:
        self.flush()
        where, params = [], []
        if since:
            where.append("ts >= ?")
            params.append(since)
        if kinds:
            kinds = [str(k) for k in kinds]
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
