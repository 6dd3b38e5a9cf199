"""SQLite storage on a real file: WAL, masking, forget, retention, and surviving a failing disk."""
from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from bot.storage.database import FlowState, Storage


@pytest.fixture
def store(tmp_path):
    s = Storage(tmp_path / "bot.sqlite3")
    yield s
    s.close()


def test_wal_mode_and_tables(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"users", "events", "flow_state"} <= set(store.db.table_names())


def test_events_are_masked(store):
    store.log_event("u1", "question", lang="en", text="my phone 012 345 678, mail a@b.com", topic="passport", score=0.9)
    row = store.events()[-1]
    assert "012 345 678" not in row["text"] and "a@b.com" not in row["text"]
    assert row["topic"] == "passport" and row["score"] == 0.9 and row["ts"].endswith("Z")


def test_language_and_flow_survive_reopening(tmp_path):
    path = tmp_path / "bot.sqlite3"
    s = Storage(path)
    s.set_lang("u1", "km")
    s.set_flow("u1", FlowState("checklist", "contract", "Ab12Cd", {"flags": ["passport"]}, "mrc-poipet"))
    s.close()
    s2 = Storage(path)
    assert s2.get_lang("u1") == "km"
    state = s2.get_flow("u1")
    assert state.flow == "checklist" and state.step == "contract" and state.answers == {"flags": ["passport"]} and state.tag == "mrc-poipet"
    s2.set_flow("u1", None)
    s2.close()
    assert Storage(path).get_flow("u1") is None


def test_forget_deletes_everything_about_one_user(store):
    for user in ("u1", "u2"):
        store.set_lang(user, "en")
        store.log_event(user, "question", text="hello")
        store.set_flow(user, FlowState("checklist", "passport", "Ab12Cd", {}))
    deleted = store.forget("u1")
    assert deleted >= 3
    for table, col in (("events", "user"), ("users", "key"), ("flow_state", "user")):
        assert store.db.execute(f"select count(*) from {table} where {col} = 'u1'").fetchone()[0] == 0
        assert store.db.execute(f"select count(*) from {table} where {col} = 'u2'").fetchone()[0] >= 1
    assert store.get_lang("u1") is None and store.get_flow("u1") is None


def test_retention_blanks_old_text_but_keeps_counts(store):
    store.log_event("u1", "question", text="old question", topic="passport")
    store.db.execute("update events set ts = '2020-01-01T00:00:00.000000Z'")
    store.db.conn.commit()
    store.log_event("u1", "question", text="new question", topic="korea")
    assert store.apply_retention(90) == 1
    rows = store.events()
    assert [r["text"] for r in rows] == [None, "new question"]
    assert [r["topic"] for r in rows] == ["passport", "korea"]


def test_a_failing_disk_loses_nothing_and_never_raises(tmp_path):
    path = tmp_path / "bot.sqlite3"
    s = Storage(path)
    s.log_event("u1", "question", text="before")
    # Another process holds a write lock: every write now fails with "database is locked".
    blocker = sqlite3.connect(str(path), timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    assert s.log_event("u1", "question", text="during 1") is False
    assert s.log_event("u1", "question", text="during 2") is False
    s.set_lang("u1", "km")  # preferences keep working from memory
    assert s.get_lang("u1") == "km"
    assert s.pending == 3
    blocker.rollback()
    blocker.close()
    assert s.log_event("u1", "question", text="after") is True
    assert s.pending == 0
    assert [r["text"] for r in s.events()] == ["before", "during 1", "during 2", "after"]
    s.close()
    assert Storage(path).get_lang("u1") == "km"


def test_read_only_database_does_not_stop_logging_calls(tmp_path):
    path = tmp_path / "bot.sqlite3"
    Storage(path).close()
    os.chmod(path, stat.S_IRUSR)
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    s = Storage(path)
    assert s.log_event("u1", "question", text="x") is False
