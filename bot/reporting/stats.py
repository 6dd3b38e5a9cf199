"""Usage statistics and the editors' to-do list, computed from the conversation log.

Everything here reads the SQLite log written by :mod:`bot.storage.database` and returns
plain, JSON-serialisable data; renderers turn it into text (CLI, Telegram) or
HTML (:mod:`bot.reporting.report`). Nothing here writes to the database.

* :func:`compute_stats`: users (pseudonymous keys, only counted), messages,
  answered versus fallback, topics, languages, feedback, guided-check funnels
  and tags, days and busiest hours.
* :func:`unanswered`: questions that fell back or got 👎, grouped by similarity
  so the same question asked many ways shows once, with its count and the
  nearest topic.

Days and hours are in Cambodia time (UTC+7): a programme manager in Phnom Penh
reading "busiest hour 20:00" should not have to convert from UTC. Texts are
masked again on the way out (they are masked when stored; this also covers
rows written by older versions or other tools).
"""
from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import sqlite_utils
from rapidfuzz import fuzz, process

from bot.text.i18n import has_khmer
from bot.text.masking import mask_personal_data
from bot.storage.database import DB_FILE, Storage
from bot.storage.events import EventKind

LOCAL_OFFSET_HOURS = 7  # Cambodia (and Thailand): UTC+7, no daylight saving
LOCAL_TZ = dt.timezone(dt.timedelta(hours=LOCAL_OFFSET_HOURS), "UTC+7")
TZ_LABEL = "Cambodia time, UTC+7"
_SQL_SHIFT = f"+{LOCAL_OFFSET_HOURS} hours"

QUESTION_KINDS = (EventKind.QUESTION, EventKind.FALLBACK)
# What a person sent: typed questions, commands (/start included) and photos/stickers/voice.
MESSAGE_KINDS = (EventKind.QUESTION, EventKind.FALLBACK, EventKind.COMMAND, EventKind.START, EventKind.NON_TEXT)
BUTTON_KINDS = (EventKind.BUTTON, EventKind.FEEDBACK, EventKind.STALE_BUTTON)
TOP_TOPICS = 10
MAX_FILL_DAYS = 400  # days filled with zeros in the per-day series; longer spans start at the first event
GROUP_THRESHOLD = 80  # rapidfuzz score (0-100) above which two questions count as the same
MAX_VARIANTS = 3
LANG_KEYS = ("en", "km", "km-latn")
WEAK_SHARE = 0.5  # a nearest topic scoring under half the answer threshold is only nominally "near"


class StatsError(RuntimeError):
    """The log cannot be read: the message says why and what to do."""


class SinceError(ValueError):
    """A --since value that is neither a date nor a period."""


# --- where the data comes from ---------------------------------------------------


def db_path(settings: Any) -> Path:
    """The bot's SQLite file for these settings."""
    return Path(settings.data_dir) / DB_FILE


def open_database(path: Path | str) -> sqlite_utils.Database:
    """Open an existing log for reading; never creates one (a typo in BOT_DATA_DIR must not look like 'no data')."""
    path = Path(path)
    if not path.is_file():
        raise StatsError(
            f"No conversation log at {path}. The bot creates it the first time it runs; "
            f"set BOT_DATA_DIR to the bot's data folder (now: {path.parent})."
        )
    try:
        conn = sqlite3.connect(str(path), timeout=5)
        conn.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        raise StatsError(f"Cannot read the conversation log {path}: {exc}") from exc
    return sqlite_utils.Database(conn)


def as_database(source: Any) -> sqlite_utils.Database:
    """Accept a :class:`Storage`, a ``sqlite_utils.Database`` or a path to the SQLite file."""
    if isinstance(source, Storage):
        source.flush()  # rows queued while the disk was failing count too
        return source.db
    if isinstance(source, sqlite_utils.Database):
        return source
    if isinstance(source, (str, Path)):
        return open_database(source)
    raise TypeError(f"expected Storage, Database or path, got {type(source).__name__}")


def _has_events(db: sqlite_utils.Database) -> bool:
    return "events" in db.table_names()


# --- periods -----------------------------------------------------------------------

