"""The matcher's parts on their own: features, the example index, Naive Bayes, the confidence
model (read when a matcher is built, never at import), the folds, and ``python -m bot matching fit``.

The matcher as a whole is tested in tests/test_matcher.py and tests/test_golden.py.
"""
from __future__ import annotations

import importlib
import json
import math
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

import bot
import bot.matching.confidence as confidence_module
from bot.content.loader import load_content
from bot.matching import training
from bot.matching.bayes import NaiveBayes
from bot.matching.confidence import (
    CONFIDENCE_FEATURES,
    CONFIDENCE_FILE,
    ConfidenceModel,
    ConfidenceModelError,
)
from bot.matching.features import Features, Vocabulary
from bot.matching.index import ExampleIndex
from bot.matching.matcher import Matcher
from bot.text.normalize import KhmerDictSegmenter, Lexicon
from tests.auxil.cli import run_main

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


@pytest.fixture(scope="module")
def content():
    return load_content(CONTENT)


@pytest.fixture
def features() -> Features:
    """A lexicon of a few words: one concept in two forms, romanized spellings, stop words."""
    lex = Lexicon(
        concepts=[("passport", ["passport", "lekhet chlong den"])],
        spellings={"tov": ["tou", "dov"], "thver": ["tver"]},
        stopwords={"en": ["how", "do", "i", "a", "the", "is", "my"], "km-latn": ["knhom", "chong"]},
    )
    return Features(lex, KhmerDictSegmenter(()))


def word(features: Features, text: str) -> str:
    """The one normalized word of ``text`` (words are folded: "office" -> "ofice")."""
    (_script, w), = features.words(text)
    return w


def model_doc(**change) -> dict:
    doc = ConfidenceModel(CONFIDENCE_FEATURES, (0.1,) * len(CONFIDENCE_FEATURES), -0.5, 0.4).to_json()
    doc.update(change)
    return doc


# --- features ------------------------------------------------------------------------------


def test_terms_put_concepts_in_place_of_their_forms_and_drop_stop_words(features):
    words = features.words("How do I get my lekhet chlong den")
    assert features.terms([w for _s, w in words]) == [word(features, "get"), "#passport"]
    assert features.terms([w for _s, w in features.words("my passport")]) == ["#passport"]


def test_ngrams_are_character_windows_and_a_consonant_skeleton(features):
    w = word(features, "tver")  # a spelling of "thver"
    assert w == "thver"
    feats = features.ngrams([("latn", w)], ["#work"])
    assert feats["t:#work"] == 1.0  # a term weighs 1
    windows = {k for k in feats if not k.startswith(("t:", "s:"))}
    padded = "<thver>"
    assert windows == {padded[i:i + n] for n in range(3, 6) for i in range(len(padded) - n + 1)}
    assert feats["s:thvr"] == pytest.approx(0.15)  # vowels dropped: "thver", "thvar" and "thvor" share it
    assert not features.ngrams(features.words("how"), [])  # stop words give none
    assert features.feature_set(features.words("tver"), frozenset({"#work"}), {}) == set(feats)


def test_vocabulary_looks_up_typos_and_tells_romanized_khmer_from_english(features):
    salary = word(features, "salary")
    roman = {w for _s, w in features.words("tov thver kar")}
    vocab = Vocabulary(features, {salary}, set(), roman, {word(features, "work"), salary})
    hit, sim = vocab.lookup(word(features, "salry"))
    assert hit == salary and 0.8 < sim < 1
    assert vocab.lookup(word(features, "football")) is None
    assert vocab.script("tou thver kar", features.words("tou thver kar")) == "km-latn"
    assert vocab.script("my salary at work", features.words("my salary at work")) == "en"
    known, unknown, terms = vocab.query_terms(features.words("salry football"), {salary: 1.0})
    assert known == [(salary, sim)] and unknown > 0 and terms == [salary, word(features, "football")]


# --- the example index and Naive Bayes -------------------------------------------------------


def small_index(features: Features) -> tuple[ExampleIndex, dict]:
    index, counts, cache = ExampleIndex(), {}, {}
    examples = [("passport", "how much is a passport"), ("passport", "passport office"),
                ("salary", "my salary is late"), ("salary", "boss keeps my passport and salary"), ("hello", "hello")]
    for tid, q in examples:
        words = features.words(q)
        terms = frozenset(features.terms([w for _s, w in words]))
        index.add(tid, "en", " ".join(w for _s, w in words), terms)
        counts.setdefault(tid, Counter()).update(features.feature_set(words, terms, cache))
    index.add_title("salary", [word(features, "wage")])
    index.freeze({"hello"})
    return index, counts


