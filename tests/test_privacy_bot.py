"""Privacy through the real bot: /privacy, /forget, retention, and a full or read-only disk."""
from __future__ import annotations

import datetime as dt

from bot.tg.app import retention_job
from bot.tg.fakeapi import FakeBotAPI
from bot.storage.database import DB_FILE
from tests.conftest import callback_data, running_bot

USER = FakeBotAPI.user(8008, "Rith", "en")
OTHER = FakeBotAPI.user(8009, "Sreyneang", "km")


async def test_privacy_notice_in_both_languages(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        en = await h.say("/privacy", user=USER)
        assert "does not keep your name" in en[0]["plain"] and "90 days" in en[0]["plain"]
        assert "fg:ask" in callback_data(en[0])
        km = await h.say("/privacy", user=OTHER)
        assert "ឈ្មោះ" in km[0]["plain"] and "90" in km[0]["plain"]


async def test_forget_deletes_everything_about_the_user_only(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        for user in (USER, OTHER):
            await h.say("/start", user=user)
            await h.say("how much does a passport cost", user=user)
            await h.press("l:en", user=user)
            await h.say("/checks", user=user)
            await h.press("f:checklist", user=user)
        key, other_key = h.services.user_key(USER["id"]), h.services.user_key(OTHER["id"])
        sent = await h.say("/forget", user=USER)
        assert sorted(callback_data(sent[0])) == ["fg:no", "fg:yes"]
        sent = await h.press("fg:no", user=USER)
        assert "Nothing was deleted" in sent[0]["plain"]
        assert h.services.storage.events() and h.services.storage.get_lang(key) == "en"
        sent = await h.press("fg:yes", user=USER)
        assert "has been deleted" in sent[0]["plain"]
        db = h.services.storage.db
        for table, col in (("events", "user"), ("users", "key"), ("flow_state", "user")):
            assert db.execute(f"select count(*) from {table} where {col} = ?", [key]).fetchone()[0] == 0, table
            assert db.execute(f"select count(*) from {table} where {col} = ?", [other_key]).fetchone()[0] > 0, table
        assert h.services.storage.get_lang(key) is None and h.services.storage.get_flow(key) is None
        # The privacy notice's button leads to the same confirmation.
        sent = await h.press("p", user=OTHER)
        assert "fg:ask" in callback_data(sent[0])


async def test_retention_job_blanks_old_texts(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        await h.say("how much does a passport cost", user=USER)
        storage = h.services.storage
        storage.flush()
        old = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=settings.retention_days + 1)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        storage.db.execute("update events set ts = ?", [old])
        storage.db.conn.commit()
        await h.say("how do i go to korea", user=USER)

        class Ctx:
            application = h.app

        await retention_job(Ctx())
        rows = storage.events(kinds=["question", "fallback"])
        assert [r["text"] for r in rows] == [None, "how do i go to korea"]
        assert rows[0]["topic"] == "passport"  # counts are kept for stats
        job_names = [j.name for j in h.app.job_queue.jobs()]
        assert "retention" in job_names and "flush" in job_names


async def test_full_disk_does_not_stop_answers_and_loses_nothing(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        storage = h.services.storage
        await h.say("/start", user=USER)
        storage.flush()
        pages = storage.db.execute("PRAGMA page_count").fetchone()[0]
        storage.db.execute(f"PRAGMA max_page_count = {pages}")  # the database cannot grow: disk full
        for i in range(40):
            sent = await h.say(f"how much does a passport cost {'x' * 500} {i}", user=USER)
            assert sent and "passport" in sent[0]["plain"].lower()
        assert storage.flush() is False and storage.pending > 0
        storage.db.execute("PRAGMA max_page_count = 1073741823")  # space again
        assert storage.flush() is True
        texts = [r["text"] for r in storage.events(kinds=["question"])]
        assert len([t for t in texts if t and t.startswith("how much does a passport cost")]) == 40


async def test_read_only_database_does_not_stop_answers(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        storage = h.services.storage
        storage.db.execute("PRAGMA query_only = ON")
        sent = await h.say("how much does a passport cost", user=USER)
        assert sent and "passport" in sent[0]["plain"].lower()
        assert storage.flush() is False
        storage.db.execute("PRAGMA query_only = OFF")
        assert storage.flush() is True
        assert (settings.data_dir / DB_FILE).exists()
