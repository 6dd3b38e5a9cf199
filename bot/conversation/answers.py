"""What the bot says: menus, topic answers, fallbacks, contacts, as :class:`Reply` values.

Every function takes the language and returns replies; nothing here knows about
Telegram objects, so the same wording is used by the Bot API handlers, the
terminal chat and the ``ask`` command.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from bot.conversation import callbacks as cb
from bot.content.model import Contact, Topic
from bot.text.i18n import _ as N_
from bot.matching.matcher import Match
from bot.conversation.replies import Button, Reply, bold, esc, short_label
from bot.services import Services

COUNTRIES = {
    "cambodia": N_("Cambodia"),
    "thailand": N_("Thailand"),
    "malaysia": N_("Malaysia"),
    "korea": N_("South Korea"),
    "japan": N_("Japan"),
    "other": N_("Other countries"),
}
LANGUAGE_LABEL = "ភាសាខ្មែរ / English"


def _t(s: Services, lang: str) -> Callable[[str], str]:
    return s.translator.for_lang(lang)


def menu_buttons(s: Services, lang: str) -> tuple[tuple[Button, ...], ...]:
    """The main menu: the topics editors put on it, guided checks, language, about."""
    _ = _t(s, lang)
    topics = s.content.menu_topics()
    rows: list[tuple[Button, ...]] = []
    for i in range(0, len(topics), 2):
        rows.append(tuple(Button(short_label(t.title[lang]), cb.encode("t", t.id)) for t in topics[i : i + 2]))
    if s.content.flows:
        rows.append((Button(_("✅ Guided checks"), cb.encode("g")),))
    rows.append((Button(LANGUAGE_LABEL, cb.encode("L")), Button(_("ℹ️ About"), cb.encode("t", "about"))))
    return tuple(rows)


def welcome(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    text = _(
        "Hello! I give free, private information about working abroad safely: "
        "the legal ways to go, what it costs, your rights, and who to call for help."
    )
    text += "\n\n" + _("Type your question in Khmer or English, or choose a topic below.")
    return Reply(esc(text), menu_buttons(s, lang))


def menu(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    return Reply(esc(_("Choose a topic, or type your question.")), menu_buttons(s, lang))


def help_text(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    lines = [
        _("How to use this bot:"),
        _("• Type a question, for example: How do I go to Thailand legally?"),
        _("• Or press a button to choose a topic."),
        "",
        _("Commands:"),
        _("/start – start again and show the menu"),
        _("/menu – the main menu"),
        _("/hotlines – numbers to call for help"),
        _("/checks – guided checks: am I ready? is this job offer safe?"),
        _("/language – ភាសាខ្មែរ or English"),
        _("/cancel – leave a guided check"),
        _("/privacy – what this bot keeps about you, and how to delete it"),
    ]
    return Reply(esc("\n".join(lines)), menu_buttons(s, lang))


def language_chooser(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    return Reply(
        esc(_("Choose your language:")),
        ((Button("ភាសាខ្មែរ", cb.encode("l", "km")), Button("English", cb.encode("l", "en"))),),
    )


def language_set(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    return Reply(esc(_("From now on I will answer in English.")), menu_buttons(s, lang))


def _related_rows(s: Services, topic: Topic, lang: str) -> list[tuple[Button, ...]]:
    related = [s.content.topic(r) for r in topic.related]
    buttons = [Button(short_label(t.title[lang]), cb.encode("t", t.id)) for t in related if t]
    return [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]


def topic_reply(s: Services, topic: Topic, lang: str, feedback: bool = True) -> Reply:
    """A topic's answer with its title, contacts (for hotlines), and next-step buttons."""
    _ = _t(s, lang)
    if topic.small_talk:
        return Reply(esc(topic.answer[lang]), menu_buttons(s, lang))
    parts = [bold(topic.title[lang]), esc(topic.answer[lang])]
    extra_rows: list[tuple[Button, ...]] = []
    if topic.id == "hotlines":
        urgent = [c for c in s.content.contacts if c.kind in ("emergency", "hotline")]
        parts.append(contacts_text(s, lang, urgent))
        parts.append(esc(_("Offices, websites and more, by country:")))
        extra_rows = list(country_buttons(s, lang))
    if topic.unverified:
        parts.append("<i>" + esc(_("Some facts here are not yet confirmed by our editors: check them at an official office.")) + "</i>")
    parts.append("<i>" + esc(_("Checked by our editors on {date}.").format(date=topic.reviewed)) + "</i>")
    rows = extra_rows + _related_rows(s, topic, lang)
    if feedback:
        rows.append(
            (
                Button("👍", cb.encode("fb", topic.id, 1)),
                Button("👎", cb.encode("fb", topic.id, 0)),
                Button(_("📚 Sources"), cb.encode("s", topic.id)),
            )
        )
    rows.append((Button(_("☰ Menu"), cb.encode("m")),))
    return Reply("\n\n".join(parts), tuple(rows))


