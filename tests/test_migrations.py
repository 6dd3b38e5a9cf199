"""The conversation log's schema as migrations: old logs upgrade in place, nothing is lost.

``tests/data/log_before_migrations.sqlite3`` was written by :func:`write_session` with the
code from before migrations (commit 6f524af, where ``Storage._create`` made the tables
ad hoc): run ``python tests/test_migrations.py tests/data/log_before_migrations.sqlite3``
at that commit to make it again. Every key, text and secret in it is made up.
"""
from __future__ import annotations

import ast
import datetime as dt
import hashlib
import logging
import shutil
import sqlite3
import stat
import sys
from pathlib import Path

import pytest
import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.reporting import stats  # noqa: E402
from bot.storage import migrations  # noqa: E402
from bot.storage.database import FlowState, Storage, StorageError  # noqa: E402
from bot.storage.events import EventKind  # noqa: E402
from bot.storage.keys import SCHEME, fingerprint  # noqa: E402

FIXTURE = ROOT / "tests" / "data" / "log_before_migrations.sqlite3"
FIXTURE_SECRET = b"fixture-secret-made-up-0123456789"  # not a real key: the fixture's fingerprint is of this


def write_session(storage: Storage) -> None:
    """A scripted session writing every table: users, events of every kind, flow progress, meta."""
    storage.check_secret(fingerprint(FIXTURE_SECRET), SCHEME)
    # Rows past retention: anonymized (per-day pseudonym, no text, time cut to the hour).
    storage.touch_user("old0000000000000000000a")
    storage.log_event("old0000000000000000000a", "question", lang="en", text="OLD: my boss keeps my passport",
                      topic="passport", score=0.91, detail="en")
    storage.log_event("old0000000000000000000a", "flow_answer", lang="en", flow="emergency", tag="bb-mrc",
                      detail="where:3")
    storage.log_event("old0000000000000000000a", "button", lang="en", detail="a:abcd:where")
    storage.apply_retention(30, now=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=40))
    # Recent rows, one user in Khmer, one in English, one who is then forgotten.
    km, en, gone = "a1b2c3d4e5f6a1b2c3d4e5f6", "0f1e2d3c4b5a0f1e2d3c4b5a", "deadbeefdeadbeefdeadbeef"
    for user in (km, en, gone):
        storage.touch_user(user)
    storage.set_lang(km, "km")
    storage.set_lang(en, "en")
    storage.log_event(km, "start", lang="km", detail="deep-link", tag="qr-poster")
    storage.log_event(en, "start", lang="en")
    storage.log_event(km, "question", lang="km", text="តើខ្ញុំត្រូវការលិខិតឆ្លងដែនទេ?", topic="passport", score=0.88,
                      detail="km")
    storage.log_event(en, "fallback", lang="en", text="call me on 012 345 678 about the visa", topic="korea",
                      score=0.31, detail="en")
    storage.log_event(en, "fallback", lang="km", text="kom nhom tov thai", topic="thailand", score=0.4,
                      detail="km-latn")
    storage.log_event(en, "button", lang="en", topic="passport", detail="t:passport")
    storage.log_event(en, "feedback", lang="en", topic="passport", detail="down")
    storage.log_event(km, "feedback", lang="km", topic="passport", detail="up")
    storage.log_event(en, "command", lang="en", detail="help")
    storage.log_event(en, "command", lang="en", topic="hotlines", detail="hotlines")
    storage.log_event(km, "non_text", lang="km")
    storage.log_event(km, "stale_button", lang="km")
    storage.log_event(en, "flood", lang="en")
    storage.log_event("admin0000000000000000000", "admin", detail="stats")
    storage.log_event(km, "flow_start", lang="km", flow="emergency", tag="qr-poster")
    storage.log_event(km, "flow_answer", lang="km", flow="emergency", tag="qr-poster", detail="where")
    storage.log_event(km, "flow_done", lang="km", flow="emergency", tag="qr-poster")
    storage.log_event(en, "flow_start", lang="en", flow="job-offer")
    storage.log_event(en, "flow_answer", lang="en", flow="job-offer", detail="fee")
    storage.log_event(en, "flow_cancel", lang="en", flow="job-offer")
    storage.set_flow(km, None)
    storage.set_flow(en, FlowState("job-offer", "contract", "run-0001", {"fee": "yes", "agency": "unknown"}, "qr-poster"))
    storage.log_event(gone, "question", lang="en", text="FORGOTTEN question", topic="passport", score=0.9, detail="en")
    storage.set_flow(gone, FlowState("emergency", "where", "run-0002", {}, None))
    storage.forget(gone)
    storage.set_meta("fixture", "written before migrations")


