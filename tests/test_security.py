"""The security audit's findings (issue 11), each as behaviour that failed before its fix.

Webhook findings (F1, F2, F13) are in tests/test_webhook.py, masking (F5, F8) in
tests/test_masking.py; the rest are here: deletion that reaches the disk (F3), keys and
their secret (F4, F12), retention (F6), logs (F7, F9), admin replies (F10), YAML aliases
(F11), bounded caches (F14), terminal escapes (F15), dependency floors (F16), edited
messages (F17).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
import os
import sqlite3
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.version import Version

from bot.tg.app import LOCAL_TOKEN
from bot.config import ConfigError, Settings, load_settings
from bot.tg.fakeapi import FakeBotAPI, LoopbackServer
from bot.storage.keys import SecretError, UserKeys, load_or_create_secret
from bot.services import Services
from bot.storage.database import DB_FILE, Storage
from tests.conftest import ROOT, callback_data, running_bot

USER = FakeBotAPI.user(5123456789, "Sreymom", "en", "sreymom_pp")
OTHER = FakeBotAPI.user(5987654321, "Bopha", "en", "bopha_kh")
ADMIN = FakeBotAPI.user(42, "Admin", "en")


def data_blob(folder: Path) -> bytes:
    """Every byte of every file in the data folder (database, WAL, shm, secret)."""
    blob = b""
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            blob += path.read_bytes()
    return blob


# --- F3: /forget reaches the disk ------------------------------------------------------


async def test_forget_leaves_nothing_of_the_user_in_any_file(settings, catalog_services):
    """After "everything deleted", a byte scan of the WAL, the database and its free pages finds nothing."""
    mine = "MARKERFORGET rice harvest visa quota"
    theirs = "MARKERKEEP durian season permit"
    async with running_bot(settings, catalog_services) as h:
        for user, text in ((USER, mine), (OTHER, theirs)):
            await h.say("/start checklist--bb-mrc", user=user)
            await h.press(callback_data(h.api.last_message(user["id"]))[0], user=user)
            await h.say(text, user=user)
            await h.say(f"{text} again, second question", user=user)
            await h.press("l:en", user=user)
        key = h.services.user_key(USER["id"])
        h.services.storage.flush()
        # Both users are in the files before (the scan can see them).
        blob = data_blob(settings.data_dir)
        assert mine.encode() in blob and theirs.encode() in blob and key.encode() in blob
        await h.say("/forget", user=USER)
        sent = await h.press("fg:yes", user=USER)
        assert "has been deleted" in sent[0]["plain"]
        # Scanned while the bot still runs (files open), then again after it stopped.
        blob = data_blob(settings.data_dir)
        assert mine.encode() not in blob and b"MARKERFORGET" not in blob
        assert key.encode() not in blob
        assert theirs.encode() in blob  # the other user's data is untouched
    blob = data_blob(settings.data_dir)
    assert b"MARKERFORGET" not in blob and key.encode() not in blob
    assert b"MARKERKEEP" in blob


def test_secure_delete_and_wal_truncated_after_forget(tmp_path):
    storage = Storage(tmp_path / DB_FILE)
    assert storage.db.execute("PRAGMA secure_delete").fetchone()[0] == 1
    storage.log_event("k1", "question", text="SECRET-TEXT-ONE " * 20)
    storage.forget("k1")
    assert os.path.getsize(f"{tmp_path / DB_FILE}-wal") == 0
    assert b"SECRET-TEXT-ONE" not in data_blob(tmp_path)
    storage.close()


def test_forget_while_a_report_reads_finishes_the_wipe_on_the_next_flush(tmp_path):
    storage = Storage(tmp_path / DB_FILE)
    storage.log_event("k1", "question", text="SECRET-TEXT-TWO " * 20)
    storage.log_event("k2", "question", text="other user")
    reader = sqlite3.connect(str(tmp_path / DB_FILE))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM events").fetchone()  # a report holds a snapshot
    storage.forget("k1")
    assert storage._checkpoint_due  # could not truncate under the reader; not blocked either
    reader.rollback()
    reader.close()
    storage.flush()
    assert not storage._checkpoint_due
    assert os.path.getsize(f"{tmp_path / DB_FILE}-wal") == 0
    assert b"SECRET-TEXT-TWO" not in data_blob(tmp_path)
    storage.close()


def test_database_files_are_owner_only(tmp_path):
    storage = Storage(tmp_path / DB_FILE)
    storage.log_event("k1", "question", text="hello")
    for name in (DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm"):
        path = tmp_path / name
        assert path.exists(), name
        assert path.stat().st_mode & 0o077 == 0, (name, oct(path.stat().st_mode))
    storage.close()


# --- F6: retention, tags, answers --------------------------------------------------------


def _age(storage: Storage, key: str, days: int) -> None:
    old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.123456Z")
    with storage.db.conn:
        storage.db.execute("UPDATE events SET ts = ? WHERE user = ?", [old, key])
        storage.db.execute("UPDATE users SET last_seen = ?, first_seen = ? WHERE key = ?", [old[:10], old[:10], key])
        storage.db.execute("UPDATE flow_state SET updated = ? WHERE user = ?", [old, key])


def test_retention_unlinks_old_rows_and_keeps_daily_counts(tmp_path):
    from bot.reporting import stats as st

    storage = Storage(tmp_path / DB_FILE)
    for key in ("olduser1", "olduser2"):
        storage.touch_user(key)
        storage.set_lang(key, "km")
        storage.log_event(key, "question", text="OLD-QUESTION my boss took my passport", topic="passport")
        storage.log_event(key, "flow_answer", flow="emergency", tag="bb-mrc", detail="where:3")
        storage.log_event(key, "button", detail="a:abcd:where")
    from bot.storage.database import FlowState

    storage.set_flow("olduser1", FlowState("emergency", "where", "abcd", {"where": 3}, "bb-mrc"))
    storage.log_event("newuser", "question", text="RECENT-QUESTION", topic="passport")
    storage.flush()
    for key in ("olduser1", "olduser2"):
        _age(storage, key, 120)
    before = st.compute_stats(storage.db, None)
    n = storage.apply_retention(90)
    assert n == 6
    rows = storage.db.execute("SELECT user, text, detail, ts, tag FROM events WHERE user != 'newuser'").fetchall()
    for user, text, detail, ts, tag in rows:
        assert user.startswith("~") and user not in ("olduser1", "olduser2")
        assert text is None
        assert ts.endswith(":00:00.000000Z")
        assert detail in (None, "where", "a")
    assert {r[4] for r in rows} >= {"bb-mrc"}  # centre tags (never personal: see below) stay for stats
    # One pseudonym per user and day: daily user counts are unchanged.
    assert len({r[0] for r in rows}) == 2
    after = st.compute_stats(storage.db, None)
    assert [d["users"] for d in after["days"]] == [d["users"] for d in before["days"]]
    assert after["messages"] == before["messages"]
    # Users and check progress not touched for the retention period are gone.
    assert storage.db.execute("SELECT count(*) FROM users WHERE key LIKE 'olduser%'").fetchone()[0] == 0
    assert storage.db.execute("SELECT count(*) FROM flow_state").fetchone()[0] == 0
    # Recent rows are untouched; a second run changes nothing.
    assert storage.db.execute("SELECT text FROM events WHERE user = 'newuser'").fetchone()[0] == "RECENT-QUESTION"
    assert storage.apply_retention(90) == 0
    blob = data_blob(tmp_path)
    assert b"OLD-QUESTION" not in blob and b"olduser1" not in blob and b"olduser2" not in blob
    storage.close()


async def test_deep_link_tag_that_looks_like_a_number_is_never_stored(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        sent = await h.say("/start checklist--0961234567", user=USER)
        assert sent and callback_data(sent[-1])  # the check still starts
        await h.say("/start checklist--N01234567", user=OTHER)
        h.services.storage.flush()
        blob = data_blob(settings.data_dir)
        assert b"0961234567" not in blob and b"N01234567" not in blob
        assert [r["tag"] for r in h.services.storage.events(kinds=["flow_start"])] == [None, None]


def test_qr_refuses_a_tag_that_could_be_a_phone_number(catalog_services, tmp_path):
    from bot.outreach.qr import QRError, flow_link

    flows = catalog_services.content.flows
    assert flow_link(flows, "SafeBot", "checklist", "bb-mrc-2025").endswith("checklist--bb-mrc-2025")
    with pytest.raises(QRError, match="digits"):
        flow_link(flows, "SafeBot", "checklist", "0961234567")


async def test_guided_check_choices_are_not_logged(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        await h.say("/start emergency", user=USER)
        data = next(d for d in callback_data(h.api.last_message(USER["id"])) if d.startswith("a:"))
        await h.press(data, user=USER)
        events = h.services.storage.events()
        answers = [e for e in events if e["kind"] == "flow_answer"]
        buttons = [e for e in events if e["kind"] == "button" and (e["detail"] or "").startswith("a")]
        assert answers and buttons
        step = data.split(":")[2]
        assert all(e["detail"] == step for e in answers)
        assert all(e["detail"] == f"a:{step}" for e in buttons)


async def test_privacy_notice_says_what_is_kept(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        text = (await h.say("/privacy", user=USER))[0]["plain"]
        for claim in ("phone, ID and passport numbers", "my name is", "social media", "centre's code",
                      f"After {settings.retention_days} days", "no longer linked", "/forget", "delete this chat in Telegram"):
            assert claim in text, claim
        km = FakeBotAPI.user(5111111111, "Dara", "km")
        text_km = (await h.say("/privacy", user=km))[0]["plain"]
        assert "/forget" in text_km and str(settings.retention_days) in text_km and "Telegram" in text_km


# --- F4, F12: the secret -------------------------------------------------------------------


def test_keys_are_scrypt_and_legacy_keys_are_the_old_hmac():
    keys = UserKeys(b"secret-one-0123456789")
    old = hmac.new(b"secret-one-0123456789", b"user:1001", hashlib.sha256).hexdigest()[:24]
    assert keys.legacy_key(1001) == old
    assert keys.key(1001) != old and len(keys.key(1001)) == 24
    expected = hashlib.scrypt(b"user:1001", salt=b"secret-one-0123456789", n=2**10, r=8, p=1, dklen=12).hex()
    assert keys.key(1001) == expected


def test_key_cache_is_bounded():
    keys = UserKeys(b"secret-one-0123456789", cache_size=3)
    for uid in range(10):
        keys.key(uid)
    assert keys.cached == 3 and keys.is_cached(9) and not keys.is_cached(0)


def test_secret_file_setting(tmp_path):
    f = tmp_path / "bot_secret"
    f.write_text("a-long-secret-from-a-docker-secret\n")
    assert load_settings({"BOT_SECRET_KEY_FILE": str(f)}).secret_key == "a-long-secret-from-a-docker-secret"
    with pytest.raises(ConfigError, match="not both"):
        load_settings({"BOT_SECRET_KEY_FILE": str(f), "BOT_SECRET_KEY": "another-long-secret-0123"})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings({"BOT_SECRET_KEY_FILE": str(tmp_path / "missing")})
    f.write_text("short")
    with pytest.raises(ConfigError, match="fewer than"):
        load_settings({"BOT_SECRET_KEY_FILE": str(f)})
    with pytest.raises(ConfigError, match="cannot be read"):
        load_settings({"BOT_SECRET_KEY_FILE": str(tmp_path)})


def test_generated_secret_warns_that_it_sits_beside_the_log(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.storage.keys"):
        load_or_create_secret(tmp_path, None)
    assert "BOT_SECRET_KEY_FILE" in caplog.text and "next to the log" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.storage.keys"):
        load_or_create_secret(tmp_path, "configured-secret-0123456")
    assert caplog.text == ""


def test_damaged_or_unreadable_secret_is_never_replaced(tmp_path):
    path = tmp_path / "secret.key"
    path.write_text("abc123\n")  # truncated
    with pytest.raises(SecretError, match="damaged"):
        load_or_create_secret(tmp_path, None)
    assert path.read_text() == "abc123\n"  # left for the operator to restore
    path.unlink()
    path.mkdir()  # unreadable as a file (root reads any file, so a folder stands in)
    with pytest.raises(SecretError, match="cannot be read"):
        load_or_create_secret(tmp_path, None)


def test_secret_world_readable_is_tightened(tmp_path):
    first = load_or_create_secret(tmp_path, None)
    os.chmod(tmp_path / "secret.key", 0o644)
    assert load_or_create_secret(tmp_path, None) == first
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


def test_a_different_secret_is_refused_at_start(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key="first-secret-0123456789")
    s = Services(settings, catalog=_catalog())
    s.storage.log_event(s.user_key(1), "question", text="hi")
    s.storage.close()
    with pytest.raises(SecretError, match="not the one"):
        Services(settings.with_(secret_key="other-secret-0123456789"), catalog=_catalog())
    Services(settings, catalog=_catalog()).storage.close()  # the right one still opens


def test_lost_generated_secret_is_noticed(tmp_path):
    settings = Settings(data_dir=tmp_path)
    s = Services(settings, catalog=_catalog())
    s.storage.log_event(s.user_key(1), "question", text="hi")
    s.storage.close()
    (tmp_path / "secret.key").unlink()  # lost: a new one would be generated silently before
    with pytest.raises(SecretError):
        Services(settings, catalog=_catalog())


def test_legacy_hmac_rows_move_to_the_new_key_when_the_user_returns(tmp_path):
    secret = "legacy-secret-0123456789"
    old_key = hmac.new(secret.encode(), b"user:777", hashlib.sha256).hexdigest()[:24]
    # A log written by the previous version: no fingerprint, HMAC keys.
    storage = Storage(tmp_path / DB_FILE)
    storage.set_lang(old_key, "km")
    storage.log_event(old_key, "question", text="old question")
    with storage.db.conn:
        storage.db.execute("DROP TABLE meta")
    storage.close()
    s = Services(Settings(data_dir=tmp_path, secret_key=secret), catalog=_catalog())
    new_key = s.user_key(777)
    assert new_key != old_key
    assert s.storage.get_lang(new_key) == "km"
    assert s.storage.db.execute("SELECT count(*) FROM events WHERE user = ?", [new_key]).fetchone()[0] == 1
    assert s.storage.db.execute("SELECT count(*) FROM events WHERE user = ?", [old_key]).fetchone()[0] == 0
    # /forget then finds the user's old rows too.
    s.storage.forget(new_key)
    assert b"old question" not in data_blob(tmp_path)
    s.storage.close()


_CATALOG = None


def _catalog():
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = Services(Settings(secret_key="x" * 20), storage=Storage(None)).catalog
    return _CATALOG


# --- F7, F9: logs ----------------------------------------------------------------------------


async def test_debug_logging_writes_no_personal_data_or_token(settings, catalog_services, capsys):
    from bot.cli.main import setup_logging

    user = FakeBotAPI.user(5123498765, "Sovannary", "en", "sovannary_secret")
    setup_logging(settings.with_(log_level="DEBUG", token=LOCAL_TOKEN))
    try:
        async with running_bot(settings, catalog_services) as h:
            await h.say("/start", user=user)
            await h.say("my boss Mr Chea Vuthy took my passport PRIVATE-WORDS-XYZ", user=user)
            await h.press("l:en", user=user)
        err = capsys.readouterr().err
    finally:
        logging.getLogger().handlers[:] = []
        logging.getLogger().setLevel(logging.WARNING)
    assert "DEBUG" in err  # debug logging did run
    for needle in ("5123498765", "Sovannary", "sovannary_secret", "PRIVATE-WORDS-XYZ", LOCAL_TOKEN, LOCAL_TOKEN.split(":")[1]):
        assert needle not in err, needle


def test_scrubber_on_the_shapes_libraries_log():
    from bot.cli.logs import scrub

    token = "987654321:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0"
    lines = [
        f"httpx: HTTP Request: POST https://api.telegram.org/bot{token}/getMe \"HTTP/1.1 401\"",
        "Update(message=Message(chat=Chat(first_name='Sokha', id=5123456789, type=<ChatType.PRIVATE>), "
        "from_user=User(first_name='Sokha', id=5123456789, is_bot=False, username='sokha_kh'), text='help me please'))",
        '{"update_id": 5, "message": {"from": {"id": 5123456789, "first_name": "Sok \\"Dara\\"", "username": "sok"}, "text": "hi"}}',
        "Calling Bot API endpoint `sendMessage` with parameters `{'chat_id': 5123456789, 'text': 'answer'}`",
        "telegram.error.InvalidToken: The token `111111111:BBHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0` was rejected",
    ]
    out = scrub("\n".join(lines), token)
    for needle in (token, "5123456789", "Sokha", "sokha_kh", "help me please", "Dara", "BBHfiqks", "'answer'"):
        assert needle not in out, needle
    assert "sendMessage" in out and "getMe" in out  # what happened is still readable


@pytest.mark.process
async def test_rejected_token_is_a_clear_message_without_the_token(tmp_path):
    token = "987654321:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0"
    api = FakeBotAPI()
    api.rejected_tokens.add(token)
    server = await LoopbackServer(api).start()
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_SECRET_KEY": "test-secret-key-0123456789",
        "BOT_LOG_LEVEL": "DEBUG",
    }
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        await server.stop()
    text = (out + err).decode()
    assert proc.returncode == 78, text[-2000:]
    assert "TELEGRAM_BOT_TOKEN" in text and "rejected" in text
    assert token not in text and token.split(":")[1] not in text
    assert "Traceback" not in text


# --- F10, F17: admin replies and edited messages ------------------------------------------


async def test_admin_command_in_a_chat_that_is_not_the_admins_own_is_refused(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        own = await h.say("/stats", user=ADMIN)
        assert "statistics" in own[0]["plain"]
        attacker_chat = {"id": 5550001, "type": "private", "first_name": "x"}
        forged = await h.say("/stats", user=ADMIN, chat=attacker_chat)
        assert forged and all("statistics" not in m["plain"] for m in forged)
        unknown = await h.say("/nosuchcommand", user=ADMIN, chat=attacker_chat)
        assert [m["plain"] for m in forged] == [m["plain"] for m in unknown]  # the same reply as any unknown command


async def test_edited_message_never_runs_a_command(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        await h.say("how much is a passport", user=USER)
        before = len(h.api.sent())
        for text, who in (("/forget", USER), ("/stats", ADMIN), ("/start", USER), ("/privacy", USER)):
            update = h.api.push_text(who, text)
            update["edited_message"] = {**update.pop("message"), "edit_date": 1}
            await h.feed(update)
        assert len(h.api.sent()) == before
        assert h.services.storage.events(kinds=["question"])  # nothing was deleted


# --- F11: YAML aliases ------------------------------------------------------------------------


def test_yaml_alias_bomb_is_refused_with_file_and_line(tmp_path):
    import shutil

    from bot.content.model import ContentError
    from bot.content.loader import load_content

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    bomb = ["lol: &a0 [x, x, x, x, x, x, x, x, x]"]
    bomb += [f"l{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    target = content / "topics" / "passport.yaml"
    target.write_text(target.read_text(encoding="utf-8") + "\n" + "\n".join(bomb) + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_content(content)
    assert any("passport.yaml" in p and "aliases" in p for p in err.value.problems)


# --- F14: bounded caches ----------------------------------------------------------------------


def test_storage_caches_are_bounded(tmp_path, monkeypatch):
    import bot.storage.database as storage_mod

    monkeypatch.setattr(storage_mod, "CACHE_USERS", 50)
    storage = Storage(None)
    for i in range(500):
        key = f"user{i}"
        storage.get_lang(key)
        storage.get_flow(key)
        storage.set_inferred_lang(key, "km")
    assert len(storage._prefs) <= 50 and len(storage._flows) <= 50 and len(storage._inferred) <= 50
    storage.set_lang("user1", "en")
    assert storage.get_lang("user1") == "en"  # still right after eviction (read back from the file)


# --- F15: terminal escapes in editors' output ---------------------------------------------------


def test_control_characters_never_reach_the_editors_terminal(tmp_path, monkeypatch, capsys):
    from bot.cli.main import main

    evil = "passport \x1b]0;owned\x07\x1b[2J\x9b31m\u202egnp.exe help"
    storage = Storage(tmp_path / DB_FILE)
    storage.log_event("k1", "fallback", text=evil, lang="en", detail="en")
    assert "\x1b" not in storage.events()[0]["text"] and "\u202e" not in storage.events()[0]["text"]
    with storage.db.conn:  # a row from before the fix, written raw
        storage.db.execute("INSERT INTO events (ts, user, kind, lang, text, detail) VALUES (?, ?, ?, ?, ?, ?)",
                           ["2026-01-01T00:00:00.000000Z", "k2", "fallback", "en", evil, "en"])
    storage.close()
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    for args in (["unanswered"], ["unanswered", "--yaml"], ["unanswered", "--json"]):
        assert main(args) == 0
        out = capsys.readouterr().out
        assert "passport" in out
        for ch in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert ch not in out, (args, repr(ch))


# --- F16: dependency floors -------------------------------------------------------------------


def _advisories() -> list[dict]:
    return tomllib.loads((ROOT / "tests" / "data" / "advisories.toml").read_text())["advisory"]


def _floors() -> dict[str, Version]:
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = list(project["project"]["dependencies"]) + list(project["build-system"]["requires"])
    for extra in project["project"].get("optional-dependencies", {}).values():
        reqs += extra
    floors: dict[str, Version] = {}
    for raw in reqs:
        req = Requirement(raw)
        for spec in req.specifier:
            if spec.operator in (">=", "==", "~="):
                name = req.name.lower()
                floors[name] = max(floors.get(name, Version("0")), Version(spec.version))
    return floors


@pytest.mark.parametrize("adv", _advisories(), ids=lambda a: f"{a['package']}-{a['id']}")
def test_no_dependency_floor_admits_a_known_vulnerable_release(adv):
    floors = _floors()
    assert adv["package"] in floors, f"{adv['package']} has no floor in pyproject.toml ({adv['id']})"
    assert floors[adv["package"]] >= Version(adv["fixed"]), f"{adv['package']} floor admits {adv['id']}"
    if adv.get("where") != "build-system":
        try:
            installed = Version(metadata.version(adv["package"]))
        except metadata.PackageNotFoundError:
            return
        assert installed >= Version(adv["fixed"]), f"installed {adv['package']} {installed} has {adv['id']}"
