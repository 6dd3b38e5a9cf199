"""Statistics and the unanswered to-do list, computed from a log made by a scripted conversation with the real bot.

The conversation runs through the production Application (the ``harness``
fixture) over content with one extra small guided check, so every kind of
event the bot logs today is produced the way users produce it.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from bot.reporting import stats as st
from bot.config import Settings
from bot.tg.fakeapi import FakeBotAPI
from bot.services import Services
from bot.storage.database import DB_FILE, Storage
from tests.conftest import ROOT, CliResult, callback_data, run_main

# --- the scripted conversation ------------------------------------------------------

EN = FakeBotAPI.user(2002, "John", "en", "john_uk")
KM = FakeBotAPI.user(1001, "Sokha", "km", "sokha_kh")
LATN = FakeBotAPI.user(3003, "Dara", None)
PHONE = FakeBotAPI.user(4004, "Vanna", "en")
FLOW1 = FakeBotAPI.user(5005, "Srey", "km")
FLOW2 = FakeBotAPI.user(6006, "Bopha", "en")
FLOW3 = FakeBotAPI.user(7007, "Rith", "en")

FOOTBALL = [
    "who won the football match last night?",
    "Who won the football match last night??",
    "football match last night, who won?",
]
FOOTBALL_PERSONAL = "who won the football match last night? call me on 012 345 678 or sokha@example.com"
FOOTBALL_MASKED = "who won the football match last night? call me on [number] or [email]"
MOVIE = ["recommend a good movie to watch tonight", "good movie to watch tonight?"]
KM_PASSPORT = "តើធ្វើលិខិតឆ្លងដែនអស់ប៉ុន្មាន?"
KM_OFF_TOPIC = "តើក្រុមបាល់ទាត់ណាឈ្នះយប់មិញ?"
LATN_PASSPORT = "passport tlai ponman"
EN_PASSPORT = "how much does a passport cost?"

TEST_FLOW = """\
id: test-check
title:
  en: Test check
  km: ការត្រួតពិនិត្យសាកល្បង
description:
  en: A two-step check used by the tests
  km: ការត្រួតពិនិត្យពីរជំហានសម្រាប់ការសាកល្បង
steps:
  - id: passport
    ask:
      en: Do you have a passport?
      km: តើអ្នកមានលិខិតឆ្លងដែនទេ?
    choices:
      - label: {en: "Yes", km: "មាន"}
        next: contract
      - label: {en: "No", km: "គ្មាន"}
        next: contract
        flag: no-passport
  - id: contract
    ask:
      en: Have you read your contract?
      km: តើអ្នកបានអានកិច្ចសន្យារបស់អ្នកហើយឬនៅ?
    choices:
      - label: {en: "Yes", km: "អានហើយ"}
        next: end
      - label: {en: "No", km: "មិនទាន់"}
        next: end
        flag: no-contract
results:
  - flag: no-passport
    text: {en: Get a passport first., km: សូមធ្វើលិខិតឆ្លងដែនជាមុនសិន។}
    topic: passport
  - flag: no-contract
    text: {en: Read your contract before you sign., km: សូមអានកិច្ចសន្យាមុនពេលចុះហត្ថលេខា។}
    topic: contract
"""


def content_with_flow(dest: Path) -> Path:
    """A copy of the real content plus the small guided check above."""
    shutil.copytree(ROOT / "content", dest)
    (dest / "flows").mkdir(exist_ok=True)
    (dest / "flows" / "test-check.yaml").write_text(TEST_FLOW, encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def catalog_services(tmp_path_factory) -> Services:
    """Overrides conftest's fixture of the same name: the real content plus the test check (for funnels and tags)."""
    root = content_with_flow(tmp_path_factory.mktemp("content-with-flow") / "content")
    settings = Settings(data_dir=tmp_path_factory.mktemp("catalog-data"), content_dir=root, secret_key="test-secret-key-0123456789")
    return Services(settings, storage=Storage(None))


def _answer_button(sent: list[dict], step: str, choice: int) -> str:
    for message in reversed(sent):
        for data in callback_data(message):
            if data.startswith("a:") and data.endswith(f":{step}:{choice}"):
                return data
    raise AssertionError(f"no button for step {step} choice {choice} in {[callback_data(m) for m in sent]}")