TABLES = ("users", "events", "flow_state", "meta")
KM, EN = "a1b2c3d4e5f6a1b2c3d4e5f6", "0f1e2d3c4b5a0f1e2d3c4b5a"
TODAYS_KINDS = {
    "question", "fallback", "command", "start", "non_text", "button", "feedback", "stale_button",
    "flow_start", "flow_answer", "flow_done", "flow_cancel", "flood", "admin",
}
# Kinds added after the fixture was written (the fixture holds TODAYS_KINDS only).
NEWER_KINDS = {"urgent"}  # the reply led with emergency help (issue 13)
ALL_KINDS = TODAYS_KINDS | NEWER_KINDS


@pytest.fixture
def legacy(tmp_path) -> Path:
    """A copy of the log written before migrations (the fixture itself is never opened)."""
    path = tmp_path / "bot.sqlite3"
    shutil.copyfile(FIXTURE, path)
    return path


def rows(path_or_db, table: str) -> list[tuple]:
    db = path_or_db if isinstance(path_or_db, sqlite3.Connection) else sqlite3.connect(str(path_or_db))
    try:
        return db.execute(f"SELECT * FROM [{table}] ORDER BY rowid").fetchall()
    finally:
        if db is not path_or_db:
            db.close()


def structure(conn: sqlite3.Connection, tables=TABLES) -> dict:
    """Columns (name, type, not null, default, pk) and indexes (name, unique, columns) of each table."""
    out = {}
    for t in tables:
        cols = [tuple(r[1:]) for r in conn.execute(f"PRAGMA table_xinfo([{t}])")]
        idx = sorted(
            (r[1], r[2], tuple(c[2] for c in conn.execute(f"PRAGMA index_info([{r[1]}])")))
            for r in conn.execute(f"PRAGMA index_list([{t}])")
        )
        out[t] = (cols, idx)
    return out


def dump(path: Path) -> dict:
    conn = sqlite3.connect(str(path))
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {
            "schema": conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall(),
            **{n: rows(conn, n) for n in names},
        }
    finally:
        conn.close()


def test_the_fixture_is_small_and_from_before_migrations():
    assert FIXTURE.stat().st_size < 100_000
    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro&immutable=1", uri=True)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert names == set(TABLES)  # no record of any migration
        assert {r[0] for r in conn.execute("SELECT DISTINCT kind FROM events")} == TODAYS_KINDS
    finally:
        conn.close()


