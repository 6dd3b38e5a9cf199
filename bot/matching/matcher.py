"""Matching a free-text question to a topic, or honestly not.

A wrong confident answer can send someone to a broker, so the matcher returns a
score and the caller falls back below a calibrated threshold.

Questions and example questions are reduced to terms, n-grams and skeletons
(:mod:`bot.matching.features`). The word lists behind them (concepts, spellings, stop words:
``content/vocabulary/*.yaml``) come with the loaded content, as its
:class:`~bot.text.normalize.Lexicon`, so a reload rebuilds them with the matcher. Three
signals are combined:

* keyword coverage (:mod:`bot.matching.index`): how much of the question's information
  (IDF-weighted terms, with typo-tolerant lookup) a topic's example questions explain,
  weighted by how typical each term is of the topic. Words the catalog has never seen
  ("football", "recipe") count against every topic, which is what makes out-of-scope
  questions fall back;
* nearest example (:mod:`bot.matching.index`): IDF-weighted cosine similarity with the
  closest example question of the topic, looked for only in the candidate topics;
* Naive Bayes (:mod:`bot.matching.bayes`): a posterior over terms plus character n-grams and
  consonant skeletons, gated by the share of the question the catalog knows.

The weights are chosen by k-fold cross-validation over the topics' own example
questions (``bench/matching.py --cv``: it does not leak, unlike tuning on a fixed
question set) together with the development questions (``tests/data/dev_questions``).

The reported score is a *confidence*, P(the best topic is right), from a small logistic
model over the signals behind the verdict (:mod:`bot.matching.confidence`,
``bot/data/confidence.json``, read when a matcher is built), fitted on cross-validation
verdicts by :mod:`bot.matching.training` (``python -m bot matching fit``), which also
calibrates its threshold on the development questions. Khmer segments of the content are
cached for a fast start (:mod:`bot.matching.segments`).

Other code imports the names below from here: :class:`Matcher`, :class:`Match`,
``DEFAULT_THRESHOLD`` (the shipped model's threshold, read on first use), the confidence
model's and the segment cache's public names.
"""
from __future__ import annotations

import math
import time
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field, replace

from bot.content.model import QUESTION_LANGS, Content
from bot.matching.bayes import NaiveBayes
from bot.matching.confidence import (
    CONFIDENCE_FEATURES,
    CONFIDENCE_FILE,
    ConfidenceModel,
    ConfidenceModelError,
    confidence_features,
)
from bot.matching.features import Features, Vocabulary
from bot.matching.index import ExampleIndex
from bot.matching.segments import (
    SEGMENT_CACHE_FILE,
    khmer_dictionary,
    khmer_runs,
    load_segment_cache,
    write_segment_cache,
)
from bot.text.normalize import SEGMENTER, KhmerDictSegmenter

__all__ = [
    "CONFIDENCE_FEATURES", "CONFIDENCE_FILE", "OUT_OF_SCOPE", "SEGMENT_CACHE_FILE",
    "ConfidenceModel", "ConfidenceModelError", "Match", "Matcher", "confidence_features", "default_threshold",
    "khmer_runs", "load_segment_cache", "write_segment_cache",
]

OUT_OF_SCOPE = "__out_of_scope__"  # the class of content/out_of_scope.yaml: never answered
RESULT_CACHE = 4096  # recent questions and their verdicts: people ask the same things
KEYWORD_WEIGHT = 0.7  # share of the keyword-coverage signal; the rest is the nearest example
NB_WEIGHT = 0.4  # share of the Naive Bayes posterior in the score; the rest is keyword coverage + nearest example
# The posterior counts in proportion to the share of the question's information the catalog knows
# (** NB_GATE): a posterior always sums to 1, and unknown words ("football") must still pull the
# score down for out-of-scope questions to fall back. Without the gate CV top-1 is 0.02 lower.
NB_GATE = 1.0
NEAREST_CANDIDATES = 8  # topics, by coverage and by Naive Bayes, in which the nearest example is looked for


def default_threshold() -> float:
    """The confidence below which the bot says it does not know: the shipped model's (``python -m bot matching fit``)."""
    return ConfidenceModel.load().threshold


def __getattr__(name: str):
    # DEFAULT_THRESHOLD is read from bot/data/confidence.json when first asked for, not at import.
    if name == "DEFAULT_THRESHOLD":
        return default_threshold()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Match:
    """The matcher's verdict on one question."""

    topic: str | None  # None: below the threshold (or most like the out-of-scope examples), fall back
    score: float  # confidence 0..1 that the best topic is right, even when it fell back
    best: str | None  # best topic regardless of the threshold
    alternatives: tuple[tuple[str, float], ...] = ()  # next best topics, with their raw scores
    script: str = "en"  # en | km | km-latn: how the question was written
    ms: float = 0.0
    tokens: tuple[str, ...] = field(default=(), compare=False)
    raw: float = 0.0  # the best topic's combined score (what the alternatives are ranked by)
    off_topic: bool = False  # most like content/out_of_scope.yaml: never answered
    features: dict[str, float] = field(default_factory=dict, compare=False)  # what the confidence model saw


