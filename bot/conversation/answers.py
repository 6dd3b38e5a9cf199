"""What the bot says: menus, topic answers, fallbacks, contacts, as :class:`Reply` values.

Every function takes a :class:`~bot.conversation.view.View` (the content, the language
and its strings) and returns replies; nothing here knows about Telegram objects or
storage, so the same wording is used by the Bot API handlers, the terminal chat and
the ``ask`` command.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.conversation.callbacks import Contacts, Feedback, FlowList, FlowStart, Forget, LanguageChooser, Menu, SetLanguage, ShowTopic, Sources
from bot.content.model import Contact, Topic
from bot.text.i18n import _ as N_
from bot.matching.danger import Danger
from bot.matching.matcher import Match
from bot.conversation.replies import Button, Reply, bold, esc, short_label
from bot.conversation.view import Core, View, view_for

COUNTRIES = {
    "cambodia": N_("Cambodia"),
    "thailand": N_("Thailand"),
    "malaysia": N_("Malaysia"),
    "korea": N_("South Korea"),
    "japan": N_("Japan"),
    "other": N_("Other countries"),
}
LANGUAGE_LABEL = "ភាសាខ្មែរ / English"


def topic_button(v: View, topic: Topic) -> Button:
    """A button that shows a topic, labelled with its title."""
    return Button(short_label(topic.title[v.lang]), ShowTopic(topic.id).pack())


def menu_buttons(v: View) -> tuple[tuple[Button, ...], ...]:
    """The main menu: the topics editors put on it, guided checks, language, about."""
    _ = v.translate
    topics = v.content.menu_topics()
    rows: list[tuple[Button, ...]] = []
    for i in range(0, len(topics), 2):
        rows.append(tuple(topic_button(v, t) for t in topics[i : i + 2]))
    if v.content.flows:
        rows.append((Button(_("✅ Guided checks"), FlowList().pack()),))
    rows.append((Button(LANGUAGE_LABEL, LanguageChooser().pack()), Button(_("ℹ️ About"), ShowTopic("about").pack())))
    return tuple(rows)


def welcome(v: View) -> Reply:
    _ = v.translate
    text = _(
        "Hello! I give free, private information about working abroad safely: "
        "the legal ways to go, what it costs, your rights, and who to call for help."
    )
    text += "\n\n" + _("Type your question in Khmer or English, or choose a topic below.")
    return Reply(esc(text), menu_buttons(v))


def menu(v: View) -> Reply:
    _ = v.translate
    return Reply(esc(_("Choose a topic, or type your question.")), menu_buttons(v))


BARE_HELP = frozenset({"help", "ជួយ", "juy", "chuoy", "chuy"})  # "help" alone: what the bot does, and the hotlines


def bare_help(v: View) -> Reply:
    """The word "help" alone: how to use the bot, with the hotlines one tap away."""
    reply = help_text(v)
    rows = list(reply.buttons)
    if v.content.topic("hotlines"):
        rows.insert(0, (topic_button(v, v.content.topics["hotlines"]),))
    return Reply(reply.text, tuple(rows))


def help_text(v: View) -> Reply:
    _ = v.translate
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
    return Reply(esc("\n".join(lines)), menu_buttons(v))


def language_chooser(v: View) -> Reply:
    _ = v.translate
    return Reply(
        esc(_("Choose your language:")),
        ((Button("ភាសាខ្មែរ", SetLanguage("km").pack()), Button("English", SetLanguage("en").pack())),),
    )


def language_set(v: View) -> Reply:
    _ = v.translate
    return Reply(esc(_("From now on I will answer in English.")), menu_buttons(v))


def _related_rows(v: View, topic: Topic) -> list[tuple[Button, ...]]:
    related = [v.content.topic(r) for r in topic.related]
    buttons = [topic_button(v, t) for t in related if t]
    return [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]


def topic_reply(v: View, topic: Topic, feedback: bool = True) -> Reply:
    """A topic's answer with its title, contacts (for hotlines), and next-step buttons."""
    _ = v.translate
    lang = v.lang
    if topic.small_talk:
        return Reply(esc(topic.answer[lang]), menu_buttons(v))
    parts = [bold(topic.title[lang]), esc(topic.answer[lang])]
    extra_rows: list[tuple[Button, ...]] = []
    if topic.id == "hotlines":
        urgent = [c for c in v.content.contacts if c.kind in ("emergency", "hotline")]
        parts.append(contacts_text(v, urgent))
        parts.append(esc(_("Offices, websites and more, by country:")))
        extra_rows = list(country_buttons(v))
    if topic.unverified:
        parts.append("<i>" + esc(_("Some facts here are not yet confirmed by our editors: check them at an official office.")) + "</i>")
    parts.append("<i>" + esc(_("Checked by our editors on {date}.").format(date=topic.reviewed)) + "</i>")
    rows = extra_rows + _related_rows(v, topic)
    if feedback:
        rows.append(
            (
                Button("👍", Feedback(topic.id, True).pack()),
                Button("👎", Feedback(topic.id, False).pack()),
                Button(_("📚 Sources"), Sources(topic.id).pack()),
            )
        )
    rows.append((Button(_("☰ Menu"), Menu().pack()),))
    return Reply("\n\n".join(parts), tuple(rows))


