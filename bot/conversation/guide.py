"""Running guided flows for one user: start, answer, resume, cancel, finish. Pure: no storage.

Telegram-agnostic like :mod:`bot.conversation.answers`. Each step gets the view and the
user's stored :class:`FlowState` (read by the handler) and returns an
:class:`~bot.conversation.outcome.Outcome`: the replies, the state to store and the
events to log. The handler applies it, so state is still written on every step and a
restart of the bot loses nothing.
"""
from __future__ import annotations

import re
from urllib.parse import quote

from bot.conversation.answers import contacts_text, menu_buttons, topic_button, welcome
from bot.conversation.callbacks import FlowAnswer, FlowLeave, FlowList, FlowResume, FlowStart, Menu
from bot.conversation.flow_runtime import Progress, apply_choice, level_for, new_run, results_for
from bot.conversation.outcome import Event, Outcome
from bot.conversation.replies import Button, Reply, bold, esc, short_label
from bot.conversation.view import View
from bot.content.flows import END, Flow, FlowError
from bot.content.model import Content
from bot.storage.database import FlowState
from bot.text.masking import mask_personal_data

_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TAG_RE = re.compile(r"^[A-Za-z0-9_-]{1,60}$")
# A centre's tag names a place or a worker's code; one with this many digits could be a
# phone or passport number typed into a link, and is never stored.
MAX_TAG_DIGITS = 5


def parse_start_payload(payload: str | None, flows: dict[str, Flow]) -> tuple[str, str | None] | None:
    """``<flow id>`` or ``<flow id>--<tag>`` from a deep link; None if invalid or unknown."""
    if not payload or not _PAYLOAD_RE.match(payload):
        return None
    flow_id, sep, tag = payload.partition("--")
    if flow_id not in flows:
        return None
    if sep and not _TAG_RE.match(tag):
        return None
    if tag and not safe_tag(tag):
        tag = ""  # the check still starts; only the tag is dropped
    return flow_id, (tag or None)


def safe_tag(tag: str) -> bool:
    """A deep-link tag that cannot be personal data (see MAX_TAG_DIGITS)."""
    return sum(c.isdigit() for c in tag) <= MAX_TAG_DIGITS and mask_personal_data(tag) == tag


def deep_link(bot_username: str | None, flow_id: str, tag: str | None = None) -> str | None:
    if not bot_username:
        return None
    payload = f"{flow_id}--{tag}" if tag else flow_id
    return f"https://t.me/{bot_username}?start={payload}"


def start_command(v: View, payload: str | None, *, run: str | None = None) -> Outcome:
    """``/start``: the welcome, or straight into the flow a deep link ``?start=<flow>--<tag>`` names.

    Logs the start itself (with ``deep-link`` or ``bad-payload``), then what starting the flow logs.
    """
    target = parse_start_payload(payload, v.content.flows)
    detail = "deep-link" if target else ("bad-payload" if payload else None)
    logged = Event("start", lang=v.lang, detail=detail, flow=target[0] if target else None, tag=target[1] if target else None)
    if target is None:
        return Outcome((welcome(v),), events=(logged,))
    started = start(v, target[0], target[1], run=run)
    return Outcome(started.replies, started.state, (logged, *started.events))


def flows_menu(v: View) -> Reply:
    _ = v.translate
    lang = v.lang
    lines = [bold(_("Guided checks")), esc(_("A few questions, one tap each. Choose one:"))]
    rows = []
    for flow in v.content.flows.values():
        lines.append(f"• {bold(flow.title[lang])}: {esc(flow.description[lang])}")
        rows.append((Button(short_label(flow.title[lang]), FlowStart(flow.id).pack()),))
    rows.append((Button(_("☰ Menu"), Menu().pack()),))
    return Reply("\n".join(lines), tuple(rows))


def _step_reply(v: View, flow: Flow, state: FlowState, prefix: str = "") -> Reply:
    _ = v.translate
    lang = v.lang
    step = flow.step(state.step)
    assert step is not None
    progress = Progress.from_json(state.answers)
    parts = []
    if prefix:
        parts.append(prefix)
    if step.show_contacts:
        country = progress.vars.get((flow.contacts or {}).get("country", "country"))
        contacts = [c for c in _pick_contacts(v.content, country, None) if c.kind in ("emergency", "hotline")]
        if contacts and country:
            parts.append(bold(_("Numbers that can help now:")) + "\n" + contacts_text(v, contacts, country))
    number = len(progress.path) + 1
    parts.append(f"{bold(flow.title[lang])} · {number}\n{esc(step.ask[lang])}")
    rows = [
        (Button(short_label(c.label[lang]), FlowAnswer(state.run, step.id, i).pack()),)
        for i, c in enumerate(step.choices)
    ]
    rows.append((Button(_("✖ Leave this check"), FlowLeave().pack()), Button(_("☰ Menu"), Menu().pack())))
    return Reply("\n\n".join(parts), tuple(rows))


def _pick_contacts(content: Content, country: str | None, problem: str | None) -> list:
    contacts = content.contacts_for(country) if country else []
    if problem:
        focused = [c for c in contacts if problem in c.topics or c.kind == "emergency"]
        contacts = focused or contacts
    # Emergency numbers first, then hotlines, then offices.
    order = {"emergency": 0, "hotline": 1, "office": 2, "email": 3, "website": 4}
    return sorted(contacts, key=lambda c: order.get(c.kind, 9))


