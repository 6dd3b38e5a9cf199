"""The Naive Bayes signal: P(topic | question) over terms, character n-grams and consonant skeletons.

A multinomial Naive Bayes posterior (uniform prior, length-normalized), trained at start-up in
pure Python on the features of :meth:`bot.matching.features.Features.ngrams`. The n-grams
generalize to spellings, typos and segmentation cuts that neither the concept table nor the
fuzzy lookup knows. The matcher gates the posterior by the share of the question the catalog
knows, so out-of-scope questions still fall back.

Chosen by 5-fold cross-validation over the example questions (``bench/matching.py --cv``) and
dev: CV top-1 0.742 -> ~0.79 at the same out-of-scope fallback. Within noise of the choice:
weight 0.3-0.5, n-gram weight 0.15-0.3, temperature 1.5-2.5, Khmer n-grams 3-5, Latin n-grams 2-4.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from bot.matching.features import Features, Words

NB_ALPHA = 0.1  # additive smoothing of the per-topic feature counts
NB_TEMPERATURE = 2.0  # sharpness of the posterior: softmax over mean log-likelihood x this
NB_FEATURE_GATE = 1.0  # the posterior counts in proportion to the (weighted) share of its features seen in training, ** this: CV +0.006


class NaiveBayes:
    """Per-topic feature log-likelihoods, stored sparsely; read-only once built."""

    def __init__(self, counts: dict[str, Counter], topics: Iterable[str], features: Features) -> None:
        """``counts``: per topic, in how many of its examples each feature occurs; ``topics``: every class, sorted."""
        self._features = features
        self._topics = list(topics)
        # log P(feature | topic) = log(n + a) - log(N + aV); stored sparsely as the gain over an
        # unseen feature, log((n + a) / a), plus a per-topic constant per unit of weight.
        vocab: set[str] = set()
        for c in counts.values():
            vocab.update(c)
        v = len(vocab)
        self._gain: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self._base: dict[str, float] = {}
        for tid in self._topics:
            c = counts.get(tid, Counter())
            total = sum(c.values())
            self._base[tid] = math.log(NB_ALPHA) - math.log(total + NB_ALPHA * v)
            for f, n in c.items():
                self._gain[f].append((tid, math.log((n + NB_ALPHA) / NB_ALPHA)))
        self._word_cache: dict[tuple[str, str], tuple[dict[str, float], float, float]] = {}

    def _word(self, script: str, word: str) -> tuple[dict[str, float], float, float]:
        """One word's contribution: log-likelihood gain per topic, known weight, total weight.

        A word's n-grams and skeleton depend on the word alone and the log-likelihood is a sum
        over features, so each word is worked out once and its sum reused (cached): a question
        then costs a few dictionary merges, not a pass over every n-gram.
        """
        key = (script, word)
        hit = self._word_cache.get(key)
        if hit is not None:
            return hit
        gain = self._gain
        part: dict[str, float] = defaultdict(float)
        known = total = 0.0
        for f, w in self._features.ngrams([(script, word)], []).items():
            total += w
            g = gain.get(f)
            if g is None:
                continue
            known += w
            for tid, x in g:
                part[tid] += w * x
        result = (dict(part), known, total)
        if len(self._word_cache) < 200_000:
            self._word_cache[key] = result
        return result

    def posterior(self, words: Words, terms: list[str]) -> dict[str, float]:
        """P(topic | question), times the share of its features seen in training; {} if nothing is known."""
        gain = self._gain
        is_stopword = self._features.is_stopword
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
            part, known, all_w = self._word(script, w)
            total += all_w
            weight += known
            for tid, x in part.items():
                ll[tid] += x
        if not weight:
            return {}
        share = (weight / total) ** NB_FEATURE_GATE if NB_FEATURE_GATE else 1.0
        scale = NB_TEMPERATURE / weight
        base = self._base
        logits = {tid: (x + weight * base[tid]) * scale for tid, x in ll.items()}
        top = max(logits.values())
        exps = {tid: math.exp(x - top) for tid, x in logits.items()}
        z = sum(exps.values())
        return {tid: share * e / z for tid, e in exps.items()}