def sources_reply(v: View, topic: Topic) -> Reply:
    """Where a topic's facts come from, so a reader can check them."""
    _ = v.translate
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
    return Reply("\n".join(lines), ((topic_button(v, topic), Button(_("☰ Menu"), Menu().pack())),))


def contact_line(v: View, c: Contact, urgent: bool = False) -> str:
    """One contact; ``urgent`` (someone in danger) drops the unconfirmed caution: it must never delay a call."""
    _ = v.translate
    lang = v.lang
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
    if not c.verified and c.kind != "emergency" and not urgent:  # never a reason to delay a call for help
        year = f" ({c.source.year})" if c.source.year else ""
        line += "\n  <i>" + esc(_("Not yet confirmed by our editors{year}: check before relying on it.").format(year=year)) + "</i>"
    return line


WIDE = 3  # a contact serving this many countries or more is listed once, as serving everywhere


def contacts_text(v: View, contacts: list[Contact], country: str | None = None) -> str:
    """Contacts grouped by the country they serve, each listed once.

    With ``country``, one group for that country; otherwise a contact that serves many
    countries (an embassy network, a ministry website) goes under "Wherever you are".
    """
    _ = v.translate
    if country is not None:
        here = [c for c in contacts if country in c.serves]
        if not here:
            return ""
        return "\n".join([bold(_(COUNTRIES[country]))] + [contact_line(v, c) for c in here])
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
        out.extend(contact_line(v, c) for c in here)
        out.append("")
    if wide:
        out.append(bold(_("Wherever you are")))
        out.extend(contact_line(v, c) for c in wide)
    return "\n".join(out).strip()


def country_buttons(v: View, exclude: str | None = None) -> tuple[tuple[Button, ...], ...]:
    """One button per country that has contacts: the full list for that country."""
    _ = v.translate
    codes = [c for c in COUNTRIES if c != exclude and v.content.contacts_for(c)]
    buttons = [Button(_(COUNTRIES[c]), Contacts(c).pack()) for c in codes]
    return tuple(tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3))


def contacts_reply(v: View, country: str) -> Reply:
    """Every contact for one country, emergency numbers first."""
    _ = v.translate
    order = {"emergency": 0, "hotline": 1, "office": 2, "email": 3, "website": 4}
    contacts = sorted(v.content.contacts_for(country), key=lambda c: order.get(c.kind, 9))
    text = contacts_text(v, contacts, country) or esc(_("We have no checked contacts for this country yet. Ask the Cambodian embassy."))
    rows = list(country_buttons(v, exclude=country))
    rows.append((Button(_("☰ Menu"), Menu().pack()),))
    return Reply(text, tuple(rows))


CLARIFY_TOPICS = 3  # "Is your question about ...?" offers this many topics


def fallback_suggestions(v: View, match: Match) -> list[Topic]:
    """The topics an unsure reply offers as buttons, best first: three when the message is
    about migration work ("Is your question about ...?"), two for an off-topic one ("Did you mean")."""
    candidates = [match.best, *(t for t, _score in match.alternatives)] if match.best else []
    topics = [v.content.topic(t) for t in candidates if t and v.content.topic(t)]
    topics = [t for t in topics if not t.small_talk]
    return topics[: 2 if match.off_topic else CLARIFY_TOPICS]


def clarify(v: View, match: Match) -> Reply:
    """In scope but unsure: ask, with the three best topics as buttons, instead of refusing."""
    _ = v.translate
    text = _("I am not sure I understood. Is your question about one of these?")
    rows: list[tuple[Button, ...]] = [(topic_button(v, t),) for t in fallback_suggestions(v, match)]
    text += "\n\n" + _("If not, please tell me in other words. I only answer questions about working abroad safely.")
    rows.extend(menu_buttons(v))
    return Reply(esc(text), tuple(rows))