def test_the_index_weighs_rare_terms_and_finds_the_nearest_example(features):
    index, _counts = small_index(features)
    office = word(features, "office")
    assert index.size == 5 and index.topics == ["hello", "passport", "salary"]
    assert index.idf[office] > index.idf["#passport"]  # one topic's word tells more than a shared one
    assert word(features, "wage") in index.idf  # a title's terms count for its topic
    known = [(office, 1.0), ("#passport", 1.0)]
    coverage = index.coverage(known)
    assert max(coverage, key=coverage.get) == "passport"
    q_norm = math.sqrt(sum(index.idf[t] ** 2 for t, _s in known))
    nearest = index.nearest(known, q_norm, {"passport", "salary"})
    assert nearest["passport"] == pytest.approx(1.0)  # "passport office" says exactly that
    assert 0 < nearest["salary"] < nearest["passport"]
    assert "salary" not in index.nearest(known, q_norm, {"passport"})  # only the candidate topics are scored
    assert index.closest_by_spelling("pasport ofice")[0] == "passport"
    assert "hello" not in index.closest_by_spelling("helo")  # small talk is never offered by spelling alone


def test_naive_bayes_reaches_unseen_spellings_through_ngrams(features):
    index, counts = small_index(features)
    nb = NaiveBayes(counts, index.topics, features)
    words = features.words("salery late")  # "salery" is no example's word; its n-grams are
    post = nb.posterior(words, features.terms([w for _s, w in words]))
    assert max(post, key=post.get) == "salary"
    assert sum(post.values()) <= 1.0 + 1e-9  # times the share of the question's features seen in training
    assert nb.posterior(features.words("zzz"), ["zzz"]) == {}


# --- the confidence model ---------------------------------------------------------------------


@pytest.mark.parametrize("text, why", [
    ("not json", "Expecting value"),
    (json.dumps(model_doc(features=["score"])), "do not match"),
    (json.dumps(model_doc(threshold=0)), "not between 0 and 1"),
    (json.dumps({"features": list(CONFIDENCE_FEATURES)}), "weights"),
])
def test_a_broken_model_file_is_refused_naming_it(tmp_path, text, why):
    path = tmp_path / "my-model.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfidenceModelError, match=why) as err:
        ConfidenceModel.load(path)
    assert str(path) in str(err.value)


def test_the_model_is_read_when_a_matcher_is_built(monkeypatch, tmp_path, content):
    broken = tmp_path / "confidence.json"
    broken.write_text(json.dumps(model_doc(features=["score", "margin"])), encoding="utf-8")
    monkeypatch.setattr(confidence_module, "CONFIDENCE_FILE", broken)
    with pytest.raises(ConfidenceModelError, match=re.escape(str(broken))):
        Matcher(content)
    import bot.matching.matcher as matcher_module

    good = tmp_path / "good.json"
    good.write_text(json.dumps(model_doc(threshold=0.37)), encoding="utf-8")
    monkeypatch.setattr(confidence_module, "CONFIDENCE_FILE", good)
    assert matcher_module.DEFAULT_THRESHOLD == 0.37  # read when asked for, not at import


def test_importing_the_matcher_reads_no_model(monkeypatch):
    """A fresh import of every bot.matching module opens no file: the model waits for a Matcher."""
    prefix = ("bot.matching", "bot.matching.")
    saved = {n: m for n, m in sys.modules.items() if n == prefix[0] or n.startswith(prefix[1])}
    package = bot.matching
    read: list[str] = []
    real_read_text = Path.read_text

    def spy(self, *args, **kwargs):
        read.append(str(self))
        return real_read_text(self, *args, **kwargs)

    try:
        for name in saved:
            del sys.modules[name]
        monkeypatch.setattr(Path, "read_text", spy)
        fresh = importlib.import_module("bot.matching.matcher")
        importlib.import_module("bot.matching.training")
        monkeypatch.undo()
        assert fresh is not saved["bot.matching.matcher"]  # really imported again
        assert not [p for p in read if p.endswith("confidence.json")], read
        assert "DEFAULT_THRESHOLD" not in vars(fresh)
    finally:
        for name in [n for n in sys.modules if n == prefix[0] or n.startswith(prefix[1])]:
            del sys.modules[name]
        sys.modules.update(saved)
        bot.matching = package