_PERIOD_RE = re.compile(r"^(\d{1,5})\s*([hdw])$", re.IGNORECASE)
_PERIOD_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """``YYYY-MM-DD`` (midnight, Cambodia time), ``today``, or a period back from now: ``12h``, ``7d``, ``4w``.

    Returns an aware UTC datetime, or None for no limit. Raises :class:`SinceError`
    with a message fit to show to the person who typed it.
    """
    if value is None or not str(value).strip():
        return None
    raw = str(value).strip()
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    m = _PERIOD_RE.match(raw)
    if m:
        amount = int(m.group(1))
        if amount == 0:
            raise SinceError(f"{raw!r}: the period must be at least 1 (like 1d).")
        try:
            return now - dt.timedelta(**{_PERIOD_UNITS[m.group(2).lower()]: amount})
        except OverflowError:
            raise SinceError(f"{raw!r} is too far back.") from None
    if raw.lower() in ("today", "yesterday"):
        day = now.astimezone(LOCAL_TZ).date() - dt.timedelta(days=1 if raw.lower() == "yesterday" else 0)
        return dt.datetime.combine(day, dt.time(), LOCAL_TZ).astimezone(dt.timezone.utc)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            since = dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(), LOCAL_TZ)
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?", raw):
            since = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if since.tzinfo is None:
                since = since.replace(tzinfo=LOCAL_TZ)
        else:
            raise ValueError(raw)
    except ValueError:
        raise SinceError(
            f"{raw!r} is not a date or a period. Use a date like 2025-01-31 "
            "(midnight, Cambodia time), 'today', or a period back from now like 12h, 7d or 4w."
        ) from None
    try:
        since = since.astimezone(dt.timezone.utc)
    except OverflowError:
        raise SinceError(f"{raw!r} is too far back; use a date after the year 2000.") from None
    if since > now:
        raise SinceError(f"{raw!r} is in the future: there is nothing to count yet.")
    return since


def iso_utc(ts: dt.datetime | None) -> str | None:
    return ts.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if ts else None


def _sql_since(since: dt.datetime | None) -> str | None:
    """Events store ``%Y-%m-%dT%H:%M:%S.%fZ``; this prefix compares correctly as text."""
    return since.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") if since else None


def local_time(iso_ts: str | None) -> str:
    """``2025-01-31T13:05:00Z`` -> ``2025-01-31 20:05`` (Cambodia time)."""
    if not iso_ts:
        return ""
    ts = dt.datetime.fromisoformat(iso_ts.replace("Z", "+00:00"))
    return ts.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


# --- statistics ---------------------------------------------------------------------


