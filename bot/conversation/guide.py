"""Running guided flows for one user: start, answer, resume, cancel, finish.

Telegram-agnostic like :mod:`bot.conversation.answers`: functions take the pseudonymous user
key and return replies. State is read from and written to storage on every step,
so a restart of the bot loses nothing.
"""
from __future__ import annotations

import re
from urllib.parse import quote

from bot.conversation import callbacks as cb
from bot.conversation.answers import _t, contacts_text, menu_buttons
from bot.text.masking import mask_personal_data
from bot.content.flows import END, Flow, FlowError
from bot.conversation.flow_runtime import Progress, apply_choice, level_for, new_run, results_for
from bot.conversation.replies import Button, Reply, bold, esc, short_label
from bot.services import Services
from bot.storage.database import FlowState

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


def flows_menu(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    lines = [bold(_("Guided checks")), esc(_("A few questions, one tap each. Choose one:"))]
    rows = []
    for flow in s.content.flows.values():
        lines.append(f"• {bold(flow.title[lang])}: {esc(flow.description[lang])}")
        rows.append((Button(short_label(flow.title[lang]), cb.encode("f", flow.id)),))
    rows.append((Button(_("☰ Menu"), cb.encode("m")),))
    return Reply("\n".join(lines), tuple(rows))


def _step_reply(s: Services, flow: Flow, state: FlowState, lang: str, prefix: str = "") -> Reply:
    _ = _t(s, lang)
    step = flow.step(state.step)
    assert step is not None
    progress = Progress.from_json(state.answers)
    parts = []
    if prefix:
        parts.append(prefix)
    if step.show_contacts:
        country = progress.vars.get((flow.contacts or {}).get("country", "country"))
        contacts = [c for c in _pick_contacts(s, country, None) if c.kind in ("emergency", "hotline")]
        if contacts and country:
            parts.append(bold(_("Numbers that can help now:")) + "\n" + contacts_text(s, lang, contacts, country))
    number = len(progress.path) + 1
    parts.append(f"{bold(flow.title[lang])} · {number}\n{esc(step.ask[lang])}")
    rows = [
        (Button(short_label(c.label[lang]), cb.encode("a", state.run, step.id, i)),)
        for i, c in enumerate(step.choices)
    ]
    rows.append((Button(_("✖ Leave this check"), cb.encode("x")), Button(_("☰ Menu"), cb.encode("m"))))
    return Reply("\n\n".join(parts), tuple(rows))


def _pick_contacts(s: Services, country: str | None, problem: str | None) -> list:
    contacts = s.content.contacts_for(country) if country else []
    if problem:
        focused = [c for c in contacts if problem in c.topics or c.kind == "emergency"]
        contacts = focused or contacts
    # Emergency numbers first, then hotlines, then offices.
    order = {"emergency": 0, "hotline": 1, "office": 2, "email": 3, "website": 4}
    return sorted(contacts, key=lambda c: order.get(c.kind, 9))


def start(s: Services, user: str, flow_id: str, lang: str, tag: str | None = None) -> list[Reply]:
    """Start (or restart) a flow; replaces any flow the user was in."""
    flow = s.content.flows.get(flow_id)
    if flow is None:
        return [Reply(esc(_t(s, lang)("Sorry, that guided check does not exist.")), menu_buttons(s, lang))]
    state = FlowState(flow.id, flow.start, new_run(), Progress().to_json(), tag)
    s.storage.set_flow(user, state)
    s.storage.log_event(user, "flow_start", lang=lang, flow=flow.id, tag=tag)
    return [_step_reply(s, flow, state, lang)]


def answer(s: Services, user: str, run: str, step_id: str, index: int, lang: str, bot_username: str | None) -> list[Reply]:
    """A choice button was pressed."""
    _ = _t(s, lang)
    state = s.storage.get_flow(user)
    if state is None or state.run != run:
        text = _("That check has finished or was replaced by a newer one. You can start it again.")
        rows: list[tuple[Button, ...]] = [(Button(_("✅ Guided checks"), cb.encode("g")),)]
        rows.extend(menu_buttons(s, lang))
        return [Reply(esc(text), tuple(rows))]
    flow = s.content.flows.get(state.flow)
    if flow is None:  # the flow was removed by a content reload
        s.storage.set_flow(user, None)
        return [Reply(esc(_("That check is no longer available.")), menu_buttons(s, lang))]
    progress = Progress.from_json(state.answers)
    if step_id != state.step:
        note = _("You already answered that question. Here is where you are now:")
        if flow.step(state.step) is None:
            s.storage.set_flow(user, None)
            return [Reply(esc(_("That check has changed since you started it. Please start it again.")), menu_buttons(s, lang))]
        return [_step_reply(s, flow, state, lang, prefix=esc(note))]
    try:
        nxt = apply_choice(flow, step_id, index, progress)
    except FlowError:
        return [_step_reply(s, flow, state, lang, prefix=esc(_("Please use one of the buttons below.")))]
    s.storage.log_event(user, "flow_answer", lang=lang, flow=flow.id, tag=state.tag, detail=step_id)  # the step, not the choice
    if nxt == END:
        s.storage.set_flow(user, None)
        s.storage.log_event(user, "flow_done", lang=lang, flow=flow.id, tag=state.tag)
        return [finish_reply(s, flow, progress, lang, bot_username)]
    state = FlowState(flow.id, nxt, state.run, progress.to_json(), state.tag)
    s.storage.set_flow(user, state)
    return [_step_reply(s, flow, state, lang)]


def finish_reply(s: Services, flow: Flow, progress: Progress, lang: str, bot_username: str | None) -> Reply:
    """The end message assembled from the answers."""
    _ = _t(s, lang)
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
        contacts = _pick_contacts(s, country, problem)
        if contacts and country:
            parts.append(bold(_("Who can help:")) + "\n" + contacts_text(s, lang, contacts, country))
    if flow.end:
        parts.append(esc(flow.end[lang]))
    rows: list[tuple[Button, ...]] = []
    topic_ids = [r.topic for r in results if r.topic] + list(flow.related)
    seen = []
    for tid in topic_ids:
        if tid not in seen and s.content.topic(tid):
            seen.append(tid)
    topic_buttons = [Button(short_label(s.content.topics[tid].title[lang]), cb.encode("t", tid)) for tid in seen[:12]]
    rows.extend(tuple(topic_buttons[i : i + 2]) for i in range(0, len(topic_buttons), 2))
    link = deep_link(bot_username, flow.id)
    if link:
        share = f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(flow.title[lang], safe='')}"
        rows.append((Button(_("📤 Share this check with a friend"), url=share),))
    rows.append((Button(_("✅ Guided checks"), cb.encode("g")), Button(_("☰ Menu"), cb.encode("m"))))
    return Reply("\n\n".join(parts), tuple(rows))