def fallback(v: View, match: Match) -> Reply:
    """An honest "I don't know" for a message that is not about working abroad, or a question
    back ("Is your question about ...?") when it is and the matcher is unsure."""
    _ = v.translate
    if not match.off_topic and fallback_suggestions(v, match):
        return clarify(v, match)
    text = _(
        "Sorry, I don't know the answer to that yet. I only answer questions about "
        "working abroad safely. Try other words, or choose a topic below."
    )
    rows: list[tuple[Button, ...]] = []
    suggestions = fallback_suggestions(v, match)
    if suggestions:
        text += "\n\n" + _("Did you mean:")
        rows.extend((topic_button(v, t),) for t in suggestions)
    rows.extend(menu_buttons(v))
    return Reply(esc(text), tuple(rows))


MAX_URGENT_COUNTRIES = 2
# Hotlines for people in danger (as the contacts' own `topics` say), shown after the emergency numbers.
URGENT_TOPICS = frozenset({"emergency", "trafficking", "violence"})


def urgent_contacts(v: View, country: str) -> list[Contact]:
    """Emergency numbers of a country first, then its hotlines for trafficking, violence or emergencies."""
    here = v.content.contacts_for(country)
    first = [c for c in here if c.kind == "emergency"]
    then = [c for c in here if c.kind == "hotline" and URGENT_TOPICS & set(c.topics)]
    return first + then


def urgent_reply(v: View, danger: Danger) -> Reply:
    """Emergency help first: the numbers to call in the country the message names, the emergency check.

    Where the message names no place, one button per country leads to its numbers.
    The unconfirmed-number caution is never shown here (see contact_line).
    """
    _ = v.translate
    parts = [bold(_("You may be in danger. Get help now:"))]
    countries = [c for c in danger.countries if urgent_contacts(v, c)][:MAX_URGENT_COUNTRIES]
    for country in countries:
        here = urgent_contacts(v, country)
        if here:
            parts.append("\n".join([bold(_(COUNTRIES[country]))] + [contact_line(v, c, urgent=True) for c in here]))
    if not countries:
        parts.append(esc(_("Where are you now? Choose the country to see the numbers to call:")))
    parts.append(esc(_("If you can, go to a safe place and tell someone you trust where you are.")))
    rows: list[tuple[Button, ...]] = []
    if "emergency" in v.content.flows:
        rows.append((Button(_("🆘 I need help now: what to do"), FlowStart("emergency").pack()),))
    rows.extend(country_buttons(v, exclude=countries[0] if len(countries) == 1 else None))
    if v.content.topic("hotlines"):
        rows.append((topic_button(v, v.content.topics["hotlines"]),))
    return Reply("\n\n".join(parts), tuple(rows))


def not_text(v: View) -> Reply:
    _ = v.translate
    return Reply(esc(_("I can only read text. Please type your question, or choose a topic below.")), menu_buttons(v))


def empty_question(v: View) -> Reply:
    _ = v.translate
    return Reply(esc(_("Please type a question, for example: How much does a passport cost?")), menu_buttons(v))


def stale_button(v: View) -> Reply:
    _ = v.translate
    return Reply(esc(_("Sorry, that button no longer works. Here is the menu.")), menu_buttons(v))


def error_reply(v: View) -> Reply:
    _ = v.translate
    return Reply(esc(_("Sorry, something went wrong on my side. Please try again, or choose a topic below.")), menu_buttons(v))


def group_notice(v: View) -> Reply:
    _ = v.translate
    text = _("I answer in private chats only, so that nobody else sees your questions. Please open a private chat with me.")
    return Reply(esc(text))


def slow_down(v: View) -> Reply:
    _ = v.translate
    return Reply(esc(_("You are sending messages very fast. Please wait a few seconds, then ask again.")))


MAX_QUESTION_CHARS = 500  # longer messages are matched on their start: a question is short


@dataclass(frozen=True)
class Answered:
    """The outcome of one free-text question."""

    match: Match
    lang: str
    replies: list[Reply]
    view: View  # in the language answered, for anything said after the answer
    danger: Danger | None = None  # set when the reply leads with emergency help
    fell_back: bool = False  # the reply is the honest "I don't know" (with its suggestions)

    @property
    def urgent(self) -> bool:
        return self.danger is not None

    @property
    def suggestions(self) -> list[str]:
        """Topic IDs the reply offers as "did you mean" buttons, best first (not the fixed related topics)."""
        if not self.fell_back:
            return []
        return [t.id for t in fallback_suggestions(self.view, self.match)]