def test_a_log_from_before_migrations_upgrades_in_place_with_nothing_lost(legacy, caplog):
    before = {t: rows(legacy, t) for t in TABLES}
    assert [len(before[t]) for t in TABLES] == [2, 23, 2, 3]
    legacy.chmod(0o644)  # as a checkout leaves it
    reader = stats.open_database(legacy)
    before_stats = stats.compute_stats(reader, now=dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc))
    reader.conn.close()
    with caplog.at_level(logging.INFO, logger="bot.storage.migrations"):
        s = Storage(legacy)
    assert f"recognised as {migrations.STEPS[0]}" in caplog.text
    assert s.schema_steps == migrations.STEPS
    assert stat.S_IMODE(legacy.stat().st_mode) == 0o600  # owner-only, as every log
    assert Path(f"{legacy}-wal").stat().st_size == 0  # the upgrade's pages checkpointed out of the WAL
    for t in TABLES:
        assert rows(s.db.conn, t) == before[t], t
    # ... and readable through the storage, as the bot reads it.
    assert s.check_secret(fingerprint(FIXTURE_SECRET), SCHEME) is False  # same secret, no legacy keys
    assert s.meta("fixture") == "written before migrations"
    assert s.get_lang(KM) == "km" and s.get_lang(EN) == "en"
    assert s.get_flow(KM) is None
    assert s.get_flow(EN) == FlowState("job-offer", "contract", "run-0001", {"fee": "yes", "agency": "unknown"}, "qr-poster")
    events = s.events()
    assert len(events) == 23 and {e["kind"] for e in events} == TODAYS_KINDS
    assert {e["text"] for e in events if e["kind"] == "fallback"} == {"call me on [number] about the visa", "kom nhom tov thai"}
    assert [e["user"][0] for e in events[:3]] == ["~"] * 3  # anonymized rows stay anonymized
    assert not any("FORGOTTEN" in (e["text"] or "") for e in events)
    assert stats.compute_stats(s, now=dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)) == before_stats
    # It keeps working: new rows go on after the old ones.
    assert s.log_event(KM, EventKind.QUESTION, lang="km", text="new question", topic="passport")
    assert s.events()[-1]["id"] == 24
    s.forget(EN)
    assert s.get_lang(EN) is None
    s.close()


def test_opening_an_upgraded_log_again_changes_nothing(legacy):
    Storage(legacy).close()
    first = dump(legacy)
    digest = hashlib.sha256(legacy.read_bytes()).hexdigest()
    for _ in range(2):
        s = Storage(legacy)
        assert s.db.conn.total_changes == 0  # not a single row written at open
        s.close()
    assert dump(legacy) == first
    assert hashlib.sha256(legacy.read_bytes()).hexdigest() == digest
    assert [r[2] for r in first["_sqlite_migrations"]] == migrations.STEPS


def test_step_one_is_exactly_the_schema_of_logs_from_before_migrations(tmp_path, legacy):
    db = sqlite_utils.Database(sqlite3.connect(str(tmp_path / "step1.sqlite3")))
    migrations.schema.apply(db, stop_before=migrations.STEPS[1:])
    assert migrations.applied(db) == [migrations.STEPS[0]]
    old = sqlite3.connect(str(legacy))
    assert structure(db.conn) == structure(old)
    assert set(db.table_names()) - {migrations.TABLE} == set(TABLES)
    old.close()


def test_a_new_log_gets_every_step_once_and_records_it(tmp_path):
    path = tmp_path / "bot.sqlite3"
    Storage(path).close()
    for _ in range(3):
        Storage(path).close()
    conn = sqlite3.connect(str(path))
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info({migrations.TABLE})")]
    assert cols == ["id", "migration_set", "name", "applied_at"]
    record = conn.execute(f"SELECT migration_set, name, applied_at FROM {migrations.TABLE} ORDER BY id").fetchall()
    assert [(r[0], r[1]) for r in record] == [(migrations.SET_NAME, n) for n in migrations.STEPS]
    for r in record:
        dt.datetime.fromisoformat(r[2])  # when it ran
    unique = [r for r in conn.execute(f"PRAGMA index_list({migrations.TABLE})") if r[2]]
    assert any([c[2] for c in conn.execute(f"PRAGMA index_info([{u[1]}])")] == ["migration_set", "name"] for u in unique)
    # The steps after the first only add indexes: what is stored is step 1's columns.
    fresh_cols = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in TABLES}
    assert fresh_cols == {t: list(cols) for t, (cols, _) in migrations.M001_TABLES.items()}
    conn.close()
    memory = Storage(None)
    assert memory.schema_steps == migrations.STEPS


def test_steps_are_named_once_in_order():
    assert migrations.STEPS == sorted(migrations.STEPS) and len(set(migrations.STEPS)) == len(migrations.STEPS)
    assert migrations.STEPS[0] == "m001_initial_schema"
    assert [m.name for m in migrations.schema.pending(sqlite_utils.Database(memory=True))] == migrations.STEPS