class _Q:
    """Small SQL helper: every query is limited to the period."""

    def __init__(self, db: sqlite_utils.Database, since: dt.datetime | None) -> None:
        self.db = db
        self.since = _sql_since(since)

    def rows(self, select: str, where: str = "1", group: str = "", params: Iterable[Any] = ()) -> list[tuple]:
        sql = f"SELECT {select} FROM events WHERE ({where})"
        args = list(params)
        if self.since:
            sql += " AND ts >= ?"
            args.append(self.since)
        if group:
            sql += f" GROUP BY {group}"
        return self.db.execute(sql, args).fetchall()

    @staticmethod
    def kinds(kinds: Iterable[EventKind]) -> str:
        return "kind IN (" + ",".join(f"'{EventKind(k).value}'" for k in kinds) + ")"


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def compute_stats(source: Any, since: dt.datetime | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """All the figures an editor or programme manager asks for, as JSON-serialisable data.

    ``source``: a :class:`Storage`, a ``sqlite_utils.Database`` or the path of the
    SQLite file. ``since``: an aware datetime (see :func:`parse_since`), None for all time.
    """
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    db = as_database(source)
    out: dict[str, Any] = {
        "generated_at": iso_utc(now),
        "period": {"since": iso_utc(since), "until": iso_utc(now), "timezone": TZ_LABEL, "first_event": None, "last_event": None},
        "empty": True,
        "users": 0,
        "messages": 0,
        "button_presses": 0,
        "urgent": 0,
        "questions": {"total": 0, "answered": 0, "fallback": 0, "answered_rate": None, "fallback_rate": None},
        "top_topics": [],
        "topics": [],
        "languages": {"messages": {}, "scripts": {}, "users": {}},
        "feedback": {"up": 0, "down": 0, "helpful_rate": None, "topics": []},
        "starts": {"total": 0, "deep_link": 0, "bad_payload": 0},
        "flows": [],
        "flow_tags": [],
        "days": [],
        "hours": [0] * 24,
        "busiest_hours": [],
        "kinds": {},
    }
    if not _has_events(db):
        return out
    q = _Q(db, since)
    kinds = {k: n for k, n in q.rows("kind, COUNT(*)", "kind IS NOT NULL", "kind")}
    out["kinds"] = dict(sorted(kinds.items()))
    first_last = q.rows("MIN(ts), MAX(ts)")[0]
    if not sum(n for k, n in kinds.items() if k != EventKind.ADMIN):
        return out  # nothing but admins looking at the figures
    out["empty"] = False
    out["period"]["first_event"] = first_last[0][:19] + "Z" if first_last[0] else None
    out["period"]["last_event"] = first_last[1][:19] + "Z" if first_last[1] else None
    out["users"] = q.rows("COUNT(DISTINCT user)", f"user IS NOT NULL AND kind != '{EventKind.ADMIN.value}'")[0][0]
    out["messages"] = sum(kinds.get(k, 0) for k in MESSAGE_KINDS)
    out["button_presses"] = sum(kinds.get(k, 0) for k in BUTTON_KINDS)
    out["urgent"] = kinds.get(EventKind.URGENT, 0)  # replies that led with emergency help
    answered, fallback = kinds.get(EventKind.QUESTION, 0), kinds.get(EventKind.FALLBACK, 0)
    total = answered + fallback
    out["questions"] = {
        "total": total,
        "answered": answered,
        "fallback": fallback,
        "answered_rate": _rate(answered, total),
        "fallback_rate": _rate(fallback, total),
    }

    # Topics: answered questions, fallbacks whose nearest topic it was, opened from buttons, feedback.
    topics: dict[str, dict[str, Any]] = defaultdict(lambda: {"answered": 0, "fallback_nearest": 0, "opened": 0, "up": 0, "down": 0})
    for topic, kind, n in q.rows("topic, kind, COUNT(*)", q.kinds(QUESTION_KINDS) + " AND topic IS NOT NULL", "topic, kind"):
        topics[topic]["answered" if kind == EventKind.QUESTION else "fallback_nearest"] += n
    for topic, n in q.rows(
        "topic, COUNT(*)",
        f"topic IS NOT NULL AND ((kind = '{EventKind.BUTTON.value}' AND detail LIKE 't:%') OR kind = '{EventKind.COMMAND.value}')",
        "topic",
    ):
        topics[topic]["opened"] += n
    for topic, detail, n in q.rows("topic, detail, COUNT(*)", f"kind = '{EventKind.FEEDBACK.value}' AND topic IS NOT NULL", "topic, detail"):
        if detail in ("up", "down"):
            topics[topic][detail] += n
    table = [{"topic": t, **v} for t, v in topics.items()]
    table.sort(key=lambda r: (-r["answered"], -r["opened"], -r["fallback_nearest"], r["topic"]))
    out["topics"] = table
    out["top_topics"] = [{"topic": r["topic"], "questions": r["answered"]} for r in table if r["answered"]][:TOP_TOPICS]

    # Languages: of the replies, of how questions were written, and of each user's latest message.
    out["languages"]["messages"] = _sorted_counts(q.rows("lang, COUNT(*)", q.kinds(QUESTION_KINDS) + " AND lang IS NOT NULL", "lang"))
    scripts = Counter()
    for script, n in q.rows("detail, COUNT(*)", q.kinds(QUESTION_KINDS), "detail"):
        scripts[script if script in LANG_KEYS else "unknown"] += n
    out["languages"]["scripts"] = dict(sorted(scripts.items(), key=lambda kv: (-kv[1], kv[0])))
    sub_where = f"user IS NOT NULL AND lang IS NOT NULL AND kind != '{EventKind.ADMIN.value}'"
    sub_args: list[Any] = []
    if q.since:
        sub_where += " AND ts >= ?"
        sub_args.append(q.since)
    out["languages"]["users"] = _sorted_counts(
        db.execute(
            "SELECT e.lang, COUNT(*) FROM events e JOIN "
            f"(SELECT MAX(id) AS id FROM events WHERE {sub_where} GROUP BY user) last ON e.id = last.id GROUP BY e.lang",
            sub_args,
        ).fetchall()
    )

    # Feedback.
    up = sum(r["up"] for r in table)
    down = sum(r["down"] for r in table)
    fb_topics = [{"topic": r["topic"], "up": r["up"], "down": r["down"], "helpful_rate": _rate(r["up"], r["up"] + r["down"])}
                 for r in table if r["up"] or r["down"]]
    fb_topics.sort(key=lambda r: (-r["down"], -(r["up"] + r["down"]), r["topic"]))
    out["feedback"] = {"up": up, "down": down, "helpful_rate": _rate(up, up + down), "topics": fb_topics}

    # /start and deep links.
    starts = dict(q.rows("COALESCE(detail, ''), COUNT(*)", f"kind = '{EventKind.START.value}'", "COALESCE(detail, '')"))
    out["starts"] = {"total": sum(starts.values()), "deep_link": starts.get("deep-link", 0), "bad_payload": starts.get("bad-payload", 0)}

    # Guided checks: funnels per flow, starts and completions per tag.
    flows: dict[str, dict[str, Any]] = defaultdict(lambda: {"starts": 0, "completions": 0, "cancels": 0, "steps": Counter()})
    tags: dict[tuple[str, str | None], dict[str, int]] = defaultdict(lambda: {"starts": 0, "completions": 0, "cancels": 0})
    names = {EventKind.FLOW_START: "starts", EventKind.FLOW_DONE: "completions", EventKind.FLOW_CANCEL: "cancels"}
    for flow, tag, kind, n in q.rows("flow, tag, kind, COUNT(*)", q.kinds(names) + " AND flow IS NOT NULL", "flow, tag, kind"):
        flows[flow][names[kind]] += n
        tags[(flow, tag)][names[kind]] += n
    for flow, detail, n in q.rows("flow, detail, COUNT(*)", f"kind = '{EventKind.FLOW_ANSWER.value}' AND flow IS NOT NULL", "flow, detail"):
        flows[flow]["steps"][(detail or "?").split(":")[0]] += n
    flow_rows = []
    for flow, v in flows.items():
        steps = sorted(v["steps"].items(), key=lambda kv: (-kv[1], kv[0]))
        flow_rows.append(
            {
                "flow": flow,
                "starts": v["starts"],
                "completions": v["completions"],
                "cancels": v["cancels"],
                "completion_rate": _rate(v["completions"], v["starts"]),
                "steps": [{"step": s, "answers": n} for s, n in steps],
            }
        )
    flow_rows.sort(key=lambda r: (-r["starts"], r["flow"]))
    out["flows"] = flow_rows
    tag_rows = [{"flow": f, "tag": t, **v, "completion_rate": _rate(v["completions"], v["starts"])} for (f, t), v in tags.items()]
    tag_rows.sort(key=lambda r: (-r["starts"], r["flow"], r["tag"] or ""))
    out["flow_tags"] = tag_rows

    # Days and hours, Cambodia time.
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: {"messages": 0, "questions": 0, "answered": 0, "fallback": 0, "users": 0})
    for day, kind, n in q.rows(f"strftime('%Y-%m-%d', ts, '{_SQL_SHIFT}') AS d, kind, COUNT(*)", q.kinds(MESSAGE_KINDS), "d, kind"):
        per_day[day]["messages"] += n
        if kind in QUESTION_KINDS:
            per_day[day]["questions"] += n
            per_day[day]["answered" if kind == EventKind.QUESTION else "fallback"] += n
    for day, n in q.rows(
        f"strftime('%Y-%m-%d', ts, '{_SQL_SHIFT}') AS d, COUNT(DISTINCT user)", f"user IS NOT NULL AND kind != '{EventKind.ADMIN.value}'", "d"
    ):
        per_day[day]["users"] = n
    out["days"] = _fill_days(per_day, since, now)
    hours = [0] * 24
    for hour, n in q.rows(f"strftime('%H', ts, '{_SQL_SHIFT}') AS h, COUNT(*)", q.kinds(MESSAGE_KINDS), "h"):
        hours[int(hour)] = n
    out["hours"] = hours
    busiest = sorted((h for h in range(24) if hours[h]), key=lambda h: (-hours[h], h))[:3]
    out["busiest_hours"] = [{"hour": h, "messages": hours[h]} for h in busiest]
    return out


