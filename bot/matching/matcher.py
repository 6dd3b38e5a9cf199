"""Matching a free-text question to a topic, or honestly not.

A wrong confident answer can send someone to a broker, so the matcher returns a
score and the caller falls back below a calibrated threshold.

Questions and example questions are reduced to *terms* (:mod:`bot.text.normalize`):
normalized words, and shared concepts such as ``#passport`` that the same idea
gets in English, Khmer script and romanized Khmer. Three signals are combined:

* keyword coverage: how much of the question's information (IDF-weighted terms,
  with typo-tolerant lookup) a topic's example questions explain, weighted by
  how typical each term is of the topic. Words the catalog has never seen
  ("football", "recipe") count against every topic, which is what makes
  out-of-scope questions fall back;
* nearest example: IDF-weighted cosine similarity with the closest example
  question of the topic, which rewards a question that says what one example
  says. Only examples sharing a term with the question are scored (an inverted
  index), so matching costs a fraction of a millisecond;
* Naive Bayes: a multinomial Naive Bayes posterior over terms plus character
  n-grams of the normalized words (Khmer 2-4, folded Latin 3-5) and consonant
  skeletons of romanized words, trained at start-up in pure Python. The n-grams
  generalize to spellings, typos and segmentation cuts that neither the concept
  table nor the fuzzy lookup knows. The posterior is gated by the share of the
  question the catalog knows, so out-of-scope questions still fall back.

The weights are chosen by k-fold cross-validation over the topics' own example
questions (``bench/matching.py --cv``: it does not leak, unlike tuning on a fixed
question set) together with the development questions (``tests/data/dev_questions``).

The raw score alone is a poor judge of whether to answer: a romanized question with
spellings the catalog lacks scores low even when its best topic is clearly right, and a
near tie between two topics scores high while being a guess. So the reported score is a
*confidence*, P(the best topic is right), from a small logistic model over the signals
behind the verdict (:class:`ConfidenceModel`, ``bot/data/confidence.json``), fitted on
cross-validation verdicts; ``DEFAULT_THRESHOLD`` applies to it and is calibrated on the
development questions (``bench/matching.py --fit-confidence``).
"""
from __future__ import annotations

import json
import math
import re
import time
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.content.model import QUESTION_LANGS, Content
from bot.text.normalize import (
    CONCEPT_TABLE,
    ENGLISH_STOPWORDS,
    KHMER_RUN_RE,
    KHMER_STOPWORDS,
    ROMAN_STOPWORDS,
    ROMAN_WORDS,
    SEGMENTER,
    KhmerDictSegmenter,
    is_stopword,
    normalize_khmer,
    normalize_latin_word,
    raw_words,
    segment_khmer,
)

CONFIDENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "confidence.json"
OUT_OF_SCOPE = "__out_of_scope__"  # the class of content/out_of_scope.yaml: never answered
RESULT_CACHE = 4096  # recent questions and their verdicts: people ask the same things
KEYWORD_WEIGHT = 0.7  # share of the keyword-coverage signal; the rest is the nearest example
TYPICAL_BASE = 0.2  # weight of a term that only one example of a topic uses; rises to 1 with its share
UNKNOWN_IDF = 5.0  # information of a word the catalog has never seen
FUZZ_CUTOFF = 80  # how close (rapidfuzz ratio) a long typo must be to a known word; stricter for short words
# Weight of a country name next to other known words. Country names already carry little
# information (IDF: they occur in many topics' examples); down-weighting them further
# lowered dev accuracy (0.8: -0.002, 0.5: -0.03), so it is left at 1.
COUNTRY_WEIGHT = 1.0
COUNTRY_TERMS = frozenset({"#thailand", "#korea", "#malaysia", "#japan", "#othercountry"})
# Naive Bayes over terms, character n-grams and consonant skeletons (see Matcher._features).
# Chosen by 5-fold cross-validation over the example questions (bench/matching.py --cv) and dev:
# CV top-1 0.742 -> ~0.79 at the same out-of-scope fallback. Within noise of the choice: weight
# 0.3-0.5, n-gram weight 0.15-0.3, temperature 1.5-2.5, Khmer n-grams 3-5, Latin n-grams 2-4.
NB_WEIGHT = 0.4  # share of the Naive Bayes posterior in the score; the rest is keyword coverage + nearest example
NB_ALPHA = 0.1  # additive smoothing of the per-topic feature counts
NB_NGRAM_WEIGHT = 0.15  # weight of one character n-gram (or skeleton) relative to one term
NB_TEMPERATURE = 2.0  # sharpness of the posterior: softmax over mean log-likelihood x this
# The posterior counts in proportion to the share of the question's information the catalog knows
# (** NB_GATE): a posterior always sums to 1, and unknown words ("football") must still pull the
# score down for out-of-scope questions to fall back. Without the gate CV top-1 is 0.02 lower.
NB_GATE = 1.0
NB_FEATURE_GATE = 1.0  # and to the (weighted) share of its features seen in training, ** this: CV +0.006
KM_NGRAMS = (2, 4)  # character n-grams of Khmer words (normalized): robust to segmentation and spelling
LATIN_NGRAMS = (3, 5)  # character n-grams of folded Latin words: robust to "tou/tov/dov", typos, inflection
NEAREST_CANDIDATES = 8  # topics, by coverage and by Naive Bayes, in which the nearest example is looked for
NB_SKELETON = True  # a folded Latin word's consonant skeleton ("thver" -> "tvr") as a feature too
_VOWELS_RE = re.compile(r"[aeiouy]")