async def run_script(h) -> None:
    """Seven people use the bot: questions in en/km/km-latn, fallbacks, feedback, a language switch, checks."""
    await h.say("/start", user=EN)
    await h.say(EN_PASSPORT, user=EN)
    await h.press("fb:passport:1", user=EN)
    for q in FOOTBALL:
        await h.say(q, user=EN)
    await h.press("l:km", user=EN)  # switches to Khmer
    await h.say(EN_PASSPORT, user=EN)  # answered in Khmer now

    await h.say("/start", user=KM)
    await h.say(KM_PASSPORT, user=KM)
    await h.press("fb:passport:0", user=KM)  # 👎 on the answer to a Khmer question
    await h.say(KM_OFF_TOPIC, user=KM)

    await h.say(LATN_PASSPORT, user=LATN)

    await h.say(FOOTBALL_PERSONAL, user=PHONE)
    for q in MOVIE:
        await h.say(q, user=PHONE)
    await h.press("t:passport", user=PHONE, message=None)  # opened from the menu...
    await h.press("fb:passport:0", user=PHONE)  # ...and 👎 without having asked anything about it

    sent = await h.say("/start test-check--ngo-a", user=FLOW1)
    sent = await h.press(_answer_button(sent, "passport", 0), user=FLOW1)
    await h.press(_answer_button(sent, "contract", 1), user=FLOW1)

    sent = await h.say("/start test-check--ngo-a", user=FLOW2)
    await h.press(_answer_button(sent, "passport", 1), user=FLOW2)
    await h.say("/cancel", user=FLOW2)

    sent = await h.press("f:test-check", user=FLOW3, message=None)
    sent = await h.press(_answer_button(sent, "passport", 1), user=FLOW3)
    await h.press(_answer_button(sent, "contract", 0), user=FLOW3)
    await h.say("/start no-such-check", user=FLOW3)

    await h.say("/stats", user=EN)  # not an admin: an unknown command
    h.services.storage.flush()


@pytest.fixture
async def scripted(harness):
    await run_script(harness)
    return harness


def run_cli(*args: str, data_dir: Path) -> CliResult:
    """``python -m bot *args`` (in-process) with only BOT_DATA_DIR set, from the project folder."""
    return run_main(*args, env={"BOT_DATA_DIR": str(data_dir)}, cwd=ROOT)


# --- statistics -----------------------------------------------------------------------


async def test_stats_from_scripted_conversation(scripted):
    s = st.compute_stats(scripted.services.storage)
    json.dumps(s)  # JSON-serialisable
    assert s["empty"] is False
    assert s["users"] == 7
    assert s["kinds"]["question"] == 4 and s["kinds"]["fallback"] == 7
    assert s["questions"] == {"total": 11, "answered": 4, "fallback": 7, "answered_rate": 0.3636, "fallback_rate": 0.6364}
    # 11 questions, 5 /start, 1 unknown command (/stats from a non-admin); /cancel logs flow_cancel only.
    assert s["messages"] == 17
    assert s["starts"] == {"total": 5, "deep_link": 2, "bad_payload": 1}
    # l:km, t:passport, 6 flow buttons (f:test-check and 5 answers); 3 feedback presses.
    assert s["kinds"]["button"] == 8 and s["kinds"]["feedback"] == 3
    assert s["button_presses"] == 11
    assert s["top_topics"] == [{"topic": "passport", "questions": 4}]
    passport = next(t for t in s["topics"] if t["topic"] == "passport")
    assert passport["answered"] == 4 and passport["opened"] == 1 and passport["up"] == 1 and passport["down"] == 2

    assert s["languages"]["messages"] == {"en": 7, "km": 4}
    assert s["languages"]["scripts"] == {"en": 8, "km": 2, "km-latn": 1}
    # Each user's latest language: John switched to Khmer.
    assert s["languages"]["users"] == {"km": 4, "en": 3}

    fb = s["feedback"]
    assert (fb["up"], fb["down"], fb["helpful_rate"]) == (1, 2, 0.3333)
    assert fb["topics"] == [{"topic": "passport", "up": 1, "down": 2, "helpful_rate": 0.3333}]

    assert s["flows"] == [{
        "flow": "test-check", "starts": 3, "completions": 2, "cancels": 1, "completion_rate": 0.6667,
        "steps": [{"step": "passport", "answers": 3}, {"step": "contract", "answers": 2}],
    }]
    tags = {(r["flow"], r["tag"]): (r["starts"], r["completions"], r["cancels"]) for r in s["flow_tags"]}
    assert tags == {("test-check", "ngo-a"): (2, 1, 1), ("test-check", None): (1, 1, 0)}

    assert sum(d["messages"] for d in s["days"]) == 17
    assert sum(d["answered"] for d in s["days"]) == 4 and sum(d["fallback"] for d in s["days"]) == 7
    assert sum(s["hours"]) == 17 and len(s["hours"]) == 24
    busiest = s["busiest_hours"][0]
    assert s["hours"][busiest["hour"]] == busiest["messages"] == max(s["hours"])

    text = st.render_stats_text(s, {"passport": "Getting a passport"})
    for expected in ("Users: 7", "answered 4 (36.4%)", "fallback 7 (63.6%)", "passport (Getting a passport)",
                     "test-check", "tag ngo-a", "Busiest hours", "not helpful 2"):
        assert expected in text, expected