def _sorted_counts(rows: Iterable[tuple]) -> dict[str, int]:
    return dict(sorted(((str(k), int(n)) for k, n in rows), key=lambda kv: (-kv[1], kv[0])))


def _fill_days(per_day: dict[str, dict[str, int]], since: dt.datetime | None, now: dt.datetime) -> list[dict[str, Any]]:
    """One row per day, days without messages included, so a chart shows the quiet days too."""
    if not per_day:
        return []
    first = min(dt.date.fromisoformat(d) for d in per_day)
    last = max(dt.date.fromisoformat(d) for d in per_day)
    if since is not None:
        start = since.astimezone(LOCAL_TZ).date()
        end = max(last, now.astimezone(LOCAL_TZ).date())
    else:
        start, end = first, last
    if (end - start).days > MAX_FILL_DAYS:
        start = max(start, first)
    if (end - start).days > MAX_FILL_DAYS:
        return [{"day": d, **per_day[d]} for d in sorted(per_day)]
    rows = []
    day = start
    while day <= end:
        key = day.isoformat()
        rows.append({"day": key, **(per_day.get(key) or {"messages": 0, "questions": 0, "answered": 0, "fallback": 0, "users": 0})})
        day += dt.timedelta(days=1)
    return rows


# --- text rendering -----------------------------------------------------------------


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}%"


