"""The conversation log's schema, declared as an ordered list of migrations.

Built on sqlite-utils' own :class:`sqlite_utils.Migrations` (sqlite-utils 4): each step is a
function named once and forever, applied once, in order, and recorded in the database's
``_sqlite_migrations`` table (set ``conversation_log``) together with when it ran.
:func:`upgrade` runs at every open (:class:`bot.storage.database.Storage`):

* a new database gets every step;
* a database written before migrations existed (our tables, no record of any step) is
  recognised explicitly: its tables must be the ones step 1 declares, and step 1, which only
  creates what is missing (a log from before the ``meta`` table gets it), is then recorded;
* an up-to-date database is only read: no write, no lock (a read-only file still opens);
* a database with a step this code does not know was written by a newer version: refused
  with :class:`MigrationError` rather than used half-understood.

All pending steps run in one write transaction, taken before looking again at what is
pending (two processes opening the same new file cannot both apply a step), so a failed
upgrade leaves the file exactly as it was.

A log that lost one of step 1's tables (dropped by hand) gets it back, empty, at open, as it
did before migrations: the steps already applied are run again, which is why every step
creates only what is missing (idempotent), and nothing new is recorded.

Rules for new steps: append, never edit or rename an applied one; idempotent; do not change what is
stored (the privacy guarantees in ``tests/test_security.py`` describe it); a step that
rewrites a table (``table.transform()``) frees pages, which ``secure_delete`` overwrites and
the checkpoint after an upgrade drops from the WAL.
"""
from __future__ import annotations

import logging
import sqlite3
from typing import Callable

import sqlite_utils
from sqlite_utils import Migrations

log = logging.getLogger(__name__)

SET_NAME = "conversation_log"
TABLE = Migrations.migrations_table  # "_sqlite_migrations"
UPGRADE_BUSY_MS = 5000  # how long an upgrade waits for another writer (the bot's own writes wait 0.5 s)

schema = Migrations(SET_NAME)
STEPS: list[str] = []  # the names of the steps, in the order they are applied
_FUNCTIONS: dict[str, Callable[[sqlite_utils.Database], None]] = {}


class MigrationError(RuntimeError):
    """The database's schema is not one this code can use or upgrade; the message says why."""


def step(fn: Callable[[sqlite_utils.Database], None]) -> Callable[[sqlite_utils.Database], None]:
    """Declare the next migration, named after its function (the name is stored: never change it)."""
    STEPS.append(fn.__name__)
    _FUNCTIONS[fn.__name__] = fn
    return schema(name=fn.__name__)(fn)


# The tables as step 1 creates them: the schema of every log written before migrations.
# Frozen: a later change is a new step, never an edit here.
M001_TABLES: dict[str, tuple[dict[str, type], str]] = {
    "users": ({"key": str, "lang": str, "first_seen": str, "last_seen": str}, "key"),
    "events": (
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
        "id",
    ),
    "flow_state": (
        {"user": str, "flow": str, "step": str, "run": str, "answers": str, "tag": str, "updated": str},
        "user",
    ),
    "meta": ({"name": str, "value": str}, "name"),
}
M001_INDEXES = {"events": (["ts"], ["user"], ["kind", "ts"])}
_SQL_TYPES = {str: "TEXT", int: "INTEGER", float: "REAL"}


@step
def m001_initial_schema(db: sqlite_utils.Database) -> None:
    """users, events, flow_state and meta, exactly as ``Storage._create`` made them before migrations."""
    existing = set(db.table_names())
    for name, (columns, pk) in M001_TABLES.items():
        if name not in existing:
            db[name].create(columns, pk=pk)
    for name, indexes in M001_INDEXES.items():
        for columns in indexes:
            db[name].create_index(columns, if_not_exists=True)