async def test_stats_since_excludes_older_events(scripted):
    storage = scripted.services.storage
    storage.db["events"].insert({"ts": "2020-01-05T03:00:00.000000Z", "user": "old-user", "kind": "question", "lang": "en",
                                 "text": "old question", "topic": "passport", "score": 0.9, "detail": "en"})
    all_time = st.compute_stats(storage)
    assert all_time["users"] == 8 and all_time["questions"]["answered"] == 5
    assert all_time["days"][0]["day"] == "2020-01-05"  # 03:00 UTC is 10:00 in Cambodia
    recent = st.compute_stats(storage, since=st.parse_since("2d"))
    assert recent["users"] == 7 and recent["questions"]["answered"] == 4
    assert recent["period"]["since"] is not None


def test_empty_and_fresh_database(tmp_path):
    storage = Storage(tmp_path / DB_FILE)
    s = st.compute_stats(storage)
    assert s["empty"] is True and s["users"] == 0 and s["questions"]["answered_rate"] is None
    assert "No data yet" in st.render_stats_text(s)
    assert st.unanswered(storage) == []
    assert "No unanswered questions" in st.render_unanswered_text([])
    assert yaml.safe_load(st.render_unanswered_yaml([])) == {}
    storage.close()


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(st.StatsError, match="No conversation log"):
        st.compute_stats(tmp_path / "nope" / DB_FILE)
    assert not (tmp_path / "nope").exists()  # reading never creates a database


NOW = dt.datetime(2025, 3, 10, 5, 0, tzinfo=dt.timezone.utc)  # 12:00 in Phnom Penh


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2025-01-31", dt.datetime(2025, 1, 30, 17, 0, tzinfo=dt.timezone.utc)),  # midnight, Cambodia time
        ("7d", NOW - dt.timedelta(days=7)),
        ("12h", NOW - dt.timedelta(hours=12)),
        ("2W", NOW - dt.timedelta(weeks=2)),
        ("today", dt.datetime(2025, 3, 9, 17, 0, tzinfo=dt.timezone.utc)),
        ("2025-03-01T08:30", dt.datetime(2025, 3, 1, 1, 30, tzinfo=dt.timezone.utc)),
        ("2025-03-01T08:30Z", dt.datetime(2025, 3, 1, 8, 30, tzinfo=dt.timezone.utc)),
        (None, None),
        ("", None),
    ],
)
def test_parse_since(value, expected):
    assert st.parse_since(value, now=NOW) == expected


@pytest.mark.parametrize("value", ["yesterday-ish", "2025-13-01", "31/01/2025", "0d", "7 days", "2030-01-01", "0001-01-01",
                                   "999999d", "2025-01-01T25:00", "\x00", "-7d"])
def test_parse_since_rejects_with_a_clear_message(value):
    with pytest.raises(st.SinceError) as info:
        st.parse_since(value, now=NOW)
    assert repr(value) in str(info.value)


# --- unanswered ----------------------------------------------------------------------