def period_text(stats: dict[str, Any]) -> str:
    p = stats["period"]
    if p["since"]:
        start = local_time(p["since"])
    elif p["first_event"]:
        start = local_time(p["first_event"]) + " (first event)"
    else:
        return f"all time, until {local_time(p['until'])} ({TZ_LABEL})"
    return f"{start} → {local_time(p['until'])} ({TZ_LABEL})"


def render_stats_text(stats: dict[str, Any], titles: dict[str, str] | None = None) -> str:
    """A plain-text summary for the terminal and for /stats in Telegram."""
    titles = titles or {}
    lines = ["Safe-migration bot: statistics", f"Period: {period_text(stats)}", ""]
    if stats["empty"]:
        lines.append("No data yet: nobody has used the bot in this period.")
        return "\n".join(lines)
    qs = stats["questions"]
    other = stats["messages"] - qs["total"]
    lines += [
        f"Users: {stats['users']} (pseudonymous, counted only)",
        f"Messages: {stats['messages']} ({qs['total']} questions, {other} commands and other); button presses: {stats['button_presses']}",
        f"Questions: {qs['total']}: answered {qs['answered']} ({_pct(qs['answered_rate'])}), "
        f"fallback {qs['fallback']} ({_pct(qs['fallback_rate'])})",
        f"Urgent: {stats['urgent']} replies led with emergency help",
    ]
    if stats["top_topics"]:
        lines += ["", "Top topics (questions answered):"]
        for row in stats["top_topics"]:
            title = titles.get(row["topic"])
            lines.append(f"  {row['questions']:>5}  {row['topic']}" + (f" ({title})" if title else ""))
    langs = stats["languages"]
    if langs["messages"]:
        lines += ["", "Languages:"]
        lines.append("  answered in: " + _split(langs["messages"]))
        lines.append("  written in:  " + _split(langs["scripts"], {"en": "English", "km": "Khmer script", "km-latn": "romanized Khmer"}))
        lines.append("  users:       " + _split(langs["users"]))
    fb = stats["feedback"]
    if fb["up"] or fb["down"]:
        lines += ["", f"Feedback: helpful {fb['up']}, not helpful {fb['down']} ({_pct(fb['helpful_rate'])} helpful)"]
        for row in fb["topics"][:TOP_TOPICS]:
            lines.append(f"  {row['topic']:<28} helpful {row['up']:>3}  not helpful {row['down']:>3}")
    if stats["flows"]:
        lines += ["", "Guided checks (started → completed):"]
        for row in stats["flows"]:
            lines.append(
                f"  {row['flow']:<20} {row['starts']:>4} → {row['completions']:<4} ({_pct(row['completion_rate'])}), left {row['cancels']}"
            )
            for t in stats["flow_tags"]:
                if t["flow"] == row["flow"] and t["tag"]:
                    lines.append(f"      tag {t['tag']:<18} {t['starts']:>4} → {t['completions']}")
    st = stats["starts"]
    if st["total"]:
        lines += ["", f"/start: {st['total']} (from deep links {st['deep_link']}, broken links {st['bad_payload']})"]
    if stats["busiest_hours"]:
        hours = ", ".join(f"{b['hour']:02d}:00–{(b['hour'] + 1) % 24:02d}:00 ({b['messages']})" for b in stats["busiest_hours"])
        lines += ["", f"Busiest hours ({TZ_LABEL}): {hours}"]
    return "\n".join(lines)