SEGMENT_CACHE_FILE = Path(__file__).resolve().parent.parent / "data" / "khmer_segments.json"


def khmer_runs(content: Content) -> list[str]:
    """Every run of Khmer script in the example questions and titles, normalized, in order."""
    texts: list[str] = []
    for t in content.topics.values():
        texts += [*t.questions.get("km", ()), t.title["km"]]
    texts += content.out_of_scope.get("km", ())
    runs = (run for text in texts for run in KHMER_RUN_RE.findall(normalize_khmer(text.lower())))
    return list(dict.fromkeys(runs))


def _segmenter_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("khmer-nltk")
    except PackageNotFoundError:
        return "unknown"


def load_segment_cache(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """khmer-nltk's words of each content run, as written by ``python -m bot content segments``.

    Only a speed-up: a missing, unreadable or stale file (another khmer-nltk version) is
    ignored and the runs are segmented at start-up instead.
    """
    path = path or SEGMENT_CACHE_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("khmer_nltk") != _segmenter_version():
            return {}
        return {run: tuple(words) for run, words in raw["segments"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_segment_cache(content: Content, path: Path | None = None) -> tuple[int, int]:
    """Segment every content run with khmer-nltk and save them; (runs, runs new since the last file)."""
    path = path or SEGMENT_CACHE_FILE
    SEGMENTER.load()
    before = load_segment_cache(path)
    runs = khmer_runs(content)
    segments = {run: list(segment_khmer(run)) for run in sorted(runs)}
    doc = {"khmer_nltk": _segmenter_version(), "note": "generated by python -m bot content segments", "segments": segments}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return len(runs), sum(1 for run in runs if run not in before)


class ConfidenceModelError(ValueError):
    """bot/data/confidence.json is missing or does not fit the matcher's features."""


# What the confidence model sees of a verdict, in this order (see confidence_features).
CONFIDENCE_FEATURES = ("score", "margin", "cov", "near", "post", "gate", "oos", "off", "km", "latn", "lnt")


def confidence_features(
    raw: float, second: float, cov: float, near: float, post: float, gate: float, oos: float, off: bool, script: str, n_terms: int
) -> dict[str, float]:
    """The signals behind one verdict, as the confidence model reads them.

    A raw score means different things in different situations: 0.2 with a clear lead over
    the next topic and every word known is a safe answer, 0.2 from a near tie is a guess.
    Romanized Khmer scores low even when right (spellings the catalog lacks count as unknown
    words), so the script is a feature too.
    """
    return {
        "score": raw,
        "margin": raw - second,
        "cov": cov,
        "near": near,
        "post": post,
        "gate": gate,
        "oos": oos,
        "off": 1.0 if off else 0.0,
        "km": 1.0 if script == "km" else 0.0,
        "latn": 1.0 if script == "km-latn" else 0.0,
        "lnt": math.log1p(n_terms),
    }


@dataclass(frozen=True)
class ConfidenceModel:
    """P(the best topic is the right one), a logistic model fitted on data, and its threshold.

    Fitted by ``bench/matching.py --fit-confidence``: features from 5-fold cross-validation
    over the topics' example questions and the out-of-scope examples (each fold's matcher has
    never seen them); the threshold is then the one with the best development-set top-1 among
    those where at least ``oos_floor`` of its out-of-scope questions fall back.
    """

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    fitted: dict = field(default_factory=dict, compare=False)

    @classmethod
    def load(cls, path: Path = CONFIDENCE_FILE) -> "ConfidenceModel":
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            model = cls(tuple(raw["features"]), tuple(float(w) for w in raw["weights"]), float(raw["bias"]),
                        float(raw["threshold"]), dict(raw.get("fitted", {})))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfidenceModelError(f"{path}: {exc}") from exc
        if model.features != CONFIDENCE_FEATURES or len(model.weights) != len(model.features):
            raise ConfidenceModelError(f"{path}: features {list(model.features)} do not match {list(CONFIDENCE_FEATURES)}; "
                                       "refit with bench/matching.py --fit-confidence")
        if not 0.0 < model.threshold < 1.0:
            raise ConfidenceModelError(f"{path}: threshold {model.threshold} is not between 0 and 1")
        return model

    def __call__(self, feats: dict[str, float]) -> float:
        z = self.bias + sum(w * feats[name] for name, w in zip(self.features, self.weights))
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0


CONFIDENCE = ConfidenceModel.load()
# The confidence below which the bot says it does not know (bench/matching.py --fit-confidence).
DEFAULT_THRESHOLD = CONFIDENCE.threshold


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
    """Index of every topic's example questions; immutable once built."""

    def __init__(self, content: Content, threshold: float | None = None, confidence: ConfidenceModel | None = None) -> None:
        self._results: OrderedDict[str, Match] = OrderedDict()
        SEGMENTER.load()
        self.confidence = confidence or CONFIDENCE
        self.threshold = threshold if threshold else self.confidence.threshold
        self._concepts = CONCEPT_TABLE
        # Khmer dictionary: khmer-nltk's words of every Khmer example and title, and the concepts' words.
        km_words: set[str] = set(self._concepts.khmer_words) | set(KHMER_STOPWORDS)
        crf_words: set[str] = set()
        classes = [(t.id, t.questions, (t.title["en"], t.title["km"])) for t in content.topics.values()]
        if any(content.out_of_scope.values()):
            classes.append((OUT_OF_SCOPE, content.out_of_scope, ()))
        # The CRF segmenter is the slowest part of start-up: runs seen before come from a cache.
        cached = load_segment_cache()
        for run in khmer_runs(content):
            crf_words.update(cached.get(run) or segment_khmer(run))
        # khmer-nltk sometimes glues words together ("ធ្វើការម៉ាឡេស៊ី"): such a word would hide
        # its parts from every query, so a word made of other known words is left out.
        all_words = km_words | crf_words
        km_words |= {w for w in crf_words if not KhmerDictSegmenter.splits_into_known(w, all_words)}
        self._segmenter = KhmerDictSegmenter(km_words)

        self._example_terms: list[frozenset[str]] = []
        self._example_text: list[str] = []
        self._example_topic: list[str] = []
        self._example_lang: list[str] = []
        topic_counts: dict[str, Counter] = defaultdict(Counter)
        nb_counts: dict[str, Counter] = defaultdict(Counter)
        word_features: dict[tuple[str, str], frozenset[str]] = {}  # words recur across examples
        n_examples: Counter = Counter()
        latin_vocab: set[str] = set(self._concepts.latin_words)
        roman_vocab: set[str] = set(ROMAN_WORDS.values())
        english_vocab: set[str] = {normalize_latin_word(w) for w in ENGLISH_STOPWORDS}
        for tid, questions, titles in classes:
            for lang in QUESTION_LANGS:
                for q in questions.get(lang, ()):
                    words = raw_words(q, self._segmenter)
                    for script, w in words:
                        if script == "latn":
                            latin_vocab.add(w)
                            (roman_vocab if lang == "km-latn" else english_vocab).add(w)
                    terms = frozenset(self._terms([w for _s, w in words]))
                    if not terms:
                        continue
                    self._example_terms.append(terms)
                    nb_counts[tid].update(self._feature_set(words, terms, word_features))
                    self._example_text.append(" ".join(w for _s, w in words))
                    self._example_topic.append(tid)
                    self._example_lang.append(lang)
                    topic_counts[tid].update(terms)
                    n_examples[tid] += 1
            for title in titles:
                title_terms = set(self._terms([w for _s, w in raw_words(title, self._segmenter)]))
                topic_counts[tid].update(title_terms - set(topic_counts[tid]))
        self._small_talk = {t.id for t in content.topics.values() if t.small_talk} | {OUT_OF_SCOPE}
        n_topics = max(1, len(topic_counts))
        df: Counter = Counter()
        for counts in topic_counts.values():
            df.update(counts.keys())
        self._idf = {t: math.log(1 + (n_topics - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        # How typical a term is of a topic: share of the topic's examples that use it.
        self._typical: dict[str, dict[str, float]] = defaultdict(dict)
        for tid, counts in topic_counts.items():
            total = max(1, n_examples[tid])
            for t, c in counts.items():
                self._typical[t][tid] = min(1.0, TYPICAL_BASE + (1 - TYPICAL_BASE) * 2 * c / total)
        # Inverted index of examples, with each example's vector norm.
        # Postings by term and topic: the nearest example is only looked for in the topics
        # that keyword coverage or Naive Bayes already rank high (the others cannot win).
        self._postings: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self._example_norm: list[float] = []
        for i, terms in enumerate(self._example_terms):
            for t in terms:
                self._postings[t][self._example_topic[i]].append(i)
            self._example_norm.append(math.sqrt(sum(self._idf[t] ** 2 for t in terms)) or 1.0)
        self._postings = {t: dict(by_topic) for t, by_topic in self._postings.items()}
        # Naive Bayes: log P(feature | topic) = log(n + a) - log(N + aV); stored sparsely as the
        # gain over an unseen feature, log((n + a) / a), plus a per-topic constant per unit of weight.
        self._topics = sorted(topic_counts)
        nb_vocab: set[str] = set()
        for c in nb_counts.values():
            nb_vocab.update(c)
        v = len(nb_vocab)
        self._nb_gain: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self._nb_base: dict[str, float] = {}
        for tid in self._topics:
            c = nb_counts.get(tid, Counter())
            total = sum(c.values())
            self._nb_base[tid] = math.log(NB_ALPHA) - math.log(total + NB_ALPHA * v)
            for f, n in c.items():
                self._nb_gain[f].append((tid, math.log((n + NB_ALPHA) / NB_ALPHA)))
        vocab = [w for w in latin_vocab if not is_stopword(w) and len(w) >= 3]
        vocab += [w for w in km_words if w not in KHMER_STOPWORDS and len(w) >= 4]
        self._vocab_by_initial: dict[str, list[str]] = defaultdict(list)
        for w in sorted(set(vocab)):
            self._vocab_by_initial[w[0]].append(w)
        roman_stops = {normalize_latin_word(w) for w in ROMAN_STOPWORDS}
        self._roman_only = (roman_vocab | roman_stops) - english_vocab
        self._english_only = english_vocab - roman_vocab - roman_stops
        self._lookup_cache: dict[str, tuple[str, float] | None] = {}
        self._word_nb_cache: dict[tuple[str, str], tuple[dict[str, float], float, float]] = {}

    def _closest_by_spelling(self, text: str) -> list[str]:
        if not text.strip():
            return []
        seen: list[str] = []
        for _ex, _score, i in process.extract(text, self._example_text, scorer=fuzz.ratio, limit=12):
            tid = self._example_topic[i]
            if tid not in seen and tid not in self._small_talk:
                seen.append(tid)
        return seen

    @staticmethod
    def _features(words: list[tuple[str, str]], terms: list[str]) -> Counter:
        """Naive Bayes features: terms, character n-grams of content words, consonant skeletons.

        Terms carry the concepts shared across scripts; n-grams of the normalized words reach
        spellings, typos and segmentation cuts that no table lists ("bomreu" shares "<bom"
        with "bomrae"); skeletons drop romanized vowels, the least stable letters.
        """
        feats: Counter = Counter()
        for t in terms:
            feats["t:" + t] += 1.0
        g = NB_NGRAM_WEIGHT
        for script, w in words:
            if is_stopword(w):
                continue
            if script == "km":
                lo, hi = KM_NGRAMS
            else:
                lo, hi = LATIN_NGRAMS
                if NB_SKELETON:
                    sk = w[0] + _VOWELS_RE.sub("", w[1:])
                    if len(sk) >= 2:
                        feats["s:" + sk] += g
            x = "<" + w + ">"
            for n in range(lo, hi + 1):
                for i in range(0, len(x) - n + 1):
                    feats[x[i : i + n]] += g
        return feats

    def _feature_set(self, words: list[tuple[str, str]], terms: frozenset[str], cache: dict) -> set[str]:
        """The distinct Naive Bayes features of one example (training counts presence only)."""
        feats = {"t:" + t for t in terms}
        for script, w in words:
            key = (script, w)
            got = cache.get(key)
            if got is None:
                got = cache[key] = frozenset(self._features([key], []))
            feats |= got
        return feats

    @property
    def size(self) -> int:
        return len(self._example_terms)

    def _terms(self, words: list[str]) -> list[str]:
        return [t for t, is_concept in self._concepts.map(words) if is_concept or not is_stopword(t)]

    def _lookup(self, word: str) -> tuple[str, float] | None:
        """The known word a query word stands for, with similarity 0..1 (typos tolerated)."""
        hit = self._lookup_cache.get(word, False)
        if hit is not False:
            return hit  # type: ignore[return-value]
        result: tuple[str, float] | None = None
        khmer = bool(KHMER_RUN_RE.match(word))
        if not khmer and word in self._concepts.latin_words:
            result = (word, 1.0)
        elif len(word) >= 4:
            # Typos rarely touch the first letter: only words starting with it are candidates.
            vocab = self._vocab_by_initial.get(word[0], ())
            n = len(word)
            cutoff = 88 if khmer or n <= 5 else 82 if n <= 7 else FUZZ_CUTOFF
            found = process.extractOne(word, vocab, scorer=fuzz.ratio, score_cutoff=cutoff)
            if found is not None:
                result = (found[0], found[1] / 100.0)
        if len(self._lookup_cache) < 50_000:
            self._lookup_cache[word] = result
        return result

    def _query_terms(self, words: list[tuple[str, str]]) -> tuple[list[tuple[str, float]], float, list[str]]:
        """(term, similarity) of the question, the weight of its unknown words, and all its terms."""
        fixed: list[str] = []
        sims: list[float] = []
        for _script, w in words:
            if w in self._idf or is_stopword(w):
                fixed.append(w)
                sims.append(1.0)
                continue
            hit = self._lookup(w)
            if hit is None:
                fixed.append(w)
                sims.append(1.0)
            else:
                fixed.append(hit[0])
                sims.append(hit[1])
        known: dict[str, float] = {}
        unknown = 0.0
        out_terms: list[str] = []
        i = 0
        for term, is_concept in self._concepts.map(fixed):
            # Phrases keep the lowest similarity of their words.
            size = 1
            if is_concept:
                size = next(
                    (n for n in range(1, self._concepts.MAX_PHRASE + 1) if self._concepts.phrases.get(tuple(fixed[i : i + n])) == term),
                    1,
                )
            sim = min(sims[i : i + size])
            i += size
            if not is_concept and is_stopword(term):
                continue
            out_terms.append(term)
            if term in self._idf:
                known[term] = max(known.get(term, 0.0), sim)
            elif term not in known:
                unknown += UNKNOWN_IDF
        # A country names where, not what: with other known words, it counts less than they do.
        if any(t not in COUNTRY_TERMS for t in known):
            for t in known:
                if t in COUNTRY_TERMS:
                    known[t] *= COUNTRY_WEIGHT
        return list(known.items()), unknown, out_terms

    def _word_nb(self, script: str, word: str) -> tuple[dict[str, float], float, float]:
        """One word's Naive Bayes contribution: log-likelihood gain per topic, known weight, total weight.

        A word's n-grams and skeleton depend on the word alone and the log-likelihood is a sum
        over features, so each word is worked out once and its sum reused (cached): a question
        then costs a few dictionary merges, not a pass over every n-gram.
        """
        key = (script, word)
        hit = self._word_nb_cache.get(key)
        if hit is not None:
            return hit
        gain = self._nb_gain
        part: dict[str, float] = defaultdict(float)
        known = total = 0.0
        for f, w in self._features([(script, word)], []).items():
            total += w
            g = gain.get(f)
            if g is None:
                continue
            known += w
            for tid, x in g:
                part[tid] += w * x
        result = (dict(part), known, total)
        if len(self._word_nb_cache) < 200_000:
            self._word_nb_cache[key] = result
        return result

    def _nb_posterior(self, words: list[tuple[str, str]], terms: list[str]) -> dict[str, float]:
        """P(topic | question) by multinomial Naive Bayes (uniform prior), length-normalized; {} if nothing is known."""
        gain = self._nb_gain
        ll: dict[str, float] = dict.fromkeys(self._topics, 0.0)
        weight = total = 0.0
        for t in terms:
            total += 1.0
            g = gain.get("t:" + t)
            if g is None:
                continue
            weight += 1.0
            for tid, x in g:
                ll[tid] += x
        for script, w in words:
            if is_stopword(w):
                continue
            part, known, all_w = self._word_nb(script, w)
            total += all_w
            weight += known
            for tid, x in part.items():
                ll[tid] += x
        if not weight:
            return {}
        share = (weight / total) ** NB_FEATURE_GATE if NB_FEATURE_GATE else 1.0
        scale = NB_TEMPERATURE / weight
        base = self._nb_base
        logits = {tid: (x + weight * base[tid]) * scale for tid, x in ll.items()}
        top = max(logits.values())
        exps = {tid: math.exp(x - top) for tid, x in logits.items()}
        z = sum(exps.values())
        return {tid: share * e / z for tid, e in exps.items()}

    def _script(self, text: str, words: list[tuple[str, str]]) -> str:
        if KHMER_RUN_RE.search(text):
            return "km"
        roman = sum(1 for _s, w in words if w in self._roman_only)
        english = sum(1 for _s, w in words if w in self._english_only)
        return "km-latn" if roman > english else "en"

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
        words = raw_words(text, self._segmenter)
        script = self._script(text, words)
        known, unknown, terms = self._query_terms(words)
        if not known:
            # Nothing the catalog knows: fall back, but still name the closest topics
            # by spelling, for "Did you mean" and for editors reading the fallbacks.
            ranked_topics = self._closest_by_spelling(" ".join(w for _s, w in words))
            ms = (time.perf_counter() - start) * 1000
            best_topic = ranked_topics[0] if ranked_topics else None
            alts = tuple((t, 0.0) for t in ranked_topics[1:4])
            return Match(None, 0.0, best_topic, alts, script, ms, tuple(terms))
        idf = self._idf
        total = sum(idf[t] * s for t, s in known) + unknown
        q_norm = math.sqrt(sum((idf[t] * s) ** 2 for t, s in known) + unknown**2)
        # Keyword coverage per topic.
        coverage: dict[str, float] = defaultdict(float)
        for t, s in known:
            w = idf[t] * s
            for tid, typ in self._typical[t].items():
                coverage[tid] += w * typ
        post = self._nb_posterior(words, terms) if NB_WEIGHT else {}
        # Nearest example (cosine over shared terms), only in the candidate topics.
        candidates = set(sorted(coverage, key=coverage.__getitem__, reverse=True)[:NEAREST_CANDIDATES])
        candidates |= set(sorted(post, key=post.__getitem__, reverse=True)[:NEAREST_CANDIDATES])
        dots: dict[int, float] = defaultdict(float)
        for t, s in known:
            w = idf[t] * idf[t] * s
            by_topic = self._postings.get(t)
            if not by_topic:
                continue
            for tid in candidates & by_topic.keys():
                for i in by_topic[tid]:
                    dots[i] += w
        nearest: dict[str, float] = {}
        for i, dot in dots.items():
            cos = dot / (q_norm * self._example_norm[i])
            tid = self._example_topic[i]
            if cos > nearest.get(tid, 0.0):
                nearest[tid] = cos
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
