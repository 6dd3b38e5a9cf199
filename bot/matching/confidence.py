"""The confidence model: P(the best topic is right), from the signals behind one verdict.

The raw score alone is a poor judge of whether to answer: a romanized question with
spellings the catalog lacks scores low even when its best topic is clearly right, and a
near tie between two topics scores high while being a guess. So the reported score is a
*confidence* from a small logistic model over those signals (``bot/data/confidence.json``),
fitted on cross-validation verdicts by :mod:`bot.matching.training`
(``python -m bot matching fit``), with the threshold the matcher answers above.

The file is read when a :class:`~bot.matching.matcher.Matcher` is built, not at import; a
missing, broken or mismatched file is refused with :class:`ConfidenceModelError`, naming it.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

CONFIDENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "confidence.json"
REFIT = "python -m bot matching fit"  # what the error messages tell editors to run

# What the confidence model sees of a verdict, in this order (see confidence_features).
CONFIDENCE_FEATURES = ("score", "margin", "cov", "near", "post", "gate", "oos", "off", "km", "latn", "lnt")


class ConfidenceModelError(ValueError):
    """bot/data/confidence.json is missing or does not fit the matcher's features."""


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

    Fitted by ``python -m bot matching fit`` (:func:`bot.matching.training.fit_confidence`):
    features from 5-fold cross-validation over the topics' example questions and the
    out-of-scope examples (each fold's matcher has never seen them); the threshold is then the
    one with the best development-set top-1 among those where at least ``oos_floor`` of its
    out-of-scope questions fall back.
    """

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    fitted: dict = field(default_factory=dict, compare=False)

    @classmethod
    def load(cls, path: Path | None = None) -> ConfidenceModel:
        """The model in ``path`` (default ``bot/data/confidence.json``), checked against the matcher's features."""
        path = path or CONFIDENCE_FILE  # looked up now, not when this module was imported
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            model = cls(tuple(raw["features"]), tuple(float(w) for w in raw["weights"]), float(raw["bias"]),
                        float(raw["threshold"]), dict(raw.get("fitted", {})))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfidenceModelError(f"{path}: {exc}") from exc
        model.check(path)
        return model

    def check(self, path: Path | str = "confidence model") -> None:
        """Refuse a model that does not fit the matcher (``path`` names it in the error)."""
        if self.features != CONFIDENCE_FEATURES or len(self.weights) != len(self.features):
            raise ConfidenceModelError(f"{path}: features {list(self.features)} do not match {list(CONFIDENCE_FEATURES)}; "
                                       f"refit with {REFIT}")
        if not 0.0 < self.threshold < 1.0:
            raise ConfidenceModelError(f"{path}: threshold {self.threshold} is not between 0 and 1")

    def to_json(self) -> dict:
        """The document ``load`` reads."""
        return {"features": list(self.features), "weights": list(self.weights), "bias": self.bias,
                "threshold": self.threshold, "fitted": self.fitted}

    def __call__(self, feats: dict[str, float]) -> float:
        z = self.bias + sum(w * feats[name] for name, w in zip(self.features, self.weights))
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0