def _split(counts: dict[str, int], names: dict[str, str] | None = None) -> str:
    total = sum(counts.values())
    if not total:
        return "–"
    names = names or {}
    return ", ".join(f"{names.get(k, k)} {n} ({n / total * 100:.0f}%)" for k, n in counts.items())


# --- unanswered questions -------------------------------------------------------------


@dataclass
class Ask:
    """One question the bot could not answer (fallback) or answered unhelpfully (👎)."""

    id: int
    text: str
    lang: str  # en | km | km-latn: how it was written
    nearest: str | None
    source: str  # fallback | down
    ts: str
    user: str | None
    score: float | None = None  # the matcher's score for the nearest topic when it was asked


def _lang_key(script: str | None, text: str) -> str:
    if script in LANG_KEYS:
        return script
    return "km" if has_khmer(text) else "en"


def collect_unanswered(source: Any, since: dt.datetime | None = None) -> list[Ask]:
    """Fallbacks, and the question behind each 👎, in the period.

    The question behind a 👎 is that user's last question before the press whose
    answer (or nearest) topic is the topic rated: a 👎 under a topic opened from
    the menu has no question behind it and is left out here (it still counts in
    the feedback statistics). A question rated 👎 twice counts once.
    """
    db = as_database(source)
    if not _has_events(db):
        return []
    q = _Q(db, since)
    asks: list[Ask] = []
    for id_, text, detail, topic, ts, user, score in q.rows(
        "id, text, detail, topic, ts, user, score", f"kind = '{EventKind.FALLBACK.value}' AND text IS NOT NULL AND TRIM(text) != ''", "id"
    ):
        text = mask_personal_data(text)
        asks.append(Ask(id_, text, _lang_key(detail, text), topic, "fallback", ts, user, score))
    seen: set[int] = set()
    fallback_ids = {a.id for a in asks}
    for fb_id, topic, user in q.rows("id, topic, user", f"kind = '{EventKind.FEEDBACK.value}' AND detail = 'down' AND user IS NOT NULL", "id"):
        row = db.execute(
            f"SELECT id, text, detail, ts, score FROM events WHERE user = ? AND id < ? AND kind IN ('{EventKind.QUESTION.value}', '{EventKind.FALLBACK.value}') "
            "AND topic = ? AND text IS NOT NULL ORDER BY id DESC LIMIT 1",
            [user, fb_id, topic],
        ).fetchone()
        if row is None or row[0] in seen:
            continue
        seen.add(row[0])
        if row[0] in fallback_ids:
            continue  # already listed as a fallback
        text = mask_personal_data(row[1])
        asks.append(Ask(row[0], text, _lang_key(row[2], text), topic, "down", row[3], user, row[4]))
    asks.sort(key=lambda a: a.id)
    return asks


_MASKED_RE = re.compile(r"\[(?:number|email|id-number|username|link|name|profile)\]")


def _display(text: str) -> str:
    return " ".join(text.split())


def _cluster_key(text: str) -> str:
    from bot.text.normalize import normalize_for_match

    key = normalize_for_match(text)
    if not key:  # only stopwords or punctuation: group by the text itself
        key = re.sub(r"\W+", " ", text.casefold()).strip() or text.strip()
    return key


def _similarity(a: str, b: str) -> float:
    """token_set_ratio, except that a much shorter question is not 'the same' just because its words are a subset.

    token_set_ratio scores 100 when one question's words all appear in the other,
    so a one-word question ("work") would swallow every question mentioning work.
    """
    score = fuzz.token_set_ratio(a, b)
    na, nb = len(a.split()), len(b.split())
    if na != nb and (min(na, nb) < 2 or min(na, nb) * 2 < max(na, nb)):
        score = min(score, fuzz.token_sort_ratio(a, b))
    return score


@dataclass
class _Group:
    key: str
    asks: list[Ask] = field(default_factory=list)