def test_a_log_from_before_the_meta_table_gets_it(legacy):
    conn = sqlite3.connect(str(legacy))
    conn.execute("DROP TABLE meta")
    conn.commit()
    conn.close()
    s = Storage(legacy)
    assert s.schema_steps == migrations.STEPS and "meta" in s.db.table_names()
    assert s.check_secret(fingerprint(FIXTURE_SECRET), SCHEME) is True  # adopted; its rows may have legacy keys
    assert len(s.events()) == 23
    s.close()


def test_a_table_dropped_from_an_upgraded_log_comes_back_empty(tmp_path, caplog):
    path = tmp_path / "bot.sqlite3"
    s = Storage(path)
    s.log_event("u1", EventKind.QUESTION, text="kept")
    with s.db.conn:
        s.db.execute("DROP TABLE meta")
        s.db.execute("DROP TABLE users")
    s.close()
    with caplog.at_level(logging.WARNING, logger="bot.storage.migrations"):
        s = Storage(path)
    assert "no table users, meta" in caplog.text
    assert s.schema_steps == migrations.STEPS  # nothing recorded twice
    conn = sqlite3.connect(str(path))
    assert structure(conn) == structure(Storage(None).db.conn)  # tables and every step's indexes
    conn.close()
    assert [e["text"] for e in s.events()] == ["kept"]
    s.set_meta("x", "y")
    s.close()


def test_tables_that_are_not_the_logs_schema_are_refused(tmp_path):
    path = tmp_path / "bot.sqlite3"
    conn = sqlite3.connect(str(path))
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, ts TEXT, what TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match=r"events\.user is missing"):
        Storage(path)
    assert [r[0] for r in sqlite3.connect(str(path)).execute("SELECT name FROM sqlite_master")] == ["events"]


def test_a_log_from_a_newer_version_is_refused_at_open(tmp_path):
    path = tmp_path / "bot.sqlite3"
    s = Storage(path)
    s.log_event("u1", EventKind.QUESTION, text="hello")
    s.db.execute(f"INSERT INTO {migrations.TABLE} (migration_set, name, applied_at) VALUES (?, ?, ?)",
                 [migrations.SET_NAME, "m099_from_the_future", "2030-01-01 00:00:00+00:00"])
    s.db.conn.commit()
    s.close()
    before = dump(path)
    with pytest.raises(StorageError, match=r"newer version.*m099_from_the_future"):
        Storage(path)
    assert dump(path) == before  # not touched


def test_another_programs_migrations_in_the_same_file_are_left_alone(tmp_path):
    path = tmp_path / "bot.sqlite3"
    Storage(path).close()
    conn = sqlite3.connect(str(path))
    conn.execute(f"INSERT INTO {migrations.TABLE} (migration_set, name, applied_at) VALUES ('other-tool', 'x', 'now')")
    conn.commit()
    conn.close()
    assert Storage(path).schema_steps == migrations.STEPS


def test_a_failed_upgrade_leaves_the_file_as_it_was(legacy, monkeypatch):
    before = dump(legacy)

    def boom(db):
        db["users"].create_index(["last_seen"])
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(migrations.schema._migrations[-1], "fn", boom)
    with pytest.raises(StorageError, match="disk I/O error"):
        Storage(legacy)
    assert dump(legacy) == before  # step 1 not recorded either: all steps are one transaction
    monkeypatch.undo()
    assert Storage(legacy).schema_steps == migrations.STEPS


def test_an_upgrade_blocked_by_another_writer_fails_at_start_not_later(legacy, monkeypatch):
    monkeypatch.setattr(migrations, "UPGRADE_BUSY_MS", 50)
    blocker = sqlite3.connect(str(legacy), timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError, match="locked"):
            Storage(legacy)
    finally:
        blocker.rollback()
        blocker.close()
    s = Storage(legacy)
    assert s.schema_steps == migrations.STEPS
    assert s.db.execute("PRAGMA busy_timeout").fetchone()[0] == 500  # the bot's own short wait is back
    s.close()


# --- event kinds ----------------------------------------------------------------------


