"""One self-contained HTML report for programme managers: open it offline or attach it to an email.

Pure HTML with inline CSS and inline SVG charts drawn here in Python: no
JavaScript, no fonts or scripts from the network, so it renders the same on a
laptop without internet. Every chart is an ``<svg data-chart="...">`` with a
``<title>`` and ``<desc>`` for screen readers, a ``<title>`` tooltip on every
bar, and the same figures as a table next to it.

Figures come from :func:`bot.reporting.stats.compute_stats` and :func:`bot.reporting.stats.unanswered`;
questions shown are masked (phone, ID and passport numbers, emails).
"""
from __future__ import annotations

import datetime as dt
import html
import math
from pathlib import Path
from typing import Any, Iterable, Sequence

from bot.reporting import stats as st

# Colour-blind-safe pairs (blue/orange), green/red only with labels next to them.
C_ANSWERED = "#1f6fb2"
C_FALLBACK = "#e07b00"
C_UP = "#2b8a3e"
C_DOWN = "#c92a2a"
C_BAR = "#1f6fb2"
C_MUTED = "#868e96"
CHARTS = ("messages-per-day", "answered-fallback", "top-topics", "feedback", "flow-funnel", "tags", "languages", "hours")

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1d2329;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Khmer", "Khmer OS System",
  "Khmer OS", "Leelawadee UI", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 20px 48px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 2px 0; color: #495057; }