def group_questions(asks: list[Ask], matcher: Any = None, threshold: float = GROUP_THRESHOLD) -> list[dict[str, Any]]:
    """Greedy clustering of similar questions (rapidfuzz on normalized words).

    The most common phrasings seed groups; each other phrasing joins the most
    similar group scoring at least ``threshold`` (0-100) or starts its own.
    With a ``matcher`` (the current content), the nearest topic of a fallback
    is recomputed, so a group shows where it would go today, and groups that the
    current content now answers are marked.
    """
    from bot.matching.matcher import DEFAULT_THRESHOLD

    weak_below = WEAK_SHARE * (getattr(matcher, "threshold", None) or DEFAULT_THRESHOLD)
    by_key: dict[str, list[Ask]] = defaultdict(list)
    for a in asks:
        by_key[_cluster_key(a.text)].append(a)
    keys = sorted(by_key, key=lambda k: (-len(by_key[k]), min(a.id for a in by_key[k])))
    groups: list[_Group] = []
    seeds: list[str] = []
    for key in keys:
        target = None
        if seeds:
            candidates = process.extract(key, seeds, scorer=fuzz.token_set_ratio, score_cutoff=threshold, limit=20)
            best = max(((_similarity(key, seed), -idx) for seed, _, idx in candidates), default=None)
            if best is not None and best[0] >= threshold:
                target = groups[-best[1]]
        if target is None:
            target = _Group(key)
            groups.append(target)
            seeds.append(key)
        target.asks.extend(by_key[key])

    now_match: dict[str, Any] = {}

    def recompute(text: str) -> Any:
        if text not in now_match:
            try:
                now_match[text] = matcher.match(text)
            except Exception:  # a matcher problem must not hide the to-do list
                now_match[text] = None
        return now_match[text]

    out = []
    for g in groups:
        texts = Counter(_display(a.text) for a in g.asks)
        first_id = {}
        for a in g.asks:
            first_id.setdefault(_display(a.text), a.id)
        # Most asked first; on a tie, a phrasing without masked personal data makes the better stub.
        ranked = sorted(texts, key=lambda t: (-texts[t], bool(_MASKED_RE.search(t)), first_id[t]))
        nearest: Counter = Counter()
        best_score: dict[str, float] = {}
        answered_now: Counter = Counter()
        fallbacks = [a for a in g.asks if a.source == "fallback"]
        for a in g.asks:
            topic, score = a.nearest, a.score
            if matcher is not None and a.source == "fallback":
                m = recompute(_display(a.text))
                if m is not None and m.best:
                    topic, score = m.best, m.score
                    if m.topic:
                        answered_now[m.topic] += 1
            if topic:
                nearest[topic] += 1
                if score is not None:
                    best_score[topic] = max(best_score.get(topic, 0.0), float(score))
        now_topic = None
        if fallbacks and answered_now:
            topic, n = answered_now.most_common(1)[0]
            if n * 2 > len(fallbacks):
                now_topic = topic
        langs = Counter(a.lang for a in g.asks)
        top = _most_common(nearest)
        top_score = best_score.get(top) if top else None
        out.append(
            {
                "question": ranked[0],
                "count": len(g.asks),
                "users": len({a.user for a in g.asks if a.user}),
                "variants": ranked[1 : 1 + MAX_VARIANTS],
                "distinct_phrasings": len(ranked),
                "nearest": top,
                "nearest_score": round(top_score, 3) if top_score is not None else None,
                # So far from any topic that it is out of scope, or a topic still to write.
                "weak": top is None or (top_score is not None and top_score < weak_below),
                "languages": dict(sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))),
                "lang": _most_common(langs) or "en",
                "fallbacks": len(fallbacks),
                "thumbs_down": len(g.asks) - len(fallbacks),
                "answered_now_by": now_topic,
                "first_asked": min(a.ts for a in g.asks)[:19] + "Z",
                "last_asked": max(a.ts for a in g.asks)[:19] + "Z",
            }
        )
    out.sort(key=lambda r: (-r["count"], -r["users"], r["question"]))
    return out


def _most_common(counter: Counter) -> str | None:
    if not counter:
        return None
    top = max(counter.values())
    return sorted(k for k, n in counter.items() if n == top)[0]


def unanswered(
    source: Any, since: dt.datetime | None = None, matcher: Any = None, threshold: float = GROUP_THRESHOLD
) -> list[dict[str, Any]]:
    """The editors' to-do list: grouped questions that fell back or got 👎, most asked first."""
    return group_questions(collect_unanswered(source, since), matcher, threshold)


