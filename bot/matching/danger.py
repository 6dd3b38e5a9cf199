"""Danger first: does a message say that someone is in danger now, and where are they?

Runs before topic matching on every free-text message. A hit makes the reply lead with
emergency help (the numbers of the country the message names, the emergency check);
the topic answer follows. The words are content (content/safety/danger.yaml, see
bot.content.safety); this module only matches them, in linear time, on folded words
(English and romanized Khmer) and on the space- and subscript-free Khmer of the message.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.content.safety import SafetySignals
from bot.text.phrases import MIN_PREFIX, clean, find_phrase, khmer_key, latin_words

HYPOTHETICAL_WINDOW = 4  # words before a match in which "if" makes it a question about a rule
KHMER_WINDOW = 12  # characters before a Khmer match in which ប្រសិនបើ does the same
MAX_TEXT = 4096  # Telegram's limit; longer input is cut first


@dataclass(frozen=True)
class Danger:
    """What the check found: the kinds of danger, the places named, and the countries whose numbers to show."""

    signals: tuple[str, ...]
    places: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()


class _Phrases:
    """Latin phrases indexed by the start of their first word, and Khmer keys, each with its owner."""

    def __init__(self, contiguous: frozenset[str] = frozenset()) -> None:
        self.latin: dict[str, list[tuple[list[str], str]]] = defaultdict(list)
        self.khmer: list[tuple[str, str]] = []
        self.contiguous = contiguous  # owners whose words must follow each other with nothing between

    def add(self, script: str, form: str, owner: str) -> None:
        if script == "km":
            key = khmer_key(form)
            if key:
                self.khmer.append((key, owner))
        else:
            words = latin_words(form)
            if words:
                self.latin[words[0][:MIN_PREFIX]].append((words, owner))

    def find_latin(self, words: list[str]) -> list[tuple[str, int, int, int]]:
        """(owner, start, words, letters) of every phrase found."""
        out = []
        seen: set[tuple[str, ...]] = set()
        for w in set(words):
            for phrase, owner in self.latin.get(w[:MIN_PREFIX], ()):
                if tuple(phrase) in seen:
                    continue
                seen.add(tuple(phrase))
                start = find_phrase(words, phrase, max_gap=0 if owner in self.contiguous else 2)
                if start is not None:
                    out.append((owner, start, len(phrase), sum(map(len, phrase))))
        return out

    def find_khmer(self, key: str) -> list[tuple[str, int, int]]:
        out = []
        for form, owner in self.khmer:
            at = key.find(form)
            if at >= 0:
                out.append((owner, at, len(form)))
        return out


class DangerDetector:
    """Built once from the content's signals (and again on /reload, with the matcher)."""

    def __init__(self, safety: SafetySignals) -> None:
        self.safety = safety
        self._plea = frozenset(s.id for s in safety.signals if s.plea)
        # A cry for help is short and set: "chuoy prab knhom phong" ("please tell me") is no plea.
        self._signals = _Phrases(contiguous=self._plea)
        self._places = _Phrases()
        for sig in safety.signals:
            for script, forms in sig.forms.items():
                for form in forms:
                    self._signals.add(script, form, sig.id)
        self._show = {p.id: p.show for p in safety.places}
        for place in safety.places:
            for script, forms in place.forms.items():
                for form in forms:
                    self._places.add(script, form, place.id)
        self._if_latin = {tuple(latin_words(f)) for s in ("en", "km-latn") for f in safety.hypothetical.get(s, ())}
        self._if_khmer = [khmer_key(f) for f in safety.hypothetical.get("km", ())]

    def check(self, text: str) -> Danger | None:
        """A Danger when the message says someone is in danger, else None."""
        text = clean(text[:MAX_TEXT])
        words = latin_words(text)
        key = khmer_key(text)
        found: list[str] = []
        for owner, start, _n, _chars in self._signals.find_latin(words):
            if owner in self._plea or not self._latin_hypothetical(words, start):
                found.append(owner)
        for owner, at, _n in self._signals.find_khmer(key):
            if owner in self._plea or not any(f and f in key[max(0, at - KHMER_WINDOW - len(f)):at] for f in self._if_khmer):
                found.append(owner)
        if not found:
            return None
        places = self._find_places(words, key)
        countries: list[str] = []
        for p in places:
            countries.extend(c for c in self._show.get(p, ()) if c not in countries)
        return Danger(tuple(dict.fromkeys(found)), places, tuple(countries))

    def _latin_hypothetical(self, words: list[str], start: int) -> bool:
        before = words[max(0, start - HYPOTHETICAL_WINDOW):start]
        return any(tuple(before[i:i + len(h)]) == h for h in self._if_latin for i in range(len(before)))

    def _find_places(self, words: list[str], key: str) -> tuple[str, ...]:
        """Places named, longest form first, so "siem reap" (Cambodia) is not also "siem" (Thailand)."""
        hits = sorted(self._places.find_latin(words), key=lambda h: (-h[2], -h[3]))
        taken: set[int] = set()
        out: list[str] = []
        for owner, start, n, _chars in hits:
            span = set(range(start, start + n))
            if span & taken:
                continue
            taken |= span
            if owner not in out:
                out.append(owner)
        for owner, _at, _n in sorted(self._places.find_khmer(key), key=lambda h: -h[2]):
            if owner not in out:
                out.append(owner)
        return tuple(out)