class Matcher:
    """Index of every topic's example questions; immutable once built.

    ``confidence``: the model that turns signals into a confidence (default: read from
    ``bot/data/confidence.json`` now, refused with :class:`ConfidenceModelError` naming the file
    if broken); ``threshold``: answer at or above it (default: the model's).
    """

    def __init__(self, content: Content, threshold: float | None = None, confidence: ConfidenceModel | None = None) -> None:
        self._results: OrderedDict[str, Match] = OrderedDict()
        self.confidence = confidence or ConfidenceModel.load()
        self.threshold = threshold if threshold else self.confidence.threshold
        SEGMENTER.load()
        # The vocabulary (content/vocabulary/*.yaml) comes with the content: a reload brings new spellings.
        lex = self._lexicon = content.lexicon
        # The CRF segmenter is the slowest part of start-up: runs seen before come from a cache.
        km_words = khmer_dictionary(content, load_segment_cache())
        features = self._features = Features(lex, KhmerDictSegmenter(km_words))
        classes = [(t.id, t.questions, (t.title["en"], t.title["km"])) for t in content.topics.values()]
        if any(content.out_of_scope.values()):
            classes.append((OUT_OF_SCOPE, content.out_of_scope, ()))

        index = self._index = ExampleIndex()
        nb_counts: dict[str, Counter] = defaultdict(Counter)
        word_features: dict[tuple[str, str], frozenset[str]] = {}  # words recur across examples
        latin_vocab: set[str] = set(lex.concepts.latin_words)
        roman_vocab: set[str] = set(lex.roman_words.values())
        english_vocab: set[str] = {lex.normalize_latin_word(w) for w in lex.english_stopwords}
        for tid, questions, titles in classes:
            for lang in QUESTION_LANGS:
                for q in questions.get(lang, ()):
                    words = features.words(q)
                    for script, w in words:
                        if script == "latn":
                            latin_vocab.add(w)
                            (roman_vocab if lang == "km-latn" else english_vocab).add(w)
                    terms = frozenset(features.terms([w for _s, w in words]))
                    if not terms:
                        continue
                    nb_counts[tid].update(features.feature_set(words, terms, word_features))
                    index.add(tid, lang, " ".join(w for _s, w in words), terms)
            for title in titles:
                index.add_title(tid, features.terms([w for _s, w in features.words(title)]))
        index.freeze({t.id for t in content.topics.values() if t.small_talk} | {OUT_OF_SCOPE})
        self._nb = NaiveBayes(nb_counts, index.topics, features)
        self._vocab = Vocabulary(features, latin_vocab, km_words, roman_vocab, english_vocab)

    @property
    def size(self) -> int:
        return self._index.size

    def match(self, text: str) -> Match:
        """Score every topic against one question (repeated questions come from a small cache)."""
        start = time.perf_counter()
        cache = self._results
        hit = cache.get(text)
        if hit is not None:
            cache.move_to_end(text)
            return replace(hit, ms=(time.perf_counter() - start) * 1000)
        result = self._match(text, start)
        cache[text] = result
        if len(cache) > RESULT_CACHE:
            cache.popitem(last=False)
        return result

    def _match(self, text: str, start: float) -> Match:
        """The matching itself, uncached."""
        index = self._index
        words = self._features.words(text)
        script = self._vocab.script(text, words)
        idf = index.idf
        known, unknown, terms = self._vocab.query_terms(words, idf)
        if not known:
            # Nothing the catalog knows: fall back, but still name the closest topics
            # by spelling, for "Did you mean" and for editors reading the fallbacks.
            ranked_topics = index.closest_by_spelling(" ".join(w for _s, w in words))
            ms = (time.perf_counter() - start) * 1000
            best_topic = ranked_topics[0] if ranked_topics else None
            alts = tuple((t, 0.0) for t in ranked_topics[1:4])
            return Match(None, 0.0, best_topic, alts, script, ms, tuple(terms))
        total = sum(idf[t] * s for t, s in known) + unknown
        q_norm = math.sqrt(sum((idf[t] * s) ** 2 for t, s in known) + unknown**2)
        coverage = index.coverage(known)
        post = self._nb.posterior(words, terms) if NB_WEIGHT else {}
        # Nearest example (cosine over shared terms), only in the candidate topics.
        candidates = set(sorted(coverage, key=coverage.__getitem__, reverse=True)[:NEAREST_CANDIDATES])
        candidates |= set(sorted(post, key=post.__getitem__, reverse=True)[:NEAREST_CANDIDATES])
        nearest = index.nearest(known, q_norm, candidates)
        scores = {
            tid: KEYWORD_WEIGHT * coverage.get(tid, 0.0) / total + (1 - KEYWORD_WEIGHT) * nearest.get(tid, 0.0)
            for tid in coverage.keys() | nearest.keys()
        }
        if NB_WEIGHT:
            gate = ((total - unknown) / total) ** NB_GATE if NB_GATE else 1.0
            scores = {
                tid: (1 - NB_WEIGHT) * scores.get(tid, 0.0) + NB_WEIGHT * gate * post.get(tid, 0.0)
                for tid in scores.keys() | post.keys()
            }
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        # A question most like the out-of-scope examples falls back whatever its score;
        # the nearest real topic is still reported, for "Did you mean" and for editors.
        off_topic = ranked[0][0] == OUT_OF_SCOPE
        oos_score = scores.get(OUT_OF_SCOPE, 0.0)
        ranked = [(t, sc) for t, sc in ranked if t != OUT_OF_SCOPE] or [(None, 0.0)]
        best, raw = ranked[0]
        feats = confidence_features(
            raw, ranked[1][1] if len(ranked) > 1 else 0.0, coverage.get(best, 0.0) / total, nearest.get(best, 0.0),
            post.get(best, 0.0), (total - unknown) / total, oos_score, off_topic, script, len(terms),
        )
        score = round(self.confidence(feats), 4)  # the decision uses the score that is reported
        topic = best if score >= self.threshold and not off_topic else None
        ms = (time.perf_counter() - start) * 1000
        alternatives = tuple((t, round(s, 4)) for t, s in ranked[1:4])
        return Match(topic, score, best, alternatives, script, ms, tuple(terms), round(raw, 4), off_topic, feats)