def sources_reply(s: Services, topic: Topic, lang: str) -> Reply:
    """Where a topic's facts come from, so a reader can check them."""
    _ = _t(s, lang)
    lines = [bold(_("Where this information comes from:")), ""]
    for i, src in enumerate(topic.sources, 1):
        line = f"{i}. {esc(src.label())}"
        if src.supports:
            line += f"\n   {esc(src.supports)}"
        if src.unverified:
            line += " " + esc(_("(not yet confirmed)"))
        lines.append(line)
    if not topic.sources:
        lines.append(esc(_("This answer describes the bot itself and needs no outside source.")))
    return Reply("\n".join(lines), ((Button(short_label(topic.title[lang]), cb.encode("t", topic.id)), Button(_("☰ Menu"), cb.encode("m"))),))


def contact_line(s: Services, lang: str, c: Contact) -> str:
    _ = _t(s, lang)
    bits = [bold(c.name[lang])]
    if c.phone:
        bits.append(f"☎️ {esc(c.phone)}")
    if c.email:
        bits.append(f"✉️ {esc(c.email)}")
    if c.url:
        bits.append(esc(c.url))
    if c.address:
        bits.append(esc(c.address[lang]))
    if c.hours:
        bits.append(esc(c.hours[lang]))
    line = "• " + " – ".join(bits)
    if c.note:
        line += f"\n  {esc(c.note[lang])}"
    if not c.verified:
        year = f" ({c.source.year})" if c.source.year else ""
        line += "\n  <i>" + esc(_("Not yet confirmed by our editors{year}: check before relying on it.").format(year=year)) + "</i>"
    return line


WIDE = 3  # a contact serving this many countries or more is listed once, as serving everywhere


def contacts_text(s: Services, lang: str, contacts: list[Contact], country: str | None = None) -> str:
    """Contacts grouped by the country they serve, each listed once.

    With ``country``, one group for that country; otherwise a contact that serves many
    countries (an embassy network, a ministry website) goes under "Wherever you are".
    """
    _ = _t(s, lang)
    if country is not None:
        here = [c for c in contacts if country in c.serves]
        if not here:
            return ""
        return "\n".join([bold(_(COUNTRIES[country]))] + [contact_line(s, lang, c) for c in here])
    out: list[str] = []
    wide = [c for c in contacts if len(c.serves) >= WIDE]
    shown = {c.id for c in wide}
    for code, label in COUNTRIES.items():
        here = [c for c in contacts if c.id not in shown and c.serves and c.serves[0] == code]
        here += [c for c in contacts if c.id not in shown and code in c.serves[1:] and c not in here]
        here = [c for c in here if c.id not in shown]
        if not here:
            continue
        shown.update(c.id for c in here)
        out.append(bold(_(label)))
        out.extend(contact_line(s, lang, c) for c in here)
        out.append("")
    if wide:
        out.append(bold(_("Wherever you are")))
        out.extend(contact_line(s, lang, c) for c in wide)
    return "\n".join(out).strip()


def country_buttons(s: Services, lang: str, exclude: str | None = None) -> tuple[tuple[Button, ...], ...]:
    """One button per country that has contacts: the full list for that country."""
    _ = _t(s, lang)
    codes = [c for c in COUNTRIES if c != exclude and s.content.contacts_for(c)]
    buttons = [Button(_(COUNTRIES[c]), cb.encode("c", c)) for c in codes]
    return tuple(tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3))


def contacts_reply(s: Services, lang: str, country: str) -> Reply:
    """Every contact for one country, emergency numbers first."""
    _ = _t(s, lang)
    order = {"emergency": 0, "hotline": 1, "office": 2, "email": 3, "website": 4}
    contacts = sorted(s.content.contacts_for(country), key=lambda c: order.get(c.kind, 9))
    text = contacts_text(s, lang, contacts, country) or esc(_("We have no checked contacts for this country yet. Ask the Cambodian embassy."))
    rows = list(country_buttons(s, lang, exclude=country))
    rows.append((Button(_("☰ Menu"), cb.encode("m")),))
    return Reply(text, tuple(rows))


def fallback(s: Services, lang: str, match: Match) -> Reply:
    """An honest "I don't know", with the closest topics and the menu."""
    _ = _t(s, lang)
    text = _(
        "Sorry, I don't know the answer to that yet. I only answer questions about "
        "working abroad safely. Try other words, or choose a topic below."
    )
    rows: list[tuple[Button, ...]] = []
    candidates = [match.best, *(t for t, _score in match.alternatives)] if match.best else []
    suggestions = [s.content.topic(t) for t in candidates[:2] if t and s.content.topic(t)]
    suggestions = [t for t in suggestions if not t.small_talk]
    if suggestions:
        text += "\n\n" + _("Did you mean:")
        rows.extend((Button(short_label(t.title[lang]), cb.encode("t", t.id)),) for t in suggestions)
    rows.extend(menu_buttons(s, lang))
    return Reply(esc(text), tuple(rows))


