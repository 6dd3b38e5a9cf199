"""What the matcher sees of a question: words, terms, character n-grams, consonant skeletons.

Questions and example questions are reduced to *terms* (:mod:`bot.text.normalize`):
normalized words, and shared concepts such as ``#passport`` that the same idea gets in
English, Khmer script and romanized Khmer, from the content's
:class:`~bot.text.normalize.Lexicon`. Naive Bayes also sees character n-grams of the
normalized words (Khmer 2-4, folded Latin 3-5) and consonant skeletons of romanized words,
which reach spellings, typos and segmentation cuts that neither the concept table nor the
fuzzy lookup knows.

:class:`Features` turns text into those; :class:`Vocabulary` knows the words of the
examples: a query word's typo-tolerant lookup, the query's known terms, and its script.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from bot.text.normalize import KHMER_RUN_RE, KhmerDictSegmenter, Lexicon

UNKNOWN_IDF = 5.0  # information of a word the catalog has never seen
FUZZ_CUTOFF = 80  # how close (rapidfuzz ratio) a long typo must be to a known word; stricter for short words
# Weight of a country name next to other known words. Country names already carry little
# information (IDF: they occur in many topics' examples); down-weighting them further
# lowered dev accuracy (0.8: -0.002, 0.5: -0.03), so it is left at 1.
COUNTRY_WEIGHT = 1.0
COUNTRY_TERMS = frozenset({"#thailand", "#korea", "#malaysia", "#japan", "#othercountry"})
# Naive Bayes features (see bot.matching.bayes for how they were chosen).
NB_NGRAM_WEIGHT = 0.15  # weight of one character n-gram (or skeleton) relative to one term
KM_NGRAMS = (2, 4)  # character n-grams of Khmer words (normalized): robust to segmentation and spelling
LATIN_NGRAMS = (3, 5)  # character n-grams of folded Latin words: robust to "tou/tov/dov", typos, inflection
NB_SKELETON = True  # a folded Latin word's consonant skeleton ("thver" -> "tvr") as a feature too
_VOWELS_RE = re.compile(r"[aeiouy]")

Words = list[tuple[str, str]]  # (script, normalized word): script "km" or "latn"


class Features:
    """Text to words, terms and Naive Bayes features, with one content's lexicon and Khmer dictionary."""

    def __init__(self, lexicon: Lexicon, segmenter: KhmerDictSegmenter) -> None:
        self.lexicon = lexicon
        self.segmenter = segmenter
        self.concepts = lexicon.concepts
        self.is_stopword = lexicon.is_stopword

    def words(self, text: str) -> Words:
        """The normalized words of a text, each with its script."""
        return self.lexicon.raw_words(text, self.segmenter)

    def terms(self, words: list[str]) -> list[str]:
        """Concepts and content words (stop words dropped, concepts kept)."""
        is_stopword = self.is_stopword
        return [t for t, is_concept in self.concepts.map(words) if is_concept or not is_stopword(t)]

    def ngrams(self, words: Words, terms: Iterable[str]) -> Counter:
        """Naive Bayes features: terms, character n-grams of content words, consonant skeletons.

        Terms carry the concepts shared across scripts; n-grams of the normalized words reach
        spellings, typos and segmentation cuts that no table lists ("bomreu" shares "<bom"
        with "bomrae"); skeletons drop romanized vowels, the least stable letters.
        """
        feats: Counter = Counter()
        for t in terms:
            feats["t:" + t] += 1.0
        g = NB_NGRAM_WEIGHT
        is_stopword = self.is_stopword
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
                for i in range(len(x) - n + 1):
                    feats[x[i : i + n]] += g
        return feats

    def feature_set(self, words: Words, terms: frozenset[str], cache: dict) -> set[str]:
        """The distinct Naive Bayes features of one example (training counts presence only).

        ``cache``: each word's features, shared between the examples of one build (words recur).
        """
        feats = {"t:" + t for t in terms}
        for script, w in words:
            key = (script, w)
            got = cache.get(key)
            if got is None:
                got = cache[key] = frozenset(self.ngrams([key], []))
            feats |= got
        return feats


class Vocabulary:
    """The words of the examples: typo-tolerant lookup, a question's known terms, its script."""

    def __init__(self, features: Features, latin_words: set[str], khmer_words: set[str],
                 roman_words: set[str], english_words: set[str]) -> None:
        """``latin_words``: Latin-letter words of the concepts and examples; ``khmer_words``: the Khmer
        dictionary; ``roman_words``/``english_words``: the words of romanized and English examples."""
        lex = features.lexicon
        self._concepts = features.concepts
        self._is_stopword = is_stopword = features.is_stopword
        vocab = [w for w in latin_words if not is_stopword(w) and len(w) >= 3]
        vocab += [w for w in khmer_words if w not in lex.khmer_stopwords and len(w) >= 4]
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for w in sorted(set(vocab)):
            self._by_initial[w[0]].append(w)
        roman_stops = {lex.normalize_latin_word(w) for w in lex.roman_stopwords}
        self._roman_only = (roman_words | roman_stops) - english_words
        self._english_only = english_words - roman_words - roman_stops
        self._lookup_cache: dict[str, tuple[str, float] | None] = {}

    def lookup(self, word: str) -> tuple[str, float] | None:
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
            vocab = self._by_initial.get(word[0], ())
            n = len(word)
            cutoff = 88 if khmer or n <= 5 else 82 if n <= 7 else FUZZ_CUTOFF
            found = process.extractOne(word, vocab, scorer=fuzz.ratio, score_cutoff=cutoff)
            if found is not None:
                result = (found[0], found[1] / 100.0)
        if len(self._lookup_cache) < 50_000:
            self._lookup_cache[word] = result
        return result

    def query_terms(self, words: Words, idf: dict[str, float]) -> tuple[list[tuple[str, float]], float, list[str]]:
        """(term, similarity) of the question, the weight of its unknown words, and all its terms.

        ``idf``: the terms the examples know (:attr:`bot.matching.index.ExampleIndex.idf`).
        """
        is_stopword = self._is_stopword
        concepts = self._concepts
        fixed: list[str] = []
        sims: list[float] = []
        for _script, w in words:
            if w in idf or is_stopword(w):
                fixed.append(w)
                sims.append(1.0)
                continue
            hit = self.lookup(w)
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
        for term, is_concept in concepts.map(fixed):
            # Phrases keep the lowest similarity of their words.
            size = 1
            if is_concept:
                size = next(
                    (n for n in range(1, concepts.MAX_PHRASE + 1) if concepts.phrases.get(tuple(fixed[i : i + n])) == term),
                    1,
                )
            sim = min(sims[i : i + size])
            i += size
            if not is_concept and is_stopword(term):
                continue
            out_terms.append(term)
            if term in idf:
                known[term] = max(known.get(term, 0.0), sim)
            elif term not in known:
                unknown += UNKNOWN_IDF
        # A country names where, not what: with other known words, it counts less than they do.
        if any(t not in COUNTRY_TERMS for t in known):
            for t in known:
                if t in COUNTRY_TERMS:
                    known[t] *= COUNTRY_WEIGHT
        return list(known.items()), unknown, out_terms

    def script(self, text: str, words: Words) -> str:
        """How a question is written: en | km | km-latn."""
        if KHMER_RUN_RE.search(text):
            return "km"
        roman = sum(1 for _s, w in words if w in self._roman_only)
        english = sum(1 for _s, w in words if w in self._english_only)
        return "km-latn" if roman > english else "en"
