"""Matching a free-text question to a topic, or honestly not.

A wrong confident answer can send someone to a broker, so the matcher returns a
score and the caller falls back below a calibrated threshold. Two signals are
combined:

* keyword coverage: how much of the question's information (IDF-weighted
  normalized words, with typo-tolerant lookup) the topic's example questions
  explain. Words the catalog has never seen ("football", "recipe") pull the
  score down, which is what makes out-of-scope questions fall back;
* nearest example: rapidfuzz similarity to the closest example question, which
  rewards whole-phrase matches and word order.
"""
from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.content import QUESTION_LANGS, Content
from bot.i18n import has_khmer
from bot.textnorm import SEGMENTER, tokens

DEFAULT_THRESHOLD = 0.5
KEYWORD_WEIGHT = 0.6
FUZZ_CUTOFF = 82  # how close a typo must be to a known word to count as it


@dataclass(frozen=True)
class Match:
    """The matcher's verdict on one question."""

    topic: str | None  # None: below the threshold, fall back
    score: float  # 0..1, of the best topic even when it fell back
    best: str | None  # best topic regardless of the threshold
    alternatives: tuple[tuple[str, float], ...] = ()  # next best topics
    script: str = "en"  # en | km | km-latn: how the question was written
    ms: float = 0.0
    tokens: tuple[str, ...] = field(default=(), compare=False)


class Matcher:
    """Index of every topic's example questions; immutable once built."""

    def __init__(self, content: Content, threshold: float | None = None) -> None:
        SEGMENTER.load()
        self.threshold = threshold if threshold else DEFAULT_THRESHOLD
        self._examples: list[str] = []
        self._example_topic: list[str] = []
        self._example_lang: list[str] = []
        topic_tokens: dict[str, Counter] = defaultdict(Counter)
        for topic in content.topics.values():
            for lang in QUESTION_LANGS:
                for q in topic.questions.get(lang, ()):
                    toks = tokens(q)
                    if not toks:
                        continue
                    self._examples.append(" ".join(toks))
                    self._example_topic.append(topic.id)
                    self._example_lang.append(lang)
                    topic_tokens[topic.id].update(set(toks))
            for lang in ("en", "km"):
                topic_tokens[topic.id].update(set(tokens(topic.title[lang])))
        n_topics = max(1, len(topic_tokens))
        df: Counter = Counter()
        for counts in topic_tokens.values():
            df.update(counts.keys())
        self._idf = {t: math.log(1 + (n_topics - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._max_idf = max(self._idf.values(), default=1.0)
        # Share of a topic's example questions that contain the word: how typical it is of the topic.
        self._topic_weight: dict[str, dict[str, float]] = {}
        n_examples = Counter(self._example_topic)
        for tid, counts in topic_tokens.items():
            total = max(1, n_examples[tid])
            self._topic_weight[tid] = {t: min(1.0, 0.5 + c / total) for t, c in counts.items()}
        self._vocab = list(self._idf)
        self._lookup = lru_cache(maxsize=20_000)(self._lookup_uncached)

    @property
    def size(self) -> int:
        return len(self._examples)

    def _lookup_uncached(self, token: str) -> tuple[str, float] | None:
        """The known word a token stands for, with similarity 0..1 (typos tolerated)."""
        if token in self._idf:
            return token, 1.0
        if len(token) < 4:
            return None
        hit = process.extractOne(token, self._vocab, scorer=fuzz.ratio, score_cutoff=FUZZ_CUTOFF)
        if hit is None:
            return None
        return hit[0], hit[1] / 100.0

    def match(self, text: str) -> Match:
        """Score every topic against one question."""
        start = time.perf_counter()
        toks = tokens(text)
        script = "km" if has_khmer(text) else "en"
        if not toks:
            return Match(None, 0.0, None, (), script, (time.perf_counter() - start) * 1000, ())
        query = " ".join(toks)
        # Keyword coverage per topic.
        mapped = [(t, self._lookup(t)) for t in dict.fromkeys(toks)]
        total = sum(self._idf[m[0]] if m else self._max_idf for _, m in mapped) or 1.0
        coverage: dict[str, float] = defaultdict(float)
        for _, m in mapped:
            if not m:
                continue
            word, sim = m
            weight = self._idf[word] * sim
            for tid, weights in self._topic_weight.items():
                w = weights.get(word)
                if w:
                    coverage[tid] += weight * w
        # Nearest example per topic.
        nearest: dict[str, tuple[float, str]] = {}
        for _, score, idx in process.extract(
            query, self._examples, scorer=fuzz.token_set_ratio, limit=40, score_cutoff=40
        ):
            tid = self._example_topic[idx]
            if tid not in nearest or score > nearest[tid][0]:
                nearest[tid] = (score, self._example_lang[idx])
        scores: dict[str, float] = {}
        for tid in set(coverage) | set(nearest):
            kw = coverage.get(tid, 0.0) / total
            fz = nearest.get(tid, (0.0, ""))[0] / 100.0
            scores[tid] = KEYWORD_WEIGHT * kw + (1 - KEYWORD_WEIGHT) * fz
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        ms = (time.perf_counter() - start) * 1000
        if not ranked:
            return Match(None, 0.0, None, (), script, ms, tuple(toks))
        best, score = ranked[0]
        if script == "en" and nearest.get(best, (0, ""))[1] == "km-latn":
            script = "km-latn"
        topic = best if score >= self.threshold else None
        return Match(topic, round(score, 4), best, tuple((t, round(s, 4)) for t, s in ranked[1:4]), script, ms, tuple(toks))
