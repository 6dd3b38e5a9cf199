"""Fitting the confidence model (``python -m bot matching fit``): cross-validation, then the threshold.

1. Every example question and out-of-scope example (``content/out_of_scope.yaml``) is scored by
   a matcher built without it: k folds, stratified by topic and language (deterministic); the
   out-of-scope examples are dealt round-robin per language.
2. A logistic regression (scikit-learn, L2, C=1) learns P(the best topic is right) from the
   signals behind those verdicts (:data:`~bot.matching.confidence.CONFIDENCE_FEATURES`).
3. The threshold is the one with the best top-1 on the development questions
   (``tests/data/dev_questions/*.yaml``) among those where at least
   :data:`CONFIDENCE_OOS_FLOOR` of its out-of-scope questions fall back.

Neither step reads the holdout sets. The result is ``bot/data/confidence.json``; refit after
large content changes. Also here: the question sets and their scoring, shared with
``bench/matching.py``.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.content.model import Content
from bot.matching.confidence import (
    CONFIDENCE_FEATURES,
    CONFIDENCE_FILE,
    ConfidenceModel,
)
from bot.matching.matcher import Match, Matcher

DEV_DIR = PROJECT_ROOT / "tests" / "data" / "dev_questions"
DEFAULT_FOLDS = 5
SCRIPTS = ("en", "km", "km-latn")
OOS_TARGET = 0.85  # the benchmark's baselines: at least this share of out-of-scope questions falls back
# The confidence threshold keeps at least this share of dev's out-of-scope questions falling back.
# Above OOS_TARGET on purpose: dev's out-of-scope questions resemble content/out_of_scope.yaml more
# than unseen ones do (a 0.90 floor on dev left 0.876 on the first two holdout sets). Each point of
# floor costs answers: 0.92 -> holdout top-1 0.915, 0.95 -> 0.892 (fallback 0.886 -> 0.943).
CONFIDENCE_OOS_FLOOR = 0.92
FITTED_BY = "python -m bot matching fit"
# The cross-validation matchers' verdicts (best topic, signals) do not depend on the confidence
# model, so they are built with this one: a refit works even when confidence.json does not.
_NEUTRAL = ConfidenceModel(CONFIDENCE_FEATURES, (0.0,) * len(CONFIDENCE_FEATURES), 0.0, 0.5)


class TrainingError(ValueError):
    """The confidence model cannot be fitted (no scikit-learn, no development questions, no usable threshold)."""


# --- question sets and their scoring ------------------------------------------------


def load_questions(folder: Path) -> list[dict]:
    """The rows ``{topic, lang, q, file}`` of every ``*.yaml`` in ``folder`` (``topic: null`` = out of scope)."""
    import yaml

    rows: list[dict] = []
    for path in sorted(Path(folder).glob("*.yaml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(row, dict) and "q" in row:
                rows.append({"topic": row.get("topic"), "lang": row.get("lang", "en"), "q": str(row["q"]), "file": path.stem})
    return rows


def as_pred(r: Match) -> tuple[str | None, float]:
    """(best topic, score) of one ``Match`` as the scoring here reads it: a question most like
    the out-of-scope examples scores 0, since the matcher never answers it."""
    return r.best, 0.0 if r.off_topic else r.score


def score_rows(rows: list[dict], preds: list[tuple[str | None, float]], threshold: float) -> dict:
    """Top-1 per script and overall (fallback = miss), out-of-scope fallback rate."""
    hits = {s: [0, 0] for s in SCRIPTS}
    oos = [0, 0]
    for row, (best, score) in zip(rows, preds):
        topic = best if best is not None and score >= threshold else None
        if row["topic"] is None:
            oos[1] += 1
            oos[0] += topic is None
        else:
            h = hits.setdefault(row["lang"], [0, 0])
            h[1] += 1
            h[0] += topic == row["topic"]
    n_in = sum(h[1] for h in hits.values())
    out = {s: (h[0] / h[1] if h[1] else None) for s, h in hits.items()}
    out["overall"] = sum(h[0] for h in hits.values()) / n_in if n_in else None
    out["oos"] = oos[0] / oos[1] if oos[1] else None
    out["n_in"], out["n_oos"] = n_in, oos[1]
    return out


def calibrate(rows: list[dict], preds: list[tuple[str | None, float]], oos_floor: float = OOS_TARGET) -> float:
    """The threshold with the best overall top-1 among those keeping out-of-scope fallback >= floor (1.01: none)."""
    candidates = sorted({round(s, 4) for _b, s in preds} | {0.0})
    best_t, best_acc = 1.01, -1.0
    for t in candidates:
        t_up = t + 1e-6  # a score equal to an out-of-scope score must fall back
        m = score_rows(rows, preds, t_up)
        if (m["oos"] or 0) >= oos_floor and (m["overall"] or 0) > best_acc:
            best_t, best_acc = t_up, m["overall"] or 0
    return best_t


# --- cross-validation ---------------------------------------------------------------


def cv_folds(content: Content, k: int = DEFAULT_FOLDS, seed: int = 0) -> list[list[tuple[str, str, str]]]:
    """(topic, lang, question) of every example, in k folds stratified by topic and language.

    Within each (topic, language) group the examples are shuffled with a fixed seed and dealt
    round-robin; the starting fold rotates between groups so that folds have equal sizes.
    """
    folds: list[list[tuple[str, str, str]]] = [[] for _ in range(k)]
    start = 0
    for tid in sorted(content.topics):
        topic = content.topics[tid]
        for lang in sorted(topic.questions):
            qs = list(dict.fromkeys(topic.questions[lang]))
            random.Random(f"{seed}:{tid}:{lang}").shuffle(qs)
            for i, q in enumerate(qs):
                folds[(start + i) % k].append((tid, lang, q))
            start = (start + len(qs)) % k
    return folds


def without_examples(content: Content, held_out: list[tuple[str, str, str]]) -> Content:
    """A copy of ``content`` whose topics lack the held-out example questions."""
    drop: dict[str, set[tuple[str, str]]] = {}
    for tid, lang, q in held_out:
        drop.setdefault(tid, set()).add((lang, q))
    topics = {}
    for tid, topic in content.topics.items():
        gone = drop.get(tid, set())
        questions = {lang: tuple(q for q in qs if (lang, q) not in gone) for lang, qs in topic.questions.items()}
        topics[tid] = replace(topic, questions=questions)
    return replace(content, topics=topics)


def cv_verdicts(content: Content, k: int = DEFAULT_FOLDS) -> list[tuple[dict, Match]]:
    """(row, Match) for every example question and out-of-scope example, each scored by a
    matcher built without it (k folds; out-of-scope examples dealt round-robin per language)."""
    oos_folds: list[set[tuple[str, str]]] = [set() for _ in range(k)]
    for lang in sorted(content.out_of_scope):
        for i, q in enumerate(content.out_of_scope[lang]):
            oos_folds[i % k].add((lang, q))
    out: list[tuple[dict, Match]] = []
    for fold, oos_fold in zip(cv_folds(content, k), oos_folds):
        c = without_examples(content, fold)
        c = replace(c, out_of_scope={lang: tuple(q for q in qs if (lang, q) not in oos_fold) for lang, qs in content.out_of_scope.items()})
        m = Matcher(c, confidence=_NEUTRAL)
        out += [({"topic": tid, "lang": lang, "q": q}, m.match(q)) for tid, lang, q in fold]
        out += [({"topic": None, "lang": lang, "q": q}, m.match(q)) for lang, q in sorted(oos_fold)]
    return out


# --- the fit --------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfidenceFit:
    """A fitted model (its ``fitted`` says how and what it reached on dev), and the dev metrics."""

    model: ConfidenceModel
    dev: dict
    seconds: float

    def summary(self) -> list[str]:
        """The weights, and the threshold with what it gives on dev."""
        m = self.model
        lines = [f"  {name:7} {w:+.3f}" for name, w in zip(m.features, m.weights)]
        d = self.dev
        lines.append(f"  bias    {m.bias:+.3f}")
        lines.append(f"threshold {m.threshold}: dev overall {_pct(d['overall'])}  en {_pct(d['en'])}  "
                     f"km {_pct(d['km'])}  km-latn {_pct(d['km-latn'])}  oos {_pct(d['oos'])}")
        return lines


def _pct(v: float | None) -> str:
    return "  n/a" if v is None else f"{v:5.3f}"


def fit_confidence(content: Content, dev_rows: list[dict], k: int = DEFAULT_FOLDS, by: str = FITTED_BY,
                   oos_floor: float = CONFIDENCE_OOS_FLOOR) -> ConfidenceFit:
    """Fit P(best topic is right) on k-fold CV verdicts over ``content``, pick its threshold on ``dev_rows``.

    ``dev_rows``: :func:`load_questions` of the development set; ``by``: recorded in the model
    as the command that made it. Raises :class:`TrainingError`.
    """
    if k < 2:
        raise TrainingError(f"cross-validation needs at least 2 folds, not {k}")
    if not any(row["topic"] is None for row in dev_rows) or not any(row["topic"] is not None for row in dev_rows):
        raise TrainingError("the development set needs both in-scope and out-of-scope (topic: null) questions")
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise TrainingError(f"fitting needs scikit-learn ({exc}): pip install -e \".[bench]\"") from exc

    t0 = time.perf_counter()
    train = [(row, r) for row, r in cv_verdicts(content, k) if r.features]
    x = [[r.features[f] for f in CONFIDENCE_FEATURES] for _row, r in train]
    y = [int(row["topic"] is not None and r.best == row["topic"]) for row, r in train]
    if len(set(y)) < 2:
        raise TrainingError(f"{k}-fold cross-validation gave only {'right' if y and y[0] else 'wrong'} verdicts: nothing to fit")
    clf = LogisticRegression(C=1.0, max_iter=5000).fit(x, y)
    draft = ConfidenceModel(CONFIDENCE_FEATURES, tuple(round(float(w), 5) for w in clf.coef_[0]),
                            round(float(clf.intercept_[0]), 5), 0.5)
    m = Matcher(content, confidence=draft)
    preds = [as_pred(m.match(row["q"])) for row in dev_rows]
    threshold = math.ceil(calibrate(dev_rows, preds, oos_floor) * 10_000) / 10_000  # scores have 4 decimals
    if not 0.0 < threshold < 1.0:
        raise TrainingError(f"no threshold keeps {oos_floor:.2f} of the development set's out-of-scope questions falling back")
    met = score_rows(dev_rows, preds, threshold)
    fitted = {
        "date": dt.date.today().isoformat(),
        "by": by,
        "train": f"{k}-fold CV: {sum(y)} right and {len(y) - sum(y)} wrong or out-of-scope verdicts",
        "threshold_rule": f"best dev top-1 with at least {oos_floor:.2f} of dev out-of-scope questions falling back",
        "dev": {key: round(v, 4) for key, v in met.items() if isinstance(v, float)},
    }
    model = replace(draft, threshold=threshold, fitted=fitted)
    return ConfidenceFit(model, met, time.perf_counter() - t0)


def write_model(model: ConfidenceModel, path: Path | None = None) -> Path:
    """Save ``model`` where :meth:`ConfidenceModel.load` reads it (default ``bot/data/confidence.json``), atomically."""
    path = Path(path or CONFIDENCE_FILE)
    model.check(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(model.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
