"""The pure flow runtime: a step returns an outcome (replies, state, events) and touches no storage;
the handler layer applies it."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.conversation import answers, guide
from bot.conversation.callbacks import FlowAnswer, parse
from bot.conversation.flow_runtime import Progress
from bot.conversation.outcome import KEEP, Event, Outcome
from bot.conversation.view import View, view_for
from bot.storage.database import FlowState, Storage
from handlers.common import Asker, apply

RUN = "Ab12Cd"
BOT = "SafeMigrationKHBot"


class NoStorage:
    """A storage double that fails on any use: a pure step must never reach it."""

    def __getattr__(self, name):
        raise AssertionError(f"a conversation step touched storage: {name}")


@pytest.fixture
def core(catalog_services, monkeypatch):
    """The shared services with their storage swapped for the tripwire (restored after the test)."""
    monkeypatch.setattr(catalog_services, "storage", NoStorage())
    return catalog_services


@pytest.fixture
def v(core) -> View:
    return view_for(core, "en", BOT)


def answer_data(reply) -> list[FlowAnswer]:
    return [parse(b.data) for row in reply.buttons for b in row if b.data and b.data.startswith("a:")]


def test_starting_a_flow_is_an_outcome_not_a_write(v):
    flow = v.content.flows["checklist"]
    out = guide.start(v, "checklist", "mrc_poipet", run=RUN)
    assert out.state == FlowState("checklist", flow.start, RUN, Progress().to_json(), "mrc_poipet")
    assert out.events == (Event("flow_start", lang="en", flow="checklist", tag="mrc_poipet"),)
    assert [(d.run, d.step) for d in answer_data(out.replies[0])] == [(RUN, flow.start)] * len(flow.steps[flow.start].choices)
    assert out.writes


def test_a_walk_to_the_end_threads_the_state_through_outcomes(v):
    out = guide.start(v, "offer-check", run=RUN)
    state, steps, events = out.state, [], list(out.events)
    while True:
        choice = answer_data(out.replies[0])[0]
        out = guide.answer(v, state, choice.run, choice.step, choice.choice)
        steps.append(choice.step)
        events += out.events
        if out.state is None:
            break
        assert isinstance(out.state, FlowState) and out.state.run == RUN and out.state.step != choice.step
        state = out.state
        assert len(steps) < 40
    flow = v.content.flows["offer-check"]
    assert out.replies[0].text.startswith(f"<b>{flow.title['en']}</b>")
    assert [e.kind for e in events] == ["flow_start"] + ["flow_answer"] * len(steps) + ["flow_done"]
    assert [e.detail for e in events if e.kind == "flow_answer"] == steps  # the step, never the choice
    share = [b.url for row in out.replies[0].buttons for b in row if b.url]
    assert share and BOT in share[0]


def test_steps_that_change_nothing_keep_the_state(v):
    start = guide.start(v, "checklist", run=RUN)
    state = start.state
    first = answer_data(start.replies[0])[0]
    stale = guide.answer(v, state, "ZZZZZZ", first.step, 0)
    assert stale.state is KEEP and not stale.events and "finished or was replaced" in stale.replies[0].text
    assert guide.answer(v, None, RUN, first.step, 0).state is KEEP
    wrong_choice = guide.answer(v, state, RUN, first.step, 9)
    assert wrong_choice.state is KEEP and not wrong_choice.writes and answer_data(wrong_choice.replies[0])
    moved_on = guide.answer(v, state, RUN, first.step, 0).state
    again = guide.answer(v, moved_on, RUN, first.step, 0)
    assert again.state is KEEP and "already answered" in again.replies[0].text
    assert guide.resume(v, state).state is KEEP and answer_data(guide.resume(v, state).replies[0]) == answer_data(start.replies[0])
    assert not guide.resume(v, None).writes


def test_a_flow_gone_after_a_reload_clears_the_state_without_an_event(v):
    gone = FlowState("no-such-flow", "step", RUN, {}, None)
    out = guide.answer(v, gone, RUN, "step", 0)
    assert out.state is None and out.events == () and "no longer available" in out.replies[0].text
    changed = FlowState("checklist", "no-such-step", RUN, {}, "t1")
    out = guide.answer(v, changed, RUN, "other-step", 0)
    assert out.state is None and out.events == () and "has changed" in out.replies[0].text


def test_cancel_always_clears_and_logs_only_a_real_flow(v):
    state = guide.start(v, "emergency", "A1", run=RUN).state
    out = guide.cancel(v, state)
    assert out.state is None and out.events == (Event("flow_cancel", lang="en", flow="emergency", tag="A1"),)
    out = guide.cancel(v, None)
    assert out.state is None and out.events == () and "not in a guided check" in out.replies[0].text


@pytest.mark.parametrize(
    "payload, detail, flow, tag",
    [(None, None, None, None), ("checklist", "deep-link", "checklist", None), ("offer-check--mrc_poipet-2", "deep-link", "offer-check", "mrc_poipet-2"),
     ("emergency--0123456789", "deep-link", "emergency", None), ("nosuchflow", "bad-payload", None, None), ("checklist--bad tag", "bad-payload", None, None)],
)
def test_start_command_logs_the_start_then_what_the_flow_start_logs(v, payload, detail, flow, tag):
    out = guide.start_command(v, payload, run=RUN)
    assert out.events[0] == Event("start", lang="en", detail=detail, flow=flow, tag=tag)
    if flow is None:
        assert out.state is KEEP and len(out.events) == 1 and out.replies == (answers.welcome(v),)
    else:
        assert out.state.flow == flow and out.state.tag == tag  # a tag that looks like a number is dropped
        assert out.events[1:] == (Event("flow_start", lang="en", flow=flow, tag=tag),)


def test_the_view_is_narrow_and_replies_follow_it(core):
    v = view_for(core, "km", BOT)
    assert set(View.__dataclass_fields__) == {"content", "lang", "translate", "retention_days", "bot_username", "translations"}
    assert v.translate("Choose your language:") == "សូមជ្រើសរើសភាសា៖"
    assert v.in_lang("en").translate("Choose your language:") == "Choose your language:" and v.in_lang("km") is v
    week = View(v.content, "en", lambda s: s, retention_days=7)
    assert "After 7 days" in answers.privacy_notice(week).text
    with pytest.raises(ValueError):
        week.in_lang("km")
    no_share = guide.finish_reply(View(v.content, "en", lambda s: s, 90, None), v.content.flows["checklist"], Progress())
    assert no_share.buttons and not any(b.url for row in no_share.buttons for b in row)  # no username, no share link


class Recorder:
    def __init__(self):
        self.calls = []

    def set_flow(self, user, state):
        self.calls.append(("set_flow", user, state))

    def log_event(self, user, kind, **fields):
        self.calls.append(("log_event", user, kind, fields))


def test_apply_stores_the_state_then_logs_the_events_in_order():
    who = Asker("user-key", "en", False)
    s = SimpleNamespace(storage=Recorder())
    state = FlowState("checklist", "passport", RUN, {}, "t1")
    out = Outcome(("r",), state, (Event("start", lang="en", detail="deep-link", flow="checklist", tag="t1"), Event("flow_start", lang="en", flow="checklist", tag="t1")))
    assert apply(s, who, out) == ("r",)
    assert s.storage.calls == [
        ("set_flow", "user-key", state),
        ("log_event", "user-key", "start", {"lang": "en", "flow": "checklist", "tag": "t1", "detail": "deep-link"}),
        ("log_event", "user-key", "flow_start", {"lang": "en", "flow": "checklist", "tag": "t1", "detail": None}),
    ]
    s = SimpleNamespace(storage=Recorder())
    assert apply(s, who, Outcome(("r",))) == ("r",) and s.storage.calls == []  # KEEP: nothing written
    apply(s, who, Outcome((), None))
    assert s.storage.calls == [("set_flow", "user-key", None)]


def test_nothing_is_written_until_the_outcome_is_applied(catalog_services):
    storage = Storage(None)
    v = view_for(catalog_services, "en", BOT)
    who = Asker("k1", "en", False)
    out = guide.start_command(v, "checklist--mrc1", run=RUN)
    assert storage.get_flow("k1") is None and storage.events() == []
    s = SimpleNamespace(storage=storage)
    apply(s, who, out)
    storage.flush()
    assert storage.get_flow("k1") == out.state
    assert [(e["kind"], e["flow"], e["tag"], e["detail"]) for e in storage.events()] == [
        ("start", "checklist", "mrc1", "deep-link"),
        ("flow_start", "checklist", "mrc1", None),
    ]
    choice = answer_data(out.replies[0])[0]
    step = guide.answer(v, storage.get_flow("k1"), choice.run, choice.step, choice.choice)
    assert len(storage.events()) == 2 and storage.get_flow("k1") == out.state  # still as before
    apply(s, who, step)
    storage.flush()
    assert storage.get_flow("k1") == step.state and storage.events()[-1]["detail"] == choice.step
    storage.close()