def not_text(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    return Reply(esc(_("I can only read text. Please type your question, or choose a topic below.")), menu_buttons(s, lang))


def empty_question(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    return Reply(esc(_("Please type a question, for example: How much does a passport cost?")), menu_buttons(s, lang))


def stale_button(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    return Reply(esc(_("Sorry, that button no longer works. Here is the menu.")), menu_buttons(s, lang))


def error_reply(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    return Reply(esc(_("Sorry, something went wrong on my side. Please try again, or choose a topic below.")), menu_buttons(s, lang))


def group_notice(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    text = _("I answer in private chats only, so that nobody else sees your questions. Please open a private chat with me.")
    return Reply(esc(text))


def slow_down(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    return Reply(esc(_("You are sending messages very fast. Please wait a few seconds, then ask again.")))


MAX_QUESTION_CHARS = 500  # longer messages are matched on their start: a question is short


@dataclass(frozen=True)
class Answered:
    """The outcome of one free-text question."""

    match: Match
    lang: str
    replies: list[Reply]


def answer_question(s: Services, text: str, lang: str, explicit_lang: bool = False) -> Answered:
    """Match a question and build the reply; shared by Telegram, the terminal chat and ``ask``.

    Without an explicit language choice, a question typed in romanized Khmer is answered
    in Khmer: the person speaks Khmer even if their phone keyboard does not.
    """
    question = " ".join(text.split())[:MAX_QUESTION_CHARS]
    match = s.matcher.match(question)
    if not explicit_lang and match.script == "km-latn" and match.topic:
        lang = "km"
    if not question:
        return Answered(match, lang, [empty_question(s, lang)])
    topic = s.content.topic(match.topic) if match.topic else None
    if topic is None:
        return Answered(match, lang, [fallback(s, lang, match)])
    return Answered(match, lang, [topic_reply(s, topic, lang)])


def feedback_thanks(s: Services, lang: str, helpful: bool) -> Reply:
    """After 👍 a thank-you; after 👎 a way forward: other words, or people who can help."""
    _ = _t(s, lang)
    if helpful:
        return Reply(esc(_("Thank you! Your feedback helps us improve the answers.")))
    text = _("Sorry this did not help. You can ask again in other words, or talk to a person: the hotlines and Migrant Worker Resource Centres give free advice.")
    rows: list[tuple[Button, ...]] = []
    if s.content.topic("hotlines"):
        rows.append((Button(short_label(s.content.topics["hotlines"].title[lang]), cb.encode("t", "hotlines")),))
    if s.content.topic("mrc"):
        rows.append((Button(short_label(s.content.topics["mrc"].title[lang]), cb.encode("t", "mrc")),))
    rows.append((Button(_("☰ Menu"), cb.encode("m")),))
    return Reply(esc(text), tuple(rows))


def privacy_notice(s: Services, lang: str) -> Reply:
    """What is kept, exactly as bot.storage.database keeps it (tests/test_security.py holds the two together)."""
    _ = _t(s, lang)
    kept = [
        _("It keeps, under a code instead of your Telegram account:"),
        _("• your language"),
        _("• the questions you type (phone, ID and passport numbers, e-mails, social media links and a name given as \"my name is …\" are removed first)"),
        _("• which topics and buttons you opened"),
        _("• the steps of a guided check you reached"),
        _("• your centre's code, if you came from its QR code"),
    ]
    paragraphs = [
        _("This bot does not keep your name, username, phone number or Telegram ID."),
        "\n".join(kept),
        _("Your answers in a guided check are kept only until you finish or leave it."),
        _("We use this only to improve the answers. After {days} days your questions are deleted, and the rest is no longer linked to your code: only counts remain. If you do not use the bot for {days} days, your language choice is deleted too.").format(days=s.settings.retention_days),
        _("You can delete everything the bot keeps about you at any time: /forget"),
        _("Telegram itself keeps this chat, on your phone and on its servers. If someone may look at your phone, delete this chat in Telegram too."),
    ]
    text = "\n\n".join([bold(_("Your privacy"))] + [esc(p) for p in paragraphs])
    return Reply(text, ((Button(_("🗑 Delete my data"), cb.encode("fg", "ask")),), (Button(_("☰ Menu"), cb.encode("m")),)))


def forget_confirm(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    return Reply(
        esc(_("Delete everything this bot keeps about you? This cannot be undone.")),
        ((Button(_("Yes, delete"), cb.encode("fg", "yes")), Button(_("No, keep"), cb.encode("fg", "no"))),),
    )


def forget_done(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    return Reply(esc(_("Done. Everything the bot kept about you has been deleted.")), menu_buttons(s, lang))


def forget_cancelled(s: Services, lang: str) -> Reply:
    _ = _t(s, lang)
    return Reply(esc(_("Nothing was deleted.")), menu_buttons(s, lang))


def feedback_toast(s: Services, lang: str, helpful: bool) -> str:
    """The short pop-up shown on a feedback press (answerCallbackQuery text, max 200 chars)."""
    _ = _t(s, lang)
    return _("Thank you for your feedback!") if helpful else _("Thank you. Sorry it did not help.")
