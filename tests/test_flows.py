"""Guided flows over the loopback Bot API: walks, restarts, stale buttons, deep links, QR codes, validation."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import yaml

from bot.content.loader import load_content
from bot.content.check import SPEC_FLOWS, check_content
from bot.tg.fakeapi import BOT_USER, FakeBotAPI
from tests.conftest import ROOT, buttons, callback_data, run_main, running_bot

CONTENT = ROOT / "content"
EN = FakeBotAPI.user(7007, "Nary", "en")


def answer_buttons(message: dict) -> list[str]:
    return [d for d in callback_data(message) if d.startswith("a:")]


async def walk(h, flow_id: str, pick, user=EN, start_with: str | None = None):
    """Run a flow to its end choosing with ``pick(list_of_answer_data)``; return (messages, steps taken)."""
    sent = await h.say(start_with or "/checks", user=user)
    if start_with is None:
        sent = await h.press(f"f:{flow_id}", user=user)
    steps = 0
    while True:
        options = answer_buttons(sent[-1])
        if not options:
            return sent, steps
        sent = await h.press(pick(options), user=user)
        steps += 1
        assert steps < 40, "flow does not end"


@pytest.mark.parametrize("flow_id", SPEC_FLOWS)
@pytest.mark.parametrize("which", ["first", "last"])
async def test_every_flow_walked_to_its_end(settings, catalog_services, flow_id, which):
    pick = (lambda o: o[0]) if which == "first" else (lambda o: o[-1])
    async with running_bot(settings, catalog_services) as h:
        for lang_user in (EN, FakeBotAPI.user(7008, "Sophea", "km")):
            sent, steps = await walk(h, flow_id, pick, user=lang_user)
            assert steps >= 1
            end = sent[-1]
            flow = h.services.content.flows[flow_id]
            lang = "en" if lang_user is EN else "km"
            assert end["plain"].startswith(flow.title[lang])
            urls = [b["url"] for b in buttons(end) if "url" in b]
            assert any(f"start%3D{flow_id}" in u or f"start={flow_id}" in unquote(u) for u in urls), "share button"
            assert "g" in callback_data(end) and "m" in callback_data(end)
        done = h.services.storage.events(kinds=["flow_done"])
        assert [e["flow"] for e in done] == [flow_id, flow_id]


async def test_checklist_end_lists_gaps_with_their_topics(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        flow = h.services.content.flows["checklist"]
        chosen: list[str] = []

        def not_yet(options):  # the first choice that raises a flag: something is missing
            for data in options:
                _, _, step, index = data.split(":")
                if flow.steps[step].choices[int(index)].flag:
                    chosen.append(flow.steps[step].choices[int(index)].flag)
                    return data
            return options[0]

        sent, steps = await walk(h, "checklist", not_yet)
        end = sent[-1]
        expected = {r.topic for r in flow.results if r.flag in chosen and r.topic}
        assert len(chosen) == steps and expected
        assert {f"t:{t}" for t in expected} <= set(callback_data(end))
        for r in flow.results:
            if r.flag in chosen:
                assert r.text["en"] in end["plain"]
        sent, _ = await walk(h, "checklist", lambda o: o[0])
        assert flow.none["en"] in sent[-1]["plain"]  # nothing missing


async def test_offer_check_gives_a_risk_level(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        flow = h.services.content.flows["offer-check"]
        low, _ = await walk(h, "offer-check", lambda o: min(o, key=lambda d: _score(flow, d)))
        high, _ = await walk(h, "offer-check", lambda o: max(o, key=lambda d: _score(flow, d)))
        levels = sorted(flow.levels, key=lambda lv: lv.min)
        assert levels[0].text["en"] in low[-1]["plain"]
        assert levels[-1].text["en"] in high[-1]["plain"]


def _score(flow, data: str) -> int:
    _, _, step, index = data.split(":")
    return flow.steps[step].choices[int(index)].score


async def test_emergency_shows_numbers_after_one_tap(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        sent = await h.say("/checks", user=EN)
        sent = await h.press("f:emergency", user=EN)
        flow = h.services.content.flows["emergency"]
        where = flow.steps[flow.start]
        thailand = next(i for i, c in enumerate(where.choices) if c.set.get("country") == "thailand")
        run = answer_buttons(sent[-1])[0].split(":")[1]
        sent = await h.press(f"a:{run}:{where.id}:{thailand}", user=EN)  # one tap
        thai_emergency = [c for c in h.services.content.contacts_for("thailand") if c.kind == "emergency" and c.phone]
        assert thai_emergency and all(c.phone in sent[-1]["plain"] for c in thai_emergency)


async def test_flow_survives_a_restart(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        await h.say("/checks", user=EN)
        sent = await h.press("f:checklist", user=EN)
        sent = await h.press(answer_buttons(sent[-1])[0], user=EN)
        pending = answer_buttons(sent[-1])[0]
        old_message = h.api.last_message(EN["id"])
    # A new process: new application, same data folder.
    async with running_bot(settings, catalog_services) as h2:
        sent = await h2.press(pending, user=EN, message=old_message)
        assert "already answered" not in sent[-1]["plain"] and "finished" not in sent[-1]["plain"]
        assert "· 3" in sent[-1]["plain"]  # continued at the third question


async def test_old_and_forged_flow_buttons(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        await h.say("/checks", user=EN)
        sent = await h.press("f:checklist", user=EN)
        first = answer_buttons(sent[-1])[0]
        await h.press(first, user=EN)
        sent = await h.press(first, user=EN)  # the same old button again
        assert "already answered" in sent[-1]["plain"] and answer_buttons(sent[-1])
        run, step = first.split(":")[1:3]
        sent = await h.press(f"a:{run}:{step}:9", user=EN)  # a choice that does not exist
        assert answer_buttons(sent[-1])
        sent = await h.press(f"a:ZZZZZZ:{step}:0", user=EN)  # another run
        assert "finished or was replaced" in sent[-1]["plain"]
        # A new flow replaces the current one; the old run's buttons say so.
        await h.press("f:offer-check", user=EN)
        sent = await h.press(first, user=EN)
        assert "finished or was replaced" in sent[-1]["plain"]


async def test_cancel_menu_and_free_text_in_the_middle(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        await h.say("/checks", user=EN)
        sent = await h.press("f:checklist", user=EN)
        step_buttons = answer_buttons(sent[-1])
        # Free text is answered, the flow waits, its buttons still work.
        sent = await h.say("how much does a passport cost", user=EN)
        assert "passport" in sent[0]["plain"].lower()
        assert "is waiting" in sent[-1]["plain"] and "r" in callback_data(sent[-1])
        sent = await h.press("r", user=EN)
        assert answer_buttons(sent[-1]) == step_buttons
        sent = await h.press(step_buttons[0], user=EN)
        assert "· 2" in sent[-1]["plain"]
        # The menu button is there at every step; /cancel leaves.
        assert "m" in callback_data(sent[-1]) and "x" in callback_data(sent[-1])
        sent = await h.say("/cancel", user=EN)
        assert "left the check" in sent[-1]["plain"]
        assert h.services.storage.get_flow(h.services.user_key(EN["id"])) is None
        sent = await h.say("/cancel", user=EN)
        assert "not in a guided check" in sent[-1]["plain"]


@pytest.mark.parametrize(
    "payload, flow, tag",
    [("checklist", "checklist", None), ("offer-check--mrc_poipet-2", "offer-check", "mrc_poipet-2"), ("emergency--A1", "emergency", "A1")],
)
async def test_deep_link_starts_the_flow_with_its_tag(settings, catalog_services, payload, flow, tag):
    async with running_bot(settings, catalog_services) as h:
        user = FakeBotAPI.user(7100, "Mealea", "km")
        sent = await h.say(f"/start {payload}", user=user)
        assert sent[-1]["plain"].startswith(h.services.content.flows[flow].title["km"])
        starts = h.services.storage.events(kinds=["flow_start"])
        assert (starts[-1]["flow"], starts[-1]["tag"]) == (flow, tag)
        _, _ = await walk(h, flow, lambda o: o[0], user=user, start_with=f"/start {payload}")
        done = h.services.storage.events(kinds=["flow_done"])
        assert (done[-1]["flow"], done[-1]["tag"]) == (flow, tag)


@pytest.mark.parametrize("payload", ["nosuchflow", "checklist--bad tag", "checklist--" + "x" * 60, "checklist--é", "--tag"])
async def test_invalid_deep_link_falls_back_to_welcome(settings, catalog_services, payload):
    async with running_bot(settings, catalog_services) as h:
        sent = await h.say(f"/start {payload}", user=EN)
        assert "Hello!" in sent[-1]["plain"]


# --- QR codes -----------------------------------------------------------------------


def test_qr_png_decodes_back_to_the_deep_link(tmp_path):
    import zxingcpp
    from PIL import Image

    out = tmp_path / "checklist.png"
    proc = run_main("qr", "checklist", "--tag", "mrc-poipet", "--bot", "SafeMigrationKHBot", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(out))]
    assert found == ["https://t.me/SafeMigrationKHBot?start=checklist--mrc-poipet"]
    link = urlparse(found[0])
    assert parse_qs(link.query)["start"] == ["checklist--mrc-poipet"]


@pytest.mark.process  # Chromium renders the SVG
def test_qr_svg_has_the_code_and_both_titles(tmp_path):
    out = tmp_path / "emergency.svg"
    proc = run_main("qr", "emergency", "--bot", "SafeMigrationKHBot", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    svg = out.read_text(encoding="utf-8")
    flow = load_content(CONTENT).flows["emergency"]
    assert flow.title["km"] in svg and flow.title["en"] in svg and "<path" in svg
    chromium = shutil.which("chromium")
    if chromium:  # render it as a browser would, then decode the picture
        import zxingcpp
        from PIL import Image

        shot = tmp_path / "shot.png"
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp_path / 'chrome'}", f"--screenshot={shot}", "--window-size=800,1100",
                        out.as_uri()], capture_output=True, timeout=120)
        assert [r.text for r in zxingcpp.read_barcodes(Image.open(shot))] == ["https://t.me/SafeMigrationKHBot?start=emergency"]


@pytest.mark.parametrize("args, message", [
    (["nosuchflow"], "unknown flow"),
    (["checklist", "--tag", "bad tag"], "tag may only use"),
    (["checklist", "--out-ext"], None),
])
def test_qr_refuses_bad_input_politely(tmp_path, args, message):
    if message is None:
        cmd = ["qr", "checklist", "--bot", "SafeMigrationKHBot", "--out", str(tmp_path / "x.jpg")]
        message = ".png or .svg"
    else:
        cmd = ["qr", *args, "--bot", "SafeMigrationKHBot", "--out", str(tmp_path / "x.png")]
    proc = run_main(*cmd)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_qr_needs_the_bot_username(tmp_path):
    env = {}  # no BOT_USERNAME
    proc = run_main("qr", "checklist", "--out", str(tmp_path / "x.png"), env=env)
    assert proc.returncode == 2 and "BOT_USERNAME" in proc.stderr


# --- flow validation in the content check ---------------------------------------------


@pytest.fixture
def flow_copy(tmp_path):
    dst = tmp_path / "content"
    shutil.copytree(CONTENT, dst)
    return dst


def _mutate(root: Path, fn) -> list[str]:
    path = root / "flows" / "checklist.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return [e for e in check_content(root).errors if "checklist.yaml" in e]


def test_flow_check_unknown_step(flow_copy):
    errors = _mutate(flow_copy, lambda d: d["steps"][0]["choices"][0].update(next="nowhere"))
    assert any("unknown step 'nowhere'" in e for e in errors)


def test_flow_check_unreachable_step(flow_copy):
    def orphan(d):
        d["steps"].append({"id": "orphan", "ask": {"en": "x?", "km": "អ្វី?"}, "choices": [{"label": {"en": "ok", "km": "បាទ"}, "next": "end"}]})
    errors = _mutate(flow_copy, orphan)
    assert any("'orphan' cannot be reached" in e for e in errors)


def test_flow_check_loop_without_exit_and_no_way_out(flow_copy):
    def loop(d):
        first = d["steps"][0]["id"]
        d["steps"][-1]["choices"] = [dict(c, next=first) for c in d["steps"][-1]["choices"]]
        for step in d["steps"]:
            step["choices"] = [dict(c, next=(c["next"] if c["next"] != "end" else first)) for c in step["choices"]]
    errors = _mutate(flow_copy, loop)
    assert any("loop with no way to the end" in e for e in errors)
    errors = _mutate(flow_copy, lambda d: d["steps"][0].update(choices=[]))
    assert any("no way out" in e for e in errors)


def test_flow_check_missing_translation_and_long_callback(flow_copy):
    errors = _mutate(flow_copy, lambda d: d["steps"][0]["ask"].pop("km"))
    assert any("km" in e for e in errors)
    long_id = "a-very-long-step-identifier-that-goes-on"

    def rename(d):
        old = d["steps"][-1]["id"]
        d["steps"][-1]["id"] = long_id + "-and-on-and-on"
        for step in d["steps"]:
            for c in step["choices"]:
                if c["next"] == old:
                    c["next"] = long_id + "-and-on-and-on"
    errors = _mutate(flow_copy, rename)
    assert errors  # the schema limits step ids to 40 characters; the engine checks 64 bytes of callback data


def test_bot_user_of_the_stand_in_has_a_username():
    assert BOT_USER["username"]