async def test_unanswered_groups_from_scripted_conversation(scripted):
    groups = st.unanswered(scripted.services.storage, matcher=scripted.services.matcher)
    json.dumps(groups)
    assert len(groups) == 4
    assert sum(g["count"] for g in groups) == 8  # 7 fallbacks + the Khmer question rated 👎

    football = groups[0]
    assert football["count"] == 4 and football["users"] == 2 and football["fallbacks"] == 4
    assert football["question"] == FOOTBALL[0]
    assert set(football["variants"]) == {FOOTBALL[1], FOOTBALL[2], FOOTBALL_MASKED}
    assert football["languages"] == {"en": 4} and football["lang"] == "en"
    assert football["answered_now_by"] is None
    assert football["weak"] is True  # off-topic: no topic is really near

    movie = groups[1]
    assert (movie["count"], movie["users"], movie["question"], movie["variants"]) == (2, 1, MOVIE[0], [MOVIE[1]])

    rest = {g["question"]: g for g in groups[2:]}
    assert set(rest) == {KM_PASSPORT, KM_OFF_TOPIC}
    down = rest[KM_PASSPORT]
    assert (down["count"], down["thumbs_down"], down["fallbacks"], down["nearest"], down["lang"]) == (1, 1, 0, "passport", "km")
    assert down["weak"] is False and down["nearest_score"] >= scripted.services.matcher.threshold  # it was answered
    assert rest[KM_OFF_TOPIC]["lang"] == "km" and rest[KM_OFF_TOPIC]["thumbs_down"] == 0

    # The nearest topic of each group is the most common nearest topic of its asks, as logged.
    logged = {r["text"]: r["topic"] for r in scripted.services.storage.events(kinds=["fallback"])}
    assert movie["nearest"] == logged[MOVIE[0]] == logged[MOVIE[1]]

    text = st.render_unanswered_text(groups, limit=2)
    assert "4× (2 users)" in text and "… and 2 more groups" in text
    assert "012 345 678" not in text and "sokha@example.com" not in text


async def test_personal_data_is_masked_in_every_output(scripted):
    storage = scripted.services.storage
    stored = [r["text"] for r in storage.events(kinds=["fallback"])]
    assert FOOTBALL_MASKED in stored
    groups = st.unanswered(storage)
    outputs = [json.dumps(groups, ensure_ascii=False), st.render_unanswered_text(groups), st.render_unanswered_yaml(groups),
               json.dumps(st.compute_stats(storage), ensure_ascii=False)]
    for out in outputs:
        for secret in ("012 345 678", "012345678", "sokha@example.com", "Vanna", "4004"):
            assert secret not in out


def test_rows_written_unmasked_by_other_tools_are_masked_on_the_way_out(tmp_path):
    storage = Storage(tmp_path / DB_FILE)
    storage.db["events"].insert({"ts": st.iso_utc(dt.datetime.now(dt.timezone.utc)), "user": "u", "kind": "fallback",
                                 "lang": "en", "text": "my passport N1234567 was taken, mail me x.y@mail.com",
                                 "topic": "passport-kept", "score": 0.3, "detail": "en"})
    out = st.render_unanswered_text(st.unanswered(storage))
    assert "N1234567" not in out and "x.y@mail.com" not in out and "[id-number]" in out and "[email]" in out
    storage.close()


async def test_unanswered_yaml_stubs(scripted):
    groups = st.unanswered(scripted.services.storage, matcher=scripted.services.matcher)
    text = st.render_unanswered_yaml(groups, "all time")
    data = yaml.safe_load(text)  # valid YAML, ready to paste
    assert data["passport"]["km"] == [KM_PASSPORT]
    football_topic = groups[0]["nearest"] or st.NO_TOPIC
    assert FOOTBALL[0] in data[football_topic]["en"]
    assert KM_OFF_TOPIC in data[groups[[g["question"] for g in groups].index(KM_OFF_TOPIC)]["nearest"] or st.NO_TOPIC]["km"]
    assert "(4 asks" in text and "(1 ask; 1 👎)" in text
    assert '#   also: "football match last night, who won?"' in text
    # Every stub line sits under a topic id and a language key of the topic files.
    for topic, langs in data.items():
        assert set(langs) <= {"en", "km", "km-latn"}, topic