def test_write_model_round_trips_and_refuses_a_model_that_does_not_fit(tmp_path):
    model = ConfidenceModel.load(CONFIDENCE_FILE)
    out = training.write_model(model, tmp_path / "c.json")
    assert ConfidenceModel.load(out) == model and ConfidenceModel.load(out).fitted == model.fitted
    bad = ConfidenceModel(CONFIDENCE_FEATURES, model.weights, model.bias, 1.01)
    with pytest.raises(ConfidenceModelError, match="not between 0 and 1"):
        training.write_model(bad, tmp_path / "bad.json")
    assert not (tmp_path / "bad.json").exists()


# --- training ---------------------------------------------------------------------------------


def test_folds_deal_every_example_once_stratified_and_deterministic(content):
    folds = training.cv_folds(content, 4)
    dealt = [ex for fold in folds for ex in fold]
    every = {(t.id, lang, q) for t in content.topics.values() for lang, qs in t.questions.items() for q in qs}
    assert len(dealt) == len(set(dealt)) == len(every) and set(dealt) == every
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    for fold in folds:  # every topic is in every fold (it has more examples than folds)
        assert {tid for tid, _l, _q in fold} == set(content.topics)
    assert training.cv_folds(content, 4) == folds
    held = training.without_examples(content, folds[0])
    assert sum(len(qs) for t in held.topics.values() for qs in t.questions.values()) == len(dealt) - len(folds[0])


def test_fitting_needs_two_folds_and_a_development_set_with_both_kinds():
    with pytest.raises(training.TrainingError, match="2 folds"):
        training.fit_confidence(None, [{"topic": "x", "q": "a"}, {"topic": None, "q": "b"}], k=1)
    with pytest.raises(training.TrainingError, match="out-of-scope"):
        training.fit_confidence(None, [{"topic": "passport", "lang": "en", "q": "a"}], k=2)


# --- the command ------------------------------------------------------------------------------


def test_the_fit_command_has_help():
    r = run_main("matching", "fit", "--help")
    assert r.returncode == 0 and "usage: python -m bot matching fit" in r.stdout
    for option in ("--folds K", "--out FILE", "--dev DIR"):
        assert option in r.stdout
    assert run_main("matching", "fit", "--folds", "1").returncode == 2
    assert run_main("matching", "fit", "--dev", "/nonexistent/dev").returncode == 2


def small_content(folder: Path) -> Path:
    """A copy of the content with the first few example questions of each topic only."""
    shutil.copytree(CONTENT, folder)
    for path in sorted((folder / "topics").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["questions"] = {lang: qs[:8] for lang, qs in doc["questions"].items()}
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    oos = folder / "out_of_scope.yaml"
    doc = yaml.safe_load(oos.read_text(encoding="utf-8"))
    doc["questions"] = {lang: qs[:40] for lang, qs in doc["questions"].items()}
    oos.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def test_a_two_fold_fit_of_a_small_content_writes_a_usable_model(tmp_path, monkeypatch):
    """End to end in-process, and with the shipped model broken: that is when one refits."""
    folder = small_content(tmp_path / "content")
    broken = tmp_path / "old-confidence.json"
    broken.write_text(json.dumps(model_doc(features=["score"])), encoding="utf-8")
    monkeypatch.setattr(confidence_module, "CONFIDENCE_FILE", broken)
    out = tmp_path / "confidence.json"
    r = run_main("matching", "fit", "--folds", "2", "--out", out, env={"BOT_CONTENT_DIR": str(folder)})
    assert r.returncode == 0, r.stderr
    assert f"wrote {out}" in r.stdout and "threshold" in r.stdout
    model = ConfidenceModel.load(out)
    assert model.fitted["by"] == "python -m bot matching fit"
    assert model.fitted["train"].startswith("2-fold CV") and model.fitted["dev"]["oos"] >= training.CONFIDENCE_OOS_FLOOR
    small = load_content(folder)
    m = Matcher(small, confidence=model)
    assert m.threshold == model.threshold
    assert m.match("How much does a passport cost?").topic == "passport"
    assert m.match("what's the weather tomorrow in phnom penh").topic is None
    assert broken.read_text(encoding="utf-8") == json.dumps(model_doc(features=["score"]))  # only --out is written