def start(v: View, flow_id: str, tag: str | None = None, *, run: str | None = None) -> Outcome:
    """Start (or restart) a flow; replaces any flow the user was in. ``run``: a fixed run ID (tests)."""
    _ = v.translate
    flow = v.content.flows.get(flow_id)
    if flow is None:
        return Outcome((Reply(esc(_("Sorry, that guided check does not exist.")), menu_buttons(v)),))
    state = FlowState(flow.id, flow.start, run or new_run(), Progress().to_json(), tag)
    return Outcome((_step_reply(v, flow, state),), state, (Event("flow_start", lang=v.lang, flow=flow.id, tag=tag),))


def answer(v: View, state: FlowState | None, run: str, step_id: str, index: int) -> Outcome:
    """A choice button was pressed; ``state`` is the user's stored flow state."""
    _ = v.translate
    if state is None or state.run != run:
        text = _("That check has finished or was replaced by a newer one. You can start it again.")
        rows: list[tuple[Button, ...]] = [(Button(_("✅ Guided checks"), FlowList().pack()),)]
        rows.extend(menu_buttons(v))
        return Outcome((Reply(esc(text), tuple(rows)),))
    flow = v.content.flows.get(state.flow)
    if flow is None:  # the flow was removed by a content reload
        return Outcome((Reply(esc(_("That check is no longer available.")), menu_buttons(v)),), None)
    progress = Progress.from_json(state.answers)
    if step_id != state.step:
        note = _("You already answered that question. Here is where you are now:")
        if flow.step(state.step) is None:
            return Outcome((Reply(esc(_("That check has changed since you started it. Please start it again.")), menu_buttons(v)),), None)
        return Outcome((_step_reply(v, flow, state, prefix=esc(note)),))
    try:
        nxt = apply_choice(flow, step_id, index, progress)
    except FlowError:
        return Outcome((_step_reply(v, flow, state, prefix=esc(_("Please use one of the buttons below."))),))
    answered = Event("flow_answer", lang=v.lang, flow=flow.id, tag=state.tag, detail=step_id)  # the step, not the choice
    if nxt == END:
        done = Event("flow_done", lang=v.lang, flow=flow.id, tag=state.tag)
        return Outcome((finish_reply(v, flow, progress),), None, (answered, done))
    state = FlowState(flow.id, nxt, state.run, progress.to_json(), state.tag)
    return Outcome((_step_reply(v, flow, state),), state, (answered,))


def finish_reply(v: View, flow: Flow, progress: Progress) -> Reply:
    """The end message assembled from the answers."""
    _ = v.translate
    lang = v.lang
    parts = [bold(flow.title[lang])]
    level = level_for(flow, progress)
    if level:
        parts.append(bold(level.text[lang]))
    results = results_for(flow, progress)
    if results:
        parts.append("\n".join(f"• {esc(r.text[lang])}" for r in results))
    elif flow.none:
        parts.append(esc(flow.none[lang]))
    if flow.contacts:
        country = progress.vars.get(flow.contacts.get("country", "country"))
        problem = progress.vars.get(flow.contacts.get("topics", "problem"))
        contacts = _pick_contacts(v.content, country, problem)
        if contacts and country:
            parts.append(bold(_("Who can help:")) + "\n" + contacts_text(v, contacts, country))
    if flow.end:
        parts.append(esc(flow.end[lang]))
    rows: list[tuple[Button, ...]] = []
    topic_ids = [r.topic for r in results if r.topic] + list(flow.related)
    seen = []
    for tid in topic_ids:
        if tid not in seen and v.content.topic(tid):
            seen.append(tid)
    topic_buttons = [topic_button(v, v.content.topics[tid]) for tid in seen[:12]]
    rows.extend(tuple(topic_buttons[i : i + 2]) for i in range(0, len(topic_buttons), 2))
    link = deep_link(v.bot_username, flow.id)
    if link:
        share = f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(flow.title[lang], safe='')}"
        rows.append((Button(_("📤 Share this check with a friend"), url=share),))
    rows.append((Button(_("✅ Guided checks"), FlowList().pack()), Button(_("☰ Menu"), Menu().pack())))
    return Reply("\n\n".join(parts), tuple(rows))


def cancel(v: View, state: FlowState | None) -> Outcome:
    """Leave the current flow (``/cancel``, ``x``); the stored state is cleared either way."""
    _ = v.translate
    if state is not None:
        left = Event("flow_cancel", lang=v.lang, flow=state.flow, tag=state.tag)
        return Outcome((Reply(esc(_("You left the check. Ask me anything, or choose a topic.")), menu_buttons(v)),), None, (left,))
    return Outcome((Reply(esc(_("You are not in a guided check. Choose a topic, or type your question.")), menu_buttons(v)),), None)


def resume(v: View, state: FlowState | None) -> Outcome:
    """Show the current step again (``r``)."""
    flow = v.content.flows.get(state.flow) if state else None
    if state is None or flow is None or flow.step(state.step) is None:
        return Outcome((Reply(esc(v.translate("You are not in a guided check. Choose a topic, or type your question.")), menu_buttons(v)),))
    return Outcome((_step_reply(v, flow, state),))


def waiting_note(v: View, state: FlowState | None) -> Reply | None:
    """After a free-text answer in the middle of a flow: a reminder that it is still there."""
    flow = v.content.flows.get(state.flow) if state else None
    if state is None or flow is None:
        return None
    _ = v.translate
    text = _("Your check “{title}” is waiting; its buttons still work.").format(title=flow.title[v.lang])
    return Reply(esc(text), ((Button(_("▶️ Continue the check"), FlowResume().pack()), Button(_("✖ Leave this check"), FlowLeave().pack())),))