def test_grouping_is_greedy_and_not_fooled_by_subsets():
    def ask(i, text, lang="en", nearest="korea", source="fallback", user="u1"):
        return st.Ask(i, text, lang, nearest, source, f"2025-01-01T00:00:{i:02d}.000000Z", user)

    asks = [
        ask(1, "how to get a visa for korea"),
        ask(2, "How to get a visa for Korea?", user="u2"),
        ask(3, "visa for korea how to get", user="u3"),
        ask(4, "korea", nearest="korea"),  # one word: must not swallow every question mentioning Korea
        ask(5, "what is the weather in korea in winter", nearest="other-countries"),
        ask(6, "weather in korea winter", nearest="korea"),
    ]
    groups = st.group_questions(asks)
    by_q = {g["question"]: g for g in groups}
    visa = by_q["how to get a visa for korea"]
    assert visa["count"] == 3 and visa["users"] == 3 and visa["distinct_phrasings"] == 3
    assert by_q["korea"]["count"] == 1
    weather = by_q["what is the weather in korea in winter"]
    assert weather["count"] == 2
    # Tie between the nearest topics of its asks: the first alphabetically, deterministic.
    assert weather["nearest"] == "korea"
    assert [g["count"] for g in groups] == sorted((g["count"] for g in groups), reverse=True)


def test_variants_are_limited_and_most_common_first():
    asks = [st.Ask(i, t, "en", "passport", "fallback", "2025-01-01T00:00:00.000000Z", f"u{i}")
            for i, t in enumerate(["passport fee now"] * 3 + ["passport fee now?"] * 2 + ["passport fee now!!", "Passport fee NOW",
                                                                                            "passport  fee  now ."])]
    (g,) = st.group_questions(asks)
    assert g["question"] == "passport fee now" and g["count"] == 8
    assert len(g["variants"]) == st.MAX_VARIANTS and g["variants"][0] == "passport fee now?"


# --- command line ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["stats", "unanswered", "report"])
def test_cli_help(command, tmp_path):
    r = run_cli(command, "--help", data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "--since" in r.stdout
    assert {"stats": "--json", "unanswered": "--yaml", "report": "--out"}[command] in r.stdout


@pytest.mark.parametrize("command", ["stats", "unanswered", "report"])
def test_cli_bad_since_is_a_usage_error(command, tmp_path):
    r = run_cli(command, "--since", "last tuesday", data_dir=tmp_path)
    assert r.returncode == 2
    assert "not a date or a period" in r.stderr and "2025-01-31" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("command", ["stats", "unanswered", "report"])
def test_cli_missing_database(command, tmp_path):
    r = run_cli(command, data_dir=tmp_path / "not-there")
    assert r.returncode == 66
    assert "No conversation log" in r.stderr and "BOT_DATA_DIR" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "not-there").exists()


def test_cli_empty_database(tmp_path):
    Storage(tmp_path / DB_FILE).close()
    r = run_cli("stats", data_dir=tmp_path)
    assert r.returncode == 0 and "No data yet" in r.stdout, r.stderr
    r = run_cli("stats", "--json", data_dir=tmp_path)
    assert json.loads(r.stdout)["empty"] is True
    r = run_cli("unanswered", "--yaml", data_dir=tmp_path)
    assert r.returncode == 0 and yaml.safe_load(r.stdout) == {}
    r = run_cli("report", "--out", str(tmp_path / "r.html"), data_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No data yet" in page and 'data-chart="messages-per-day"' in page


async def test_cli_on_the_scripted_log(scripted, settings):
    data_dir = Path(settings.data_dir)
    assert (data_dir / DB_FILE).exists()
    r = run_cli("stats", "--json", data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    from_cli = json.loads(r.stdout)
    direct = st.compute_stats(scripted.services.storage)
    for key in ("generated_at", "period", "days"):
        from_cli.pop(key), direct.pop(key)
    assert from_cli == direct

    r = run_cli("stats", "--since", "1d", data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    assert "Users: 7" in r.stdout

    r = run_cli("unanswered", data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    assert "4 groups, 8 asks (7 fallbacks, 1 👎)" in r.stdout
    assert f"“{FOOTBALL[0]}”" in r.stdout and KM_PASSPORT in r.stdout
    assert "012 345 678" not in r.stdout and "[number]" in r.stdout

    r = run_cli("unanswered", "--yaml", data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    assert yaml.safe_load(r.stdout)["passport"]["km"] == [KM_PASSPORT]

    r = run_cli("unanswered", "--json", "--limit", "1", data_dir=data_dir)
    assert [g["count"] for g in json.loads(r.stdout)] == [4]


def test_cli_unreadable_database(tmp_path):
    (tmp_path / DB_FILE).write_bytes(b"this is not a database, just some bytes" * 100)
    r = run_cli("stats", data_dir=tmp_path)
    assert r.returncode in (66, 74), r.returncode
    assert "Cannot read the conversation log" in r.stderr and "Traceback" not in r.stderr
