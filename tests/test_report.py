"""The HTML report: built from the scripted conversation's log, then opened in a real headless Chromium."""
from __future__ import annotations

import os
import re
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.reporting import report
from bot.reporting import stats as st
from tests.test_stats import (  # noqa: F401  (fixtures: the scripted log over content with a test check)
    FOOTBALL,
    KM_PASSPORT,
    catalog_services,
    run_cli,
    scripted,
)

CHROMIUM = Path("/usr/bin/chromium")


class _Dom(HTMLParser):
    """Just enough of the DOM: the charts with their titles and bars, the key figures, the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.charts: dict[str, list[dict]] = {}
        self.figures: dict[str, str] = {}
        self.text: list[str] = []
        self._svg: dict | None = None
        self._in_title = False
        self._card: str | None = None  # the key figure whose value comes next
        self._value_of: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and "data-chart" in a:
            self._svg = {"attrs": a, "titles": [], "rects": 0}
            self.charts.setdefault(a["data-chart"], []).append(self._svg)
        elif self._svg is not None and tag == "rect":
            self._svg["rects"] += 1
        elif self._svg is not None and tag == "title":
            self._in_title = True
        if tag == "div" and "data-figure" in a:
            self._card = a["data-figure"]
        elif tag == "div" and a.get("class") == "v" and self._card:
            self._value_of, self._card = self._card, None

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None
        elif tag == "title":
            self._in_title = False
        elif tag == "div":
            self._value_of = None

    def handle_data(self, data):
        self.text.append(data)
        if self._svg is not None and self._in_title:
            self._svg["titles"].append(data)
        if self._value_of:
            self.figures[self._value_of] = self.figures.get(self._value_of, "") + data


def parse(page: str) -> _Dom:
    dom = _Dom()
    dom.feed(page)
    return dom


def check_report_dom(page: str) -> _Dom:
    """What the programme manager must see, whoever rendered the page."""
    dom = parse(page)
    for chart in report.CHARTS:
        assert chart in dom.charts, f"chart {chart} missing"
        for svg in dom.charts[chart]:
            assert svg["titles"], f"chart {chart} has no <title>"
            assert svg["attrs"].get("role") == "img"
    # Bars drawn from the data, each with a tooltip title.
    assert dom.charts["messages-per-day"][0]["rects"] >= 2  # answered and fell back
    assert dom.charts["top-topics"][0]["rects"] == 1  # passport
    assert dom.charts["feedback"][0]["rects"] == 2  # helpful and not helpful for passport
    funnel = dom.charts["flow-funnel"][0]
    assert funnel["attrs"]["data-flow"] == "test-check" and funnel["rects"] == 5  # started, 2 steps, completed, left
    assert any("test-check · ngo-a: 1 completed" in t for t in dom.charts["tags"][0]["titles"])
    assert any(re.search(r"passport\)?: 4 questions$", t) for t in dom.charts["top-topics"][0]["titles"])
    # Key figures.
    assert dom.figures["users"] == "7"
    assert dom.figures["questions"] == "11"
    assert dom.figures["answered-rate"] == "36.4%"
    assert dom.figures["fallback-rate"] == "63.6%"
    assert dom.figures["helpful-rate"] == "33.3%"
    assert dom.figures["flows"] == "2 / 3"
    text = " ".join(dom.text)
    assert "Period:" in text and "Generated:" in text
    assert FOOTBALL[0] in text and KM_PASSPORT in text  # the to-do list, Khmer intact
    assert "012 345 678" not in page and "sokha@example.com" not in page
    return dom


async def test_report_html(scripted, tmp_path):
    storage = scripted.services.storage
    page = report.build_report(storage, matcher=scripted.services.matcher,
                               titles={"passport": "Getting a passport"})
    check_report_dom(page)
    assert '<meta charset="utf-8">' in page
    # Self-contained: no scripts, no stylesheets or images from anywhere.
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(|src=", page, re.IGNORECASE)
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}
    # Figures as tables too (accessibility), with Khmer questions marked as Khmer.
    assert page.count("<table>") >= 8
    assert f'<td lang="km">{KM_PASSPORT}</td>' in page
    assert "Getting a passport (passport)" in page
    # The same figures as the statistics.
    s = st.compute_stats(storage)
    assert f'data-figure="messages"><div class="v">{s["messages"]}<' in page


def test_report_of_an_empty_log(tmp_path):
    from bot.storage.database import DB_FILE, Storage

    storage = Storage(tmp_path / DB_FILE)
    page = report.build_report(storage)
    dom = parse(page)
    assert set(report.CHARTS) <= set(dom.charts)
    assert "No data yet" in page and "No data in this period" in page
    storage.close()


def _chromium_or_skip() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail("CI must have Chromium at /usr/bin/chromium (apt-get install -y chromium) for the browser test")
    pytest.skip("/usr/bin/chromium is not installed (apt-get install -y chromium); CI runs this test")


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    cmd = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        f"--user-data-dir={profile}", *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=profile)


@pytest.mark.process
async def test_report_in_headless_chromium(scripted, settings, tmp_path):
    browser = _chromium_or_skip()
    assert browser.exists()
    out = tmp_path / "report.html"
    r = run_cli("report", "--out", str(out), data_dir=Path(settings.data_dir))
    assert r.returncode == 0, r.stderr
    assert "Report written to" in r.stdout and out.exists()

    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    dumped = _chromium("--dump-dom", out.resolve().as_uri(), profile=profile)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = check_report_dom(dumped.stdout)  # the DOM as the browser built it
    assert len(dom.charts) == len(report.CHARTS)

    png = tmp_path / "r.png"
    shot = _chromium(f"--screenshot={png}", "--window-size=1200,3000", "--hide-scrollbars", out.resolve().as_uri(), profile=profile)
    assert shot.returncode == 0, shot.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 3000)
    assert len(data) > 50_000  # a page of charts, not a blank one