def cancel(s: Services, user: str, lang: str) -> Reply:
    _ = _t(s, lang)
    state = s.storage.get_flow(user)
    s.storage.set_flow(user, None)
    if state is not None:
        s.storage.log_event(user, "flow_cancel", lang=lang, flow=state.flow, tag=state.tag)
        return Reply(esc(_("You left the check. Ask me anything, or choose a topic.")), menu_buttons(s, lang))
    return Reply(esc(_("You are not in a guided check. Choose a topic, or type your question.")), menu_buttons(s, lang))


def resume(s: Services, user: str, lang: str) -> list[Reply]:
    state = s.storage.get_flow(user)
    flow = s.content.flows.get(state.flow) if state else None
    if state is None or flow is None or flow.step(state.step) is None:
        return [Reply(esc(_t(s, lang)("You are not in a guided check. Choose a topic, or type your question.")), menu_buttons(s, lang))]
    return [_step_reply(s, flow, state, lang)]


def waiting_note(s: Services, user: str, lang: str) -> Reply | None:
    """After a free-text answer in the middle of a flow: a reminder that it is still there."""
    state = s.storage.get_flow(user)
    flow = s.content.flows.get(state.flow) if state else None
    if state is None or flow is None:
        return None
    _ = _t(s, lang)
    text = _("Your check “{title}” is waiting; its buttons still work.").format(title=flow.title[lang])
    return Reply(esc(text), ((Button(_("▶️ Continue the check"), cb.encode("r")), Button(_("✖ Leave this check"), cb.encode("x"))),))