@step
def m002_retention_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for the retention sweep, which deletes users and check progress untouched for too long.

    Without them every sweep reads every user's row; they hold only the day last seen and
    the time of the last check step (no key, no text).
    """
    db["users"].create_index(["last_seen"], if_not_exists=True)
    db["flow_state"].create_index(["updated"], if_not_exists=True)


# --- applying them ------------------------------------------------------------------


def applied(db: sqlite_utils.Database) -> list[str]:
    """The steps recorded in this database, in the order they ran (read-only)."""
    return [m.name for m in schema.applied(db)]


def _check_known(names: list[str]) -> None:
    unknown = [n for n in names if n not in STEPS]
    if unknown:
        raise MigrationError(
            "it was written by a newer version of the bot: its schema has step"
            f"{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}, which this version does not know "
            f"(it knows {', '.join(STEPS)}). Run that newer version (or a later one) with this data folder; "
            "this one could misread or damage the log."
        )


def _check_legacy(db: sqlite_utils.Database) -> None:
    """A log from before migrations: its tables must be the ones step 1 declares (extra columns are left alone)."""
    problems = []
    existing = set(db.table_names())
    for name, (columns, pk) in M001_TABLES.items():
        if name not in existing:
            continue  # step 1 creates it
        table = db.table(name)
        have = {c.name: (c.type or "").upper() for c in table.columns}
        for col, kind in columns.items():
            if col not in have:
                problems.append(f"{name}.{col} is missing")
            elif have[col] != _SQL_TYPES[kind]:
                problems.append(f"{name}.{col} is {have[col] or 'untyped'}, not {_SQL_TYPES[kind]}")
        if table.pks != [pk]:
            problems.append(f"{name}'s primary key is {', '.join(table.pks)}, not {pk}")
    if problems:
        raise MigrationError(
            "it has the bot's tables but not the schema any version of the bot wrote ("
            + "; ".join(problems)
            + "). Move it away to start a new log, or repair it."
        )


def _missing_tables(db: sqlite_utils.Database) -> list[str]:
    have = set(db.table_names())
    return [t for t in M001_TABLES if t not in have]


def upgrade(db: sqlite_utils.Database) -> list[str]:
    """Bring the database to the latest step; returns the steps applied now (empty when already there).

    Raises :class:`MigrationError` for a schema this code does not know, or when an
    upgrade is due but cannot be written (a locked or read-only file): at start, never later.
    """
    done = applied(db)
    _check_known(done)
    missing = _missing_tables(db)
    if len(done) == len(STEPS) and not missing:
        return []  # up to date: nothing written, no lock taken
    conn = db.conn
    file_backed = db.execute("PRAGMA database_list").fetchone()[2] != ""
    busy = db.execute("PRAGMA busy_timeout").fetchone()[0]
    if file_backed:
        db.execute(f"PRAGMA busy_timeout = {int(UPGRADE_BUSY_MS)}")
    try:
        if conn.in_transaction:
            conn.commit()
        conn.execute("BEGIN IMMEDIATE")  # the write lock first, then look again: another process may have upgraded
        try:
            done = applied(db)
            _check_known(done)
            legacy = not done and bool(set(M001_TABLES) & set(db.table_names()))
            if legacy:
                _check_legacy(db)
                log.info("conversation log from before schema migrations: recognised as %s", STEPS[0])
            missing = _missing_tables(db)
            if done and missing:
                log.warning("conversation log had no table %s: created again, empty", ", ".join(missing))
                for name in done:
                    _FUNCTIONS[name](db)
            pending = [m.name for m in schema.pending(db)]
            schema.apply(db)
            conn.commit()
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
    except sqlite3.Error as exc:
        due = [n for n in STEPS if n not in done]
        needs = (f"schema step{'s' if len(due) > 1 else ''} {', '.join(due)}" if due
                 else f"its table {', '.join(missing)} created again")
        raise MigrationError(f"it needs {needs} and could not be written ({exc}); nothing was changed") from exc
    finally:
        if file_backed:
            try:
                db.execute(f"PRAGMA busy_timeout = {int(busy)}")
            except sqlite3.Error:
                pass  # the connection is failing: the error above says why
    if pending and (done or legacy):
        log.info("conversation log schema upgraded: %s", ", ".join(pending))
    return pending