def render_unanswered_text(groups: list[dict[str, Any]], limit: int | None = None, period: str | None = None) -> str:
    """Numbered list for the terminal and for /unanswered in Telegram."""
    asks = sum(g["count"] for g in groups)
    head = "Unanswered questions" + (f", {period}" if period else "")
    if not groups:
        return f"{head}\nNo unanswered questions: nothing fell back and nothing got 👎."
    fb = sum(g["fallbacks"] for g in groups)
    lines = [f"{head}: {len(groups)} groups, {asks} asks ({fb} fallbacks, {asks - fb} 👎)", ""]
    shown = groups[:limit] if limit else groups
    for i, g in enumerate(shown, 1):
        who = f"{g['users']} user" + ("s" if g["users"] != 1 else "")
        nearest = g["nearest"] or "none"
        if g["nearest"] and g["weak"]:
            nearest += f" (weak match {g['nearest_score']:.2f})"
        note = f"  (👎 {g['thumbs_down']})" if g["thumbs_down"] else ""
        lines.append(f"{i:>2}. {g['count']}× ({who}) “{g['question']}”")
        lines.append(f"    nearest: {nearest} · {', '.join(g['languages'])}{note}")
        if g["answered_now_by"]:
            lines.append(f"    now answered by: {g['answered_now_by']} (content changed since)")
        for v in g["variants"]:
            lines.append(f"    also: “{v}”")
    if limit and len(groups) > limit:
        lines.append(f"\n… and {len(groups) - limit} more groups (python -m bot unanswered)")
    return "\n".join(lines)


def _yaml_str(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


NO_TOPIC = "_no-topic"


def render_unanswered_yaml(groups: list[dict[str, Any]], period: str | None = None) -> str:
    """Example-question stubs to paste into ``content/topics/<topic>.yaml``, by nearest topic and language."""
    lines = [
        "# Questions the bot could not answer, or answered unhelpfully (👎), as example-question stubs.",
        f"# Period: {period or 'all time'}.",
        "# Under each topic id: the language keys of `questions:` in content/topics/<topic id>.yaml.",
        "# Check that the nearest topic really answers the question before pasting it; if none does,",
        f"# a new topic is needed ({NO_TOPIC}). Personal data is masked; 'also:' lines are other phrasings.",
    ]
    if not groups:
        lines.append("{}  # nothing unanswered")
        return "\n".join(lines) + "\n"
    tree: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for g in groups:
        tree[g["nearest"] or NO_TOPIC][g["lang"]].append(g)
    order = sorted(tree, key=lambda t: (t == NO_TOPIC, -sum(g["count"] for ls in tree[t].values() for g in ls), t))
    for topic in order:
        lines.append(f"{topic}:")
        langs = sorted(tree[topic], key=lambda lang: (LANG_KEYS.index(lang) if lang in LANG_KEYS else 9, lang))
        for lang in langs:
            lines.append(f"  {lang}:")
            if lang == "en" and any(_looks_romanized(g["question"]) for g in tree[topic][lang]):
                lines.append("    # some of these may be romanized Khmer: move them under km-latn")
            for g in tree[topic][lang]:
                extra = f"; {g['thumbs_down']} 👎" if g["thumbs_down"] else ""
                if g["nearest"] and g["weak"]:
                    extra += f"; weak match {g['nearest_score']:.2f}: out of scope, or a new topic?"
                asks = f"{g['count']} ask" + ("s" if g["count"] != 1 else "")
                lines.append(f"    # nearest: {g['nearest'] or 'none'} ({asks}{extra})")
                lines.append(f"    - {_yaml_str(g['question'])}")
                for v in g["variants"]:
                    lines.append(f"    #   also: {_yaml_str(v)}")
    return "\n".join(lines) + "\n"


def _looks_romanized(text: str) -> bool:
    """A Latin-script question with romanized Khmer words (thver, ponman, knhom...)."""
    from bot.text.normalize import default_lexicon  # content/vocabulary: spellings.yaml, stopwords.yaml

    ROMAN_WORDS, ROMAN_STOPWORDS = default_lexicon().roman_words, default_lexicon().roman_stopwords

    english = {"passport", "korea", "japan", "malaysia", "thai", "ban", "mean", "te", "tv", "tow", "ka", "bang", "pong", "lie"}
    words = re.findall(r"[a-z]+", text.lower())
    return any((w in ROMAN_WORDS or w in ROMAN_STOPWORDS) and w not in english for w in words)