def answer_question(core: Core, text: str, lang: str, explicit_lang: bool = False, *, bot_username: str | None = None) -> Answered:
    """Match a question and build the reply; shared by Telegram, the terminal chat and ``ask``.

    ``core`` is the services (content, matcher, strings, settings: see :class:`~bot.conversation.view.Core`);
    the content and the matcher are read as one pair, so a reload never mixes them.
    Without an explicit language choice, a question typed in romanized Khmer is answered
    in Khmer: the person speaks Khmer even if their phone keyboard does not.
    """
    catalog = core.catalog
    question = " ".join(text.split())[:MAX_QUESTION_CHARS]
    match = catalog.matcher.match(question)
    # Danger first, on the whole message: someone in danger gets emergency help before any answer.
    danger = catalog.danger.check(text)
    if not explicit_lang and match.script == "km-latn" and (match.topic or danger):
        lang = "km"
    v = view_for(core, lang, bot_username, content=catalog.content)
    if danger is None:
        if question.strip(" ?!.។").lower() in BARE_HELP:
            return Answered(match, lang, [bare_help(v)], v)
        fell_back = bool(question) and (match.topic is None or v.content.topic(match.topic) is None)
        return Answered(match, lang, [reply_to_question(v, question, match)], v, fell_back=fell_back)
    replies = [urgent_reply(v, danger)]
    topic = v.content.topic(match.topic) if match.topic else None
    if topic is not None and topic.id != "hotlines":
        replies.append(topic_reply(v, topic))
    return Answered(match, lang, replies, v, danger)


def reply_to_question(v: View, question: str, match: Match) -> Reply:
    """The answer to a matched question: its topic, or an honest fallback."""
    if not question:
        return empty_question(v)
    topic = v.content.topic(match.topic) if match.topic else None
    if topic is None:
        return fallback(v, match)
    return topic_reply(v, topic)


def feedback_thanks(v: View, helpful: bool) -> Reply:
    """After 👍 a thank-you; after 👎 a way forward: other words, or people who can help."""
    _ = v.translate
    if helpful:
        return Reply(esc(_("Thank you! Your feedback helps us improve the answers.")))
    text = _("Sorry this did not help. You can ask again in other words, or talk to a person: the hotlines and Migrant Worker Resource Centres give free advice.")
    rows: list[tuple[Button, ...]] = []
    if v.content.topic("hotlines"):
        rows.append((topic_button(v, v.content.topics["hotlines"]),))
    if v.content.topic("mrc"):
        rows.append((topic_button(v, v.content.topics["mrc"]),))
    rows.append((Button(_("☰ Menu"), Menu().pack()),))
    return Reply(esc(text), tuple(rows))


def privacy_notice(v: View) -> Reply:
    """What is kept, exactly as bot.storage.database keeps it (tests/test_security.py holds the two together)."""
    _ = v.translate
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
        _("We use this only to improve the answers. After {days} days your questions are deleted, and the rest is no longer linked to your code: only counts remain. If you do not use the bot for {days} days, your language choice is deleted too.").format(days=v.retention_days),
        _("You can delete everything the bot keeps about you at any time: /forget"),
        _("Telegram itself keeps this chat, on your phone and on its servers. If someone may look at your phone, delete this chat in Telegram too."),
    ]
    text = "\n\n".join([bold(_("Your privacy"))] + [esc(p) for p in paragraphs])
    return Reply(text, ((Button(_("🗑 Delete my data"), Forget("ask").pack()),), (Button(_("☰ Menu"), Menu().pack()),)))


def forget_confirm(v: View) -> Reply:
    _ = v.translate
    return Reply(
        esc(_("Delete everything this bot keeps about you? This cannot be undone.")),
        ((Button(_("Yes, delete"), Forget("yes").pack()), Button(_("No, keep"), Forget("no").pack())),),
    )


def forget_done(v: View) -> Reply:
    _ = v.translate
    return Reply(esc(_("Done. Everything the bot kept about you has been deleted.")), menu_buttons(v))


def forget_cancelled(v: View) -> Reply:
    _ = v.translate
    return Reply(esc(_("Nothing was deleted.")), menu_buttons(v))


def feedback_toast(v: View, helpful: bool) -> str:
    """The short pop-up shown on a feedback press (answerCallbackQuery text, max 200 chars)."""
    _ = v.translate
    return _("Thank you for your feedback!") if helpful else _("Thank you. Sorry it did not help.")