section { background: #fff; border: 1px solid #dee2e6; border-radius: 8px; padding: 16px 20px; margin: 18px 0; break-inside: avoid; }
section h2 { margin: 0 0 8px; font-size: 19px; }
section p.note { color: #495057; margin: 4px 0 10px; font-size: 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid #dee2e6; border-radius: 8px; padding: 12px 14px; }
.card .v { font-size: 26px; font-weight: 700; }
.card .k { color: #495057; font-size: 13px; }
figure { margin: 0; }
svg { display: block; width: 100%; height: auto; font-family: inherit; }
svg text { fill: #1d2329; font-size: 12px; }
svg .muted { fill: #495057; }
svg .axis { stroke: #adb5bd; stroke-width: 1; }
svg .grid { stroke: #e9ecef; stroke-width: 1; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; font-size: 13px; margin: 6px 0; }
.legend span::before { content: ""; display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px;
  border-radius: 2px; background: var(--c); }
table { border-collapse: collapse; width: 100%; margin: 10px 0 4px; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; color: #343a40; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e9ecef; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
details summary { cursor: pointer; color: #1f6fb2; margin-top: 6px; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
@media (max-width: 760px) { .two { grid-template-columns: 1fr; } }
footer { color: #495057; font-size: 13px; margin-top: 24px; }
@media print { body { background: #fff; } section { border-color: #ccc; } details { display: block; } }
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt_pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate * 100:.1f}%"


def _ticks(value: float, most: int = 5) -> tuple[float, list[float]]:
    """Axis maximum and whole-number ticks (steps of 1, 2, 5 x 10^n) for counts up to ``value``."""
    if value <= 0:
        return 1, [0, 1]
    raw = value / most
    exp = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * exp for m in (1, 2, 5, 10) if m * exp >= raw)
    top = math.ceil(value / step) * step
    return top, [i * step for i in range(int(top / step) + 1)]


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


class _Svg:
    """Collects SVG elements; every chart has an accessible title and description."""

    def __init__(self, chart: str, width: int, height: int, title: str, desc: str, **attrs: str) -> None:
        self.chart, self.width, self.height = chart, width, height
        self.title, self.desc = title, desc
        self.attrs = attrs
        self.parts: list[str] = []

    def add(self, element: str) -> None:
        self.parts.append(element)

    def rect(self, x: float, y: float, w: float, h: float, fill: str, tip: str) -> None:
        self.add(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" fill="{fill}" rx="1.5">'
                 f"<title>{_e(tip)}</title></rect>")

    def text(self, x: float, y: float, text: str, anchor: str = "start", cls: str = "", size: int | None = None, tip: str | None = None) -> None:
        c = f' class="{cls}"' if cls else ""
        s = f' style="font-size:{size}px"' if size else ""
        t = f"<title>{_e(tip)}</title>" if tip else ""
        self.add(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{c}{s}>{t}{_e(text)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float, cls: str = "axis") -> None:
        self.add(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="{cls}"/>')

    def render(self) -> str:
        cid = f"chart-{self.chart}-{id(self) % 100000}"
        extra = "".join(f' {k.replace("_", "-")}="{_e(v)}"' for k, v in self.attrs.items())
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" data-chart="{_e(self.chart)}"{extra} role="img" '
            f'viewBox="0 0 {self.width} {self.height}" width="{self.width}" height="{self.height}" '
            f'aria-labelledby="{cid}-t {cid}-d"><title id="{cid}-t">{_e(self.title)}</title>'
            f'<desc id="{cid}-d">{_e(self.desc)}</desc>' + "".join(self.parts) + "</svg>"
        )


def _no_data(svg: _Svg, message: str = "No data in this period") -> str:
    svg.text(svg.width / 2, svg.height / 2, message, anchor="middle", cls="muted", size=14)
    return svg.render()


def column_chart(
    chart: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[int]]],
    tick_every: int = 1,
    height: int = 260,
) -> str:
    """Stacked vertical columns: ``series`` is (name, colour, values per label)."""
    width = 1000
    left, right, top, bottom = 48, 12, 14, 46
    totals = [sum(s[2][i] for s in series) for i in range(len(labels))]
    desc = f"{title}: " + "; ".join(f"{lab} {tot}" for lab, tot in zip(labels, totals) if tot) if any(totals) else f"{title}: no data"
    svg = _Svg(chart, width, height, title, desc[:2000])
    if not labels or not any(totals):
        return _no_data(svg)
    top_value, ticks = _ticks(max(totals))
    plot_w, plot_h = width - left - right, height - top - bottom
    for v in ticks:
        y = top + plot_h - plot_h * v / top_value
        svg.line(left, y, width - right, y, "grid" if v else "axis")
        svg.text(left - 6, y + 4, f"{v:g}", anchor="end", cls="muted", size=11)
    slot = plot_w / len(labels)
    bar_w = min(56.0, max(1.0, slot * 0.72))
    for i, label in enumerate(labels):
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h
        for name, colour, values in series:
            v = values[i]
            if not v:
                continue
            h = plot_h * v / top_value
            y -= h
            svg.rect(x, y, bar_w, h, colour, f"{label}: {v} {name}")
        if i % tick_every == 0:
            svg.text(left + i * slot + slot / 2, height - bottom + 16, label, anchor="middle", cls="muted", size=11)
    return svg.render()


def bar_chart(
    chart: str,
    title: str,
    rows: Sequence[tuple[str, Sequence[tuple[str, str, int]]]],
    label_width: int = 260,
    unit: str = "",
    scale_max: int | None = None,
    **attrs: str,
) -> str:
    """Horizontal bars, one row per label; each row is stacked segments (name, colour, value)."""
    width = 1000
    row_h, top = 26, 8
    height = top * 2 + row_h * max(1, len(rows))
    totals = [sum(v for _, _, v in segs) for _, segs in rows]
    desc = f"{title}: " + "; ".join(
        f"{label} " + ", ".join(f"{v} {n}".strip() for n, _, v in segs) for label, segs in rows
    ) if rows else f"{title}: no data"
    svg = _Svg(chart, width, height, title, desc[:2000], **attrs)
    if not rows or not any(totals):
        return _no_data(svg)
    top_value = scale_max or max(totals)
    plot_w = width - label_width - 80
    for r, (label, segs) in enumerate(rows):
        y = top + r * row_h
        svg.text(label_width - 8, y + row_h / 2 + 4, _short(label, 38), anchor="end", tip=label)
        x = float(label_width)
        for name, colour, v in segs:
            if not v:
                continue
            w = plot_w * v / top_value
            svg.rect(x, y + 4, w, row_h - 8, colour, f"{label}: {v} {name}".strip())
            x += w
        total = totals[r]
        svg.text(x + 6, y + row_h / 2 + 4, f"{total}{unit}", cls="muted", size=12)
    svg.line(label_width, top, label_width, height - top)
    return svg.render()


def donut(chart: str, title: str, parts: Sequence[tuple[str, str, int]]) -> str:
    """A ring split into parts (name, colour, value), with the shares written beside it."""
    width, height = 520, 220
    total = sum(v for _, _, v in parts)
    desc = f"{title}: " + ", ".join(f"{n} {v} ({v / total * 100:.1f}%)" for n, _, v in parts) if total else f"{title}: no data"
    svg = _Svg(chart, width, height, title, desc)
    if not total:
        return _no_data(svg)
    cx, cy, r, stroke = 110, 110, 80, 34
    circumference = 2 * math.pi * r
    offset = 0.0
    svg.add(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="#e9ecef" stroke-width="{stroke}"/>')
    for name, colour, v in parts:
        if not v:
            continue
        length = circumference * v / total
        svg.add(
            f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="{colour}" stroke-width="{stroke}" '
            f'stroke-dasharray="{length:.2f} {circumference - length:.2f}" stroke-dashoffset="{-offset:.2f}" '
            f'transform="rotate(-90 {cx} {cy})"><title>{_e(f"{name}: {v} ({v / total * 100:.1f}%)")}</title></circle>'
        )
        offset += length
    main = parts[0]
    svg.text(cx, cy + 2, f"{main[2] / total * 100:.0f}%", anchor="middle", size=26)
    svg.text(cx, cy + 22, main[0], anchor="middle", cls="muted", size=12)
    for i, (name, colour, v) in enumerate(parts):
        y = 80 + i * 34
        svg.add(f'<rect x="250" y="{y - 12}" width="14" height="14" rx="2" fill="{colour}"/>')
        svg.text(272, y, f"{name}: {v} ({v / total * 100:.1f}%)", size=15)
    return svg.render()


class Lang(str):
    """A table cell in a given language (``lang=`` attribute, so screen readers and fonts pick Khmer)."""

    def __new__(cls, text: str, code: str) -> "Lang":
        obj = super().__new__(cls, text)
        obj.code = "km" if code.startswith("km") and code != "km-latn" else ("km-Latn" if code == "km-latn" else code)
        return obj


def _table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: Iterable[int] = ()) -> str:
    numeric = set(numeric)
    num = ' class="n"'
    head = "".join(f'<th scope="col"{num if i in numeric else ""}>{_e(h)}</th>' for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            attrs = ' class="n"' if i in numeric else ""
            if isinstance(v, Lang):
                attrs += f' lang="{_e(v.code)}"'
            cells.append(f"<td{attrs}>{_e(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}">No data in this period.</td></tr>')
    return f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _legend(items: Sequence[tuple[str, str]]) -> str:
    return '<div class="legend" aria-hidden="true">' + "".join(f'<span style="--c:{c}">{_e(n)}</span>' for n, c in items) + "</div>"


def _section(sid: str, title: str, note: str, body: str) -> str:
    return f'<section id="{sid}" aria-labelledby="{sid}-h"><h2 id="{sid}-h">{_e(title)}</h2>' + (
        f'<p class="note">{_e(note)}</p>' if note else ""
    ) + body + "</section>"


def build_report(
    source: Any,
    since: dt.datetime | None = None,
    now: dt.datetime | None = None,
    titles: dict[str, str] | None = None,
    matcher: Any = None,
    flow_steps: dict[str, list[str]] | None = None,
    stats: dict[str, Any] | None = None,
    groups: list[dict[str, Any]] | None = None,
) -> str:
    """The whole report as one HTML string.

    ``titles``: topic id -> English title (optional); ``flow_steps``: flow id ->
    step ids in the order written, to draw funnels in flow order (else most
    answered first); ``matcher``: recompute nearest topics of unanswered questions.
    """
    titles = titles or {}
    s = stats if stats is not None else st.compute_stats(source, since, now)
    groups = groups if groups is not None else st.unanswered(source, since, matcher)
    topic_label = (lambda t: f"{titles[t]} ({t})" if t in titles else t)
    qs = s["questions"]
    fb = s["feedback"]
    generated = st.local_time(s["generated_at"])
    period = st.period_text(s)

    sections: list[str] = []

    # Key figures.
    done = sum(f["completions"] for f in s["flows"])
    started = sum(f["starts"] for f in s["flows"])
    cards = [
        ("users", "Users (pseudonymous, counted)", s["users"]),
        ("messages", "Messages", s["messages"]),
        ("questions", "Questions typed", qs["total"]),
        ("answered-rate", "Answered", _fmt_pct(qs["answered_rate"])),
        ("fallback-rate", "Fell back (no answer)", _fmt_pct(qs["fallback_rate"])),
        ("helpful-rate", f"Rated helpful ({fb['up']} helpful, {fb['down']} not)", _fmt_pct(fb["helpful_rate"])),
        ("flows", "Guided checks completed / started", f"{done} / {started}"),
    ]
    sections.append(
        '<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Key figures</h2>'
        + ("<p><strong>No data yet:</strong> nobody used the bot in this period.</p>" if s["empty"] else "")
        + '<div class="cards">'
        + "".join(f'<div class="card" data-figure="{k}"><div class="v">{_e(v)}</div><div class="k">{_e(label)}</div></div>' for k, label, v in cards)
        + "</div></section>"
    )

    # Messages per day.
    days = s["days"]
    labels = [d["day"][5:] for d in days]
    tick = max(1, math.ceil(len(days) / 15))
    chart = column_chart(
        "messages-per-day",
        "Questions per day: answered and fell back",
        labels,
        [("answered", C_ANSWERED, [d["answered"] for d in days]), ("fell back", C_FALLBACK, [d["fallback"] for d in days])],
        tick_every=tick,
    )
    table = _table(
        "Messages per day",
        ["Day", "Users", "Messages", "Questions", "Answered", "Fell back"],
        [(d["day"], d["users"], d["messages"], d["questions"], d["answered"], d["fallback"]) for d in days],
        numeric=(1, 2, 3, 4, 5),
    )
    sections.append(_section(
        "days", "Messages per day", f"Days in {st.TZ_LABEL}. Messages include commands; the chart shows typed questions.",
        _legend([("answered", C_ANSWERED), ("fell back", C_FALLBACK)]) + f"<figure>{chart}</figure>"
        + (f"<details><summary>Figures as a table</summary>{table}</details>" if len(days) > 14 else table),
    ))

    # Answered versus fallback.
    chart = donut("answered-fallback", "Answered versus fell back", [("answered", C_ANSWERED, qs["answered"]), ("fell back", C_FALLBACK, qs["fallback"])])
    table = _table("Answered versus fell back", ["", "Questions", "Share"], [
        ("Answered", qs["answered"], _fmt_pct(qs["answered_rate"])),
        ("Fell back", qs["fallback"], _fmt_pct(qs["fallback_rate"])),
        ("Total", qs["total"], ""),
    ], numeric=(1, 2))
    sections.append(_section(
        "answered", "Answered versus fallback",
        "A fallback is an honest “I don't know” with the menu: better than a wrong answer, and the editors' to-do list.",
        f'<div class="two"><figure>{chart}</figure><div>{table}</div></div>',
    ))

    # Top topics.
    top = s["top_topics"]
    chart = bar_chart("top-topics", "Top topics by questions answered",
                      [(topic_label(r["topic"]), [("questions", C_BAR, r["questions"])]) for r in top])
    table = _table("Topics", ["Topic", "Questions answered", "Opened from buttons", "Nearest for fallbacks", "Helpful", "Not helpful"], [
        (topic_label(r["topic"]), r["answered"], r["opened"], r["fallback_nearest"], r["up"], r["down"]) for r in s["topics"]
    ], numeric=(1, 2, 3, 4, 5))
    sections.append(_section("topics", "Top topics", f"The {st.TOP_TOPICS} topics that answered the most questions.",
                             f"<figure>{chart}</figure><details><summary>All topics as a table</summary>{table}</details>"))

    # Feedback.
    rows = fb["topics"][:15]
    chart = bar_chart("feedback", "Feedback per topic: helpful and not helpful",
                      [(topic_label(r["topic"]), [("helpful", C_UP, r["up"]), ("not helpful", C_DOWN, r["down"])]) for r in rows])
    table = _table("Feedback per topic", ["Topic", "Helpful", "Not helpful", "Share helpful"], [
        (topic_label(r["topic"]), r["up"], r["down"], _fmt_pct(r["helpful_rate"])) for r in fb["topics"]
    ] + ([("All topics", fb["up"], fb["down"], _fmt_pct(fb["helpful_rate"]))] if fb["topics"] else []), numeric=(1, 2, 3))
    sections.append(_section("feedback", "Feedback", "“Was this helpful?” buttons under answers; most “not helpful” first.",
                             _legend([("helpful", C_UP), ("not helpful", C_DOWN)]) + f"<figure>{chart}</figure>{table}"))

    # Flow funnels.
    funnels = []
    for f in s["flows"]:
        steps = {x["step"]: x["answers"] for x in f["steps"]}
        order = [x for x in (flow_steps or {}).get(f["flow"], []) if x in steps] + [x for x in steps if x not in (flow_steps or {}).get(f["flow"], [])]
        bars = [("started", [("runs", C_BAR, f["starts"])])]
        bars += [(f"answered: {x}", [("answers", "#74a9d8", steps[x])]) for x in order]
        bars += [("completed", [("runs", C_UP, f["completions"])]), ("left the check", [("runs", C_MUTED, f["cancels"])])]
        funnels.append(
            f"<h3>{_e(f['flow'])}</h3><figure>"
            + bar_chart("flow-funnel", f"Funnel of the guided check {f['flow']}", bars, label_width=300,
                        scale_max=max([f["starts"]] + [v for _, segs in bars for _, _, v in segs]), data_flow=f["flow"])
            + "</figure>"
        )
    if not funnels:
        funnels.append(bar_chart("flow-funnel", "Guided check funnels", []))
    table = _table("Guided checks", ["Check", "Started", "Completed", "Left", "Completion"], [
        (f["flow"], f["starts"], f["completions"], f["cancels"], _fmt_pct(f["completion_rate"])) for f in s["flows"]
    ], numeric=(1, 2, 3, 4))
    sections.append(_section("flows", "Guided checks: funnels",
                             "How many people started each check, answered each step, and reached the end.",
                             "".join(funnels) + table))

    # Tags.
    tag_rows = [r for r in s["flow_tags"] if r["tag"]]
    chart = bar_chart("tags", "Guided checks started and completed per outreach tag",
                      [(f"{r['flow']} · {r['tag']}", [("completed", C_UP, r["completions"]), ("started, not completed", C_BAR, r["starts"] - r["completions"])])
                       for r in tag_rows[:20]])
    table = _table("Starts per tag", ["Check", "Tag", "Started", "Completed", "Completion"], [
        (r["flow"], r["tag"] or "(no tag)", r["starts"], r["completions"], _fmt_pct(r["completion_rate"])) for r in s["flow_tags"]
    ], numeric=(2, 3, 4))
    st_ = s["starts"]
    sections.append(_section(
        "tags", "Outreach tags",
        f"Deep links like ?start=<check>--<tag> let each outreach partner see its own reach. "
        f"/start: {st_['total']}, from deep links {st_['deep_link']}, broken links {st_['bad_payload']}.",
        _legend([("completed", C_UP), ("started, not completed", C_BAR)]) + f"<figure>{chart}</figure>{table}",
    ))

    # Languages.
    langs = s["languages"]
    names = {"en": "English", "km": "Khmer", "km-latn": "romanized Khmer", "unknown": "unknown"}
    lang_rows = [(f"answered in {names.get(k, k)}", [("questions", C_BAR, v)]) for k, v in langs["messages"].items()]
    lang_rows += [(f"written in {names.get(k, k)}", [("questions", "#74a9d8", v)]) for k, v in langs["scripts"].items()]
    lang_rows += [(f"users in {names.get(k, k)}", [("users", C_UP, v)]) for k, v in langs["users"].items()]
    chart = bar_chart("languages", "Language split", lang_rows)
    table = _table("Language split", ["", "Count"], [(label, segs[0][2]) for label, segs in lang_rows], numeric=(1,))
    sections.append(_section("languages", "Languages",
                             "Reply language, how questions were typed (Khmer script, romanized Khmer, English), and each user's latest language.",
                             f"<figure>{chart}</figure>{table}"))

    # Hours.
    hours = s["hours"]
    chart = column_chart("hours", f"Messages per hour of the day ({st.TZ_LABEL})", [f"{h:02d}" for h in range(24)],
                         [("messages", C_BAR, hours)], height=220)
    busiest = ", ".join(f"{b['hour']:02d}:00 ({b['messages']})" for b in s["busiest_hours"]) or "–"
    table = _table("Messages per hour", ["Hour", "Messages"], [(f"{h:02d}:00", hours[h]) for h in range(24)], numeric=(1,))
    sections.append(_section("hours", "Busiest hours", f"Busiest: {busiest}. Hours in {st.TZ_LABEL}.",
                             f"<figure>{chart}</figure><details><summary>Figures as a table</summary>{table}</details>"))

    # Unanswered.
    table = _table(
        "Most asked unanswered questions",
        ["#", "Question (personal data masked)", "Asks", "Users", "Why", "Nearest topic", "Written in"],
        [
            (i, Lang(g["question"], g["lang"]), g["count"], g["users"], _why(g),
             (topic_label(g["nearest"]) + (" (weak match)" if g["weak"] else "")) if g["nearest"] else "none yet", ", ".join(names.get(k, k) for k in g["languages"]))
            for i, g in enumerate(groups[:15], 1)
        ],
        numeric=(0, 2, 3),
    )
    sections.append(_section(
        "unanswered", "What people asked that the bot could not answer",
        f"{len(groups)} groups of similar questions that fell back or were rated not helpful, "
        f"{sum(g['count'] for g in groups)} asks; the {min(15, len(groups))} most asked are shown. "
        "Editors: python -m bot unanswered --yaml.",
        table,
    ))

    doc = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="safe-migration-bot report">
<title>Safe-migration bot report, {_e(period)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header>
<h1>Safe-migration bot: usage report</h1>
<p data-period>Period: {_e(period)}</p>
<p data-generated>Generated: {_e(generated)} ({_e(st.TZ_LABEL)})</p>
<p>Users are counted by pseudonymous keys only; questions are shown with phone numbers, ID and passport numbers and emails masked.</p>
</header>
{"".join(sections)}
<footer>Made by python -m bot report. This page works offline: no scripts, no external files.</footer>
</main>
</body>
</html>
"""
    return doc


def _why(group: dict[str, Any]) -> str:
    parts = []
    if group["fallbacks"]:
        parts.append(f"{group['fallbacks']} fell back")
    if group["thumbs_down"]:
        parts.append(f"{group['thumbs_down']} rated not helpful")
    return ", ".join(parts)


def write_report(path: Path | str, source: Any, **kwargs: Any) -> Path:
    """Build the report and write it as UTF-8; returns the path written."""
    path = Path(path)
    text = build_report(source, **kwargs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