def test_event_kinds_are_todays_strings():
    assert {k.value for k in EventKind} == ALL_KINDS
    assert EventKind.FLOW_ANSWER == "flow_answer" and f"{EventKind.FLOW_ANSWER}" == "flow_answer"
    assert EventKind.parse("stale_button") is EventKind.STALE_BUTTON and EventKind.parse(EventKind.FLOOD) is EventKind.FLOOD
    assert EventKind.parse("Question") is None and EventKind.parse(None) is None and EventKind.parse(["x"]) is None


def test_an_unknown_event_kind_is_refused_without_an_exception(caplog):
    s = Storage(None)
    with caplog.at_level(logging.WARNING, logger="bot.storage.database"):
        assert s.log_event("u1", "questoin", text="typo in the kind") is False
        assert s.log_event("u1", "questoin", text="again") is False
        assert s.log_event("u1", None) is False  # type: ignore[arg-type]
        assert s.log_event("u1", 42, lang="en") is False  # type: ignore[arg-type]
    assert s.events() == [] and s.pending == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3 and "'questoin'" in warnings[0]  # once per kind
    assert not any("typo in the kind" in w for w in warnings)
    # Known kinds, as the enum or its string, are stored as the plain string.
    assert s.log_event("u1", EventKind.FALLBACK, text="a") and s.log_event("u1", "fallback", text="b")
    assert s.db.execute("SELECT kind, typeof(kind) FROM events").fetchall() == [("fallback", "text")] * 2
    assert [e["text"] for e in s.events(kinds=[EventKind.FALLBACK])] == ["a", "b"]


def test_the_same_session_today_stores_what_it_stored_before_migrations(tmp_path, legacy):
    s = Storage(tmp_path / "new.sqlite3")
    write_session(s)
    s.close()
    cols = "kind, lang, text, topic, score, flow, tag, detail, CASE WHEN user LIKE '~%' THEN '~' ELSE user END"
    new = sqlite3.connect(str(tmp_path / "new.sqlite3")).execute(f"SELECT {cols} FROM events ORDER BY id").fetchall()
    old = sqlite3.connect(str(legacy)).execute(f"SELECT {cols} FROM events ORDER BY id").fetchall()
    assert new == old
    for t in ("users", "flow_state", "meta"):
        shape = [tuple(r[:1]) for r in rows(tmp_path / "new.sqlite3", t)]
        assert shape == [tuple(r[:1]) for r in rows(legacy, t)], t


def _call_site_kinds():
    """The kind argument of every ``log_event(user, kind, ...)`` and ``Event(kind, ...)`` in bot/ and handlers/."""
    for folder in ("bot", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                position = {"log_event": 1, "Event": 0}.get(name)
                if position is None:
                    continue
                arg = node.args[position] if len(node.args) > position else None
                arg = arg or next((k.value for k in node.keywords if k.arg == "kind"), None)
                if arg is not None:
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", arg


def _literal_kinds(node: ast.AST) -> list[str] | None:
    """The kinds a literal argument can be (a string, EventKind.X, or a conditional of them); None if computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "EventKind":
        return [EventKind[node.attr].value] if node.attr in EventKind.__members__ else [f"EventKind.{node.attr}"]
    if isinstance(node, ast.IfExp):
        a, b = _literal_kinds(node.body), _literal_kinds(node.orelse)
        return None if a is None or b is None else a + b
    return None


def test_every_event_kind_written_in_the_code_is_known():
    """Call sites may pass the string (a str enum): a typo there would only show as a refused event, so check them all.

    A computed kind (an Event's ``.kind`` passed on) is left to the refusal at run time.
    """
    literal = [(where, kinds) for where, node in _call_site_kinds() if (kinds := _literal_kinds(node)) is not None]
    assert len(literal) >= 10
    for where, kinds in literal:
        for kind in kinds:
            assert kind in ALL_KINDS, f"{where}: {kind!r} is not an EventKind; the event would be refused"

if __name__ == "__main__":
    target = Path(sys.argv[1])
    if target.exists():
        raise SystemExit(f"{target} exists; move it away first")
    s = Storage(target)
    write_session(s)
    s.close()
    print(f"wrote {target} ({target.stat().st_size} bytes)")
