"""The index of example questions: IDF, how typical a term is of a topic, and the nearest example.

Two of the matcher's signals come from here:

* keyword coverage: how much of the question's information (IDF-weighted terms) a topic's
  example questions explain, weighted by how typical each term is of the topic;
* nearest example: IDF-weighted cosine similarity with the closest example question of the
  topic, which rewards a question that says what one example says. Only examples sharing a
  term with the question, in the candidate topics, are scored (an inverted index by term and
  topic), so this costs a fraction of a millisecond.

Built in two steps: :meth:`ExampleIndex.add` / :meth:`ExampleIndex.add_title` for every
example and title, in content order, then :meth:`ExampleIndex.freeze`; read-only after that.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from rapidfuzz import fuzz, process

TYPICAL_BASE = 0.2  # weight of a term that only one example of a topic uses; rises to 1 with its share


class ExampleIndex:
    """Every example question's terms, by topic; IDF and postings once frozen."""

    def __init__(self) -> None:
        self.example_terms: list[frozenset[str]] = []
        self.example_text: list[str] = []
        self.example_topic: list[str] = []
        self.example_lang: list[str] = []
        self._topic_counts: dict[str, Counter] = defaultdict(Counter)
        self._n_examples: Counter = Counter()
        self.idf: dict[str, float] = {}
        self.topics: list[str] = []  # every class with an example or a title, sorted
        self._small_talk: set[str] = set()

    # --- building

    def add(self, topic: str, lang: str, text: str, terms: frozenset[str]) -> None:
        """One example question (``text``: its normalized words, for the lookup by spelling)."""
        self.example_terms.append(terms)
        self.example_text.append(text)
        self.example_topic.append(topic)
        self.example_lang.append(lang)
        self._topic_counts[topic].update(terms)
        self._n_examples[topic] += 1

    def add_title(self, topic: str, terms: Iterable[str]) -> None:
        """A topic's title: its terms count once for the topic, like one more example's, if new to it."""
        counts = self._topic_counts[topic]
        counts.update(set(terms) - set(counts))

    def freeze(self, small_talk: Iterable[str]) -> None:
        """IDF, typicality, postings and norms; ``small_talk``: topics never offered by spelling alone."""
        topic_counts = self._topic_counts
        self._small_talk = set(small_talk)
        n_topics = max(1, len(topic_counts))
        df: Counter = Counter()
        for counts in topic_counts.values():
            df.update(counts.keys())
        self.idf = {t: math.log(1 + (n_topics - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        # How typical a term is of a topic: share of the topic's examples that use it.
        self._typical: dict[str, dict[str, float]] = defaultdict(dict)
        for tid, counts in topic_counts.items():
            total = max(1, self._n_examples[tid])
            for t, c in counts.items():
                self._typical[t][tid] = min(1.0, TYPICAL_BASE + (1 - TYPICAL_BASE) * 2 * c / total)
        # Inverted index of examples, with each example's vector norm.
        # Postings by term and topic: the nearest example is only looked for in the topics
        # that keyword coverage or Naive Bayes already rank high (the others cannot win).
        postings: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self._example_norm: list[float] = []
        for i, terms in enumerate(self.example_terms):
            for t in terms:
                postings[t][self.example_topic[i]].append(i)
            self._example_norm.append(math.sqrt(sum(self.idf[t] ** 2 for t in terms)) or 1.0)
        self._postings = {t: dict(by_topic) for t, by_topic in postings.items()}
        self.topics = sorted(topic_counts)
        del self._topic_counts, self._n_examples

    # --- reading

    @property
    def size(self) -> int:
        return len(self.example_terms)

    def coverage(self, known: list[tuple[str, float]]) -> dict[str, float]:
        """Keyword coverage per topic, unnormalized: the IDF-weighted known terms, times their typicality."""
        idf = self.idf
        typical = self._typical
        coverage: dict[str, float] = defaultdict(float)
        for t, s in known:
            w = idf[t] * s
            for tid, typ in typical[t].items():
                coverage[tid] += w * typ
        return coverage

    def nearest(self, known: list[tuple[str, float]], q_norm: float, candidates: set[str]) -> dict[str, float]:
        """Per candidate topic, the cosine similarity of its closest example (sharing a term) with the question."""
        idf = self.idf
        postings = self._postings
        dots: dict[int, float] = defaultdict(float)
        for t, s in known:
            w = idf[t] * idf[t] * s
            by_topic = postings.get(t)
            if not by_topic:
                continue
            for tid in candidates & by_topic.keys():
                for i in by_topic[tid]:
                    dots[i] += w
        nearest: dict[str, float] = {}
        norm = self._example_norm
        topic = self.example_topic
        for i, dot in dots.items():
            cos = dot / (q_norm * norm[i])
            tid = topic[i]
            if cos > nearest.get(tid, 0.0):
                nearest[tid] = cos
        return nearest

    def closest_by_spelling(self, text: str) -> list[str]:
        """Topics whose examples are spelled most like ``text`` (small talk left out), closest first."""
        if not text.strip():
            return []
        seen: list[str] = []
        for _ex, _score, i in process.extract(text, self.example_text, scorer=fuzz.ratio, limit=12):
            tid = self.example_topic[i]
            if tid not in seen and tid not in self._small_talk:
                seen.append(tid)
        return seen
