"""Matching benchmark: the project's matcher against two baselines, side by side.

    .venv/bin/python bench/matching.py              # dev and holdout (when present)
    .venv/bin/python bench/matching.py --only dev   # development questions only
    .venv/bin/python bench/matching.py --failures   # also list the matcher's dev misses
    .venv/bin/python bench/matching.py --calibrate  # threshold sweep for the matcher on dev
    .venv/bin/python bench/matching.py --cv         # k-fold cross-validation over the example questions
    .venv/bin/python bench/matching.py --fit-confidence  # = python -m bot matching fit (the confidence model)

Question sets are YAML lists of ``{topic, lang, q}`` (``topic: null`` = out of scope):
``tests/data/dev_questions/*.yaml`` (development: tuning and calibration) and
``tests/data/holdout_questions/*.yaml`` (held out: never tuned on; the README figures).

Methods:

* ``ours``: ``bot.matching.matcher.Matcher`` with its calibrated ``DEFAULT_THRESHOLD``;
* ``rapidfuzz``: nearest example question by ``rapidfuzz.fuzz.WRatio`` on lower-cased text;
* ``tfidf-char``: scikit-learn ``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4))``
  and the cosine-nearest example question.

Each baseline's fallback threshold is calibrated on the dev set with the same rule
as the matcher's (best top-1 with at least 85% of out-of-scope questions falling
back), then applied unchanged to the holdout set. Each method runs in its own
fresh process: start-up (imports, content loaded, index and segmenter ready),
matching time per question (first time each question is seen: no warm caches),
peak RSS of that process; a second fresh process measures tracemalloc's peak
during start-up (the index in Python memory).

The matcher's score is a confidence: P(its best topic is right), a logistic model over
the signals behind the verdict (raw score, lead over the next topic, keyword coverage,
nearest example, Naive Bayes posterior, known share of the question, out-of-scope class,
script, length). ``--fit-confidence`` refits it as ``python -m bot matching fit`` does (the same
library function, :func:`bot.matching.training.fit_confidence`): k-fold cross-validation verdicts
over the topics' example questions and ``content/out_of_scope.yaml`` (each fold's matcher has
never seen them), then the threshold on dev: best top-1 with at least
``CONFIDENCE_OOS_FLOOR`` of dev's out-of-scope questions falling back. Neither step reads
the holdout sets. Refit after large content changes; the model is ``bot/data/confidence.json``.
The question sets' loading and scoring (``score_rows``, ``calibrate``) and the folds are
:mod:`bot.matching.training`'s too, imported where used: start-up is measured from the top of
this script, so nothing of the project is imported before a method is built.

Accuracy is top-1 with the threshold applied: a correct topic that falls back
counts as a miss (the user is left without an answer).

``--cv`` measures generalization without touching either question set's in-scope
questions: the topics' own example questions are split into k folds (stratified
by topic and language, deterministic); for each fold the matcher is built on the
content without that fold's examples and scores them. Out-of-scope fallback is
measured on the dev set's ``topic: null`` questions with each fold's matcher
(averaged). It prints per-script top-1 at ``DEFAULT_THRESHOLD``, raw top-1 (no
threshold), and the threshold CV itself would pick (best top-1 with at least 88%
of out-of-scope questions falling back). CV figures are somewhat pessimistic:
each fold's matcher knows 80% of the examples.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

T0 = time.perf_counter()  # before the heavy imports: start-up is measured from here

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEV_DIR = ROOT / "tests" / "data" / "dev_questions"
HOLDOUT_DIR = ROOT / "tests" / "data" / "holdout_questions"
CONTENT_DIR = ROOT / "content"
METHODS = ("ours", "rapidfuzz", "tfidf-char")
SCRIPTS = ("en", "km", "km-latn")  # = bot.matching.training.SCRIPTS
CV_OOS_FLOOR = 0.88

TARGETS = {
    "overall": 0.90,
    "script": 0.85,
    "oos": 0.85,
    "margin": 0.10,
    "median_ms": 1.0,
    "p99_ms": 5.0,
    "startup_s": 3.0,
}


# --- data --------------------------------------------------------------------------


def load_set(folder: Path) -> list[dict]:
    """``{topic, lang, q, file}`` rows of a question set (bot.matching.training.load_questions)."""
    from bot.matching.training import load_questions

    return load_questions(folder)


def datasets(only: str | None = None) -> dict[str, list[dict]]:
    sets = {}
    if only in (None, "dev"):
        sets["dev"] = load_set(DEV_DIR)
    if only in (None, "holdout") and HOLDOUT_DIR.is_dir():
        rows = load_set(HOLDOUT_DIR)
        if rows:
            sets["holdout"] = rows
    return sets


# --- methods -----------------------------------------------------------------------


class Ours:
    name = "ours"

    def __init__(self, content) -> None:
        from bot.matching.matcher import Matcher
        from bot.matching.training import as_pred

        self.m = Matcher(content)
        self.threshold = self.m.threshold
        self._as_pred = as_pred

    def predict(self, q: str) -> tuple[str | None, float]:
        return self._as_pred(self.m.match(q))


def _examples(content) -> tuple[list[str], list[str]]:
    texts, topics = [], []
    for topic in content.topics.values():
        for qs in topic.questions.values():
            for q in qs:
                texts.append(q)
                topics.append(topic.id)
    return texts, topics


class RapidfuzzNearest:
    """What a developer would write first: the closest example question by WRatio."""

    name = "rapidfuzz"

    def __init__(self, content) -> None:
        from rapidfuzz import fuzz, process, utils

        self._process, self._fuzz, self._utils = process, fuzz, utils
        texts, self.topics = _examples(content)
        self.texts = [utils.default_process(t) for t in texts]
        self.threshold = 0.0

    def predict(self, q: str) -> tuple[str | None, float]:
        hit = self._process.extractOne(self._utils.default_process(q), self.texts, scorer=self._fuzz.WRatio)
        if hit is None:
            return None, 0.0
        return self.topics[hit[2]], hit[1] / 100.0


class TfidfChar:
    """Character n-gram TF-IDF and the cosine-nearest example question."""

    name = "tfidf-char"

    def __init__(self, content) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts, self.topics = _examples(content)
        self.vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=True)
        self.X = self.vec.fit_transform(texts).T.tocsr()  # terms x examples
        self.threshold = 0.0

    def predict(self, q: str) -> tuple[str | None, float]:
        sims = (self.vec.transform([q]) @ self.X).toarray()[0]
        i = int(sims.argmax())
        if sims[i] <= 0:
            return None, 0.0
        return self.topics[i], float(sims[i])


CLASSES = {"ours": Ours, "rapidfuzz": RapidfuzzNearest, "tfidf-char": TfidfChar}


# --- one method in a fresh process ----------------------------------------------


def run_method(name: str, only: str | None) -> dict:
    """Start-up, predictions and timings of one method (run in a fresh process)."""
    from bot.content.loader import load_content

    content = load_content(CONTENT_DIR)
    method = CLASSES[name](content)
    startup = time.perf_counter() - T0
    sets = datasets(only)
    out: dict = {"startup_s": startup, "sets": {}}
    times: dict[str, list[float]] = {}
    for set_name, rows in sets.items():
        preds, ms = [], []
        for row in rows:
            t = time.perf_counter()
            preds.append(method.predict(row["q"]))
            ms.append((time.perf_counter() - t) * 1000)
        out["sets"][set_name] = {"preds": preds}
        times[set_name] = ms
    out["times"] = times
    out["threshold"] = method.threshold
    import resource

    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_tracemalloc(name: str) -> dict:
    import tracemalloc

    tracemalloc.start()
    from bot.content.loader import load_content

    content = load_content(CONTENT_DIR)
    current0, _ = tracemalloc.get_traced_memory()
    CLASSES[name](content)
    _current, peak = tracemalloc.get_traced_memory()
    return {"tracemalloc_peak_mb": peak / 2**20, "index_mb": (_current - current0) / 2**20}


def in_subprocess(args: list[str]) -> dict:
    res = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if res.returncode != 0:
        raise SystemExit(f"benchmark subprocess {args} failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


# --- report ------------------------------------------------------------------------


def pct(v: float | None) -> str:
    return "  n/a" if v is None else f"{v:5.3f}"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=("dev", "holdout"), help="evaluate one question set")
    ap.add_argument("--failures", action="store_true", help="list the matcher's dev misses")
    ap.add_argument("--calibrate", action="store_true", help="threshold sweep for the matcher on dev")
    ap.add_argument("--cv", action="store_true", help="k-fold cross-validation over the topics' example questions")
    ap.add_argument("--folds", type=int, default=5, help="number of folds for --cv and --fit-confidence (default 5)")
    ap.add_argument("--fit-confidence", action="store_true",
                    help="refit the matcher's confidence model and threshold (bot/data/confidence.json); needs scikit-learn")
    ap.add_argument("--out", type=Path, help="where --fit-confidence writes the model (default bot/data/confidence.json)")
    ap.add_argument("--_method", help=argparse.SUPPRESS)
    ap.add_argument("--_trace", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args._method:
        print(json.dumps(run_method(args._method, args.only)))
        return 0
    if args._trace:
        print(json.dumps(run_tracemalloc(args._trace)))
        return 0
    if args.cv:
        return cv_report(args.folds)
    if args.fit_confidence:
        return fit_confidence(args.folds, args.out)
    if args.calibrate or args.failures:
        return dev_tools(args)

    from bot.matching.training import calibrate, score_rows

    sets = datasets(args.only)
    if not sets:
        print("no question sets found")
        return 1
    results = {}
    for name in METHODS:
        r = in_subprocess(["--_method", name] + (["--only", args.only] if args.only else []))
        r.update(in_subprocess(["--_trace", name]))
        if name != "ours" and "dev" in sets:
            r["threshold"] = calibrate(sets["dev"], [tuple(p) for p in r["sets"]["dev"]["preds"]])
        for set_name, rows in sets.items():
            preds = [tuple(p) for p in r["sets"][set_name]["preds"]]
            r["sets"][set_name]["metrics"] = score_rows(rows, preds, r["threshold"])
        results[name] = r

    print_report(sets, results)
    return 0


def print_report(sets: dict[str, list[dict]], results: dict) -> None:
    w = 12
    head = f"{'':28}" + "".join(f"{m:>{w}}" for m in METHODS)
    lines = []
    for set_name, rows in sets.items():
        n_in = sum(1 for r in rows if r["topic"] is not None)
        n_oos = len(rows) - n_in
        by = {s: sum(1 for r in rows if r["topic"] is not None and r["lang"] == s) for s in SCRIPTS}
        lines.append(f"== {set_name}: {n_in} in-scope questions (en {by['en']}, km {by['km']}, km-latn {by['km-latn']}), {n_oos} out of scope")
        lines.append(head)
        rowdefs = [
            ("top-1 overall", lambda r: pct(r["sets"][set_name]["metrics"]["overall"])),
            ("top-1 English", lambda r: pct(r["sets"][set_name]["metrics"]["en"])),
            ("top-1 Khmer script", lambda r: pct(r["sets"][set_name]["metrics"]["km"])),
            ("top-1 romanized Khmer", lambda r: pct(r["sets"][set_name]["metrics"]["km-latn"])),
            ("out-of-scope fallback", lambda r: pct(r["sets"][set_name]["metrics"]["oos"])),
            ("median match ms", lambda r: f"{statistics.median(r['times'][set_name]):.3f}"),
            ("p99 match ms", lambda r: f"{percentile(r['times'][set_name], 99):.3f}"),
        ]
        for label, fn in rowdefs:
            lines.append(f"{label:28}" + "".join(f"{fn(results[m]):>{w}}" for m in METHODS))
        files = sorted({r["file"] for r in rows})
        if set_name == "holdout" and len(files) > 1:
            from bot.matching.training import score_rows
  # each file was written at a different time: a fresh one is the honest figure
            lines.append("top-1 / fallback per file:")
            for name in files:
                idx = [i for i, r in enumerate(rows) if r["file"] == name]

                def per_file(r: dict, idx: list[int] = idx) -> str:
                    met = score_rows([rows[i] for i in idx], [r["sets"][set_name]["preds"][i] for i in idx], r["threshold"])
                    return f"{pct(met['overall']).strip()}/{pct(met['oos']).strip()}"

                lines.append(f"  {name:26}" + "".join(f"{per_file(results[m]):>{w}}" for m in METHODS))
        lines.append("")
    lines.append("== process (fresh process per method, content loaded and index ready)")
    lines.append(head)
    for label, fn in [
        ("threshold (dev-calibrated)", lambda r: f"{r['threshold']:.3f}"),
        ("start-up s", lambda r: f"{r['startup_s']:.2f}"),
        ("peak RSS MB", lambda r: f"{r['rss_mb']:.0f}"),
        ("tracemalloc peak MB", lambda r: f"{r['tracemalloc_peak_mb']:.1f}"),
        ("index MB (tracemalloc)", lambda r: f"{r['index_mb']:.1f}"),
    ]:
        lines.append(f"{label:28}" + "".join(f"{fn(results[m]):>{w}}" for m in METHODS))
    lines.append("")
    lines.append("== targets (ours)")
    for set_name in sets:
        lines.extend(verdicts(set_name, results))
    print("\n".join(lines))


def verdicts(set_name: str, results: dict) -> list[str]:
    """PASS/FAIL of the matcher's targets on one question set."""
    ours = results["ours"]
    m = ours["sets"][set_name]["metrics"]
    best_base = max((results[b]["sets"][set_name]["metrics"]["overall"] or 0.0, b) for b in METHODS if b != "ours")
    times = ours["times"][set_name]
    med, p99 = statistics.median(times), percentile(times, 99)
    checks = [
        (f"top-1 overall {m['overall']:.3f} >= {TARGETS['overall']}", m["overall"] >= TARGETS["overall"]),
        (
            "top-1 per script en {:.3f} / km {:.3f} / km-latn {:.3f} >= {}".format(m["en"] or 0, m["km"] or 0, m["km-latn"] or 0, TARGETS["script"]),
            all((m[s] or 0) >= TARGETS["script"] for s in SCRIPTS),
        ),
        (f"out-of-scope fallback {m['oos']:.3f} >= {TARGETS['oos']}", (m["oos"] or 0) >= TARGETS["oos"]),
        (
            f"margin over best baseline ({best_base[1]} {best_base[0]:.3f}) {m['overall'] - best_base[0]:+.3f} >= +{TARGETS['margin']}",
            m["overall"] - best_base[0] >= TARGETS["margin"],
        ),
        (f"median matching {med:.3f} ms < {TARGETS['median_ms']} ms", med < TARGETS["median_ms"]),
        (f"p99 matching {p99:.3f} ms < {TARGETS['p99_ms']} ms", p99 < TARGETS["p99_ms"]),
        (f"start-up {ours['startup_s']:.2f} s < {TARGETS['startup_s']} s", ours["startup_s"] < TARGETS["startup_s"]),
    ]
    return [f"[{set_name}] {'PASS' if ok else 'FAIL'}  {text}" for text, ok in checks]


def dev_tools(args: argparse.Namespace) -> int:
    """Calibration sweep and failure listing for the matcher, on dev only."""
    from bot.content.loader import load_content
    from bot.matching.matcher import Matcher
    from bot.matching.training import as_pred, calibrate, score_rows

    rows = load_set(DEV_DIR)
    m = Matcher(load_content(CONTENT_DIR))
    results = [m.match(r["q"]) for r in rows]
    preds = [as_pred(r) for r in results]
    if args.calibrate:
        for floor in (0.85, 0.87, 0.88, 0.90, 0.95):
            t = calibrate(rows, preds, floor)
            met = score_rows(rows, preds, t)
            print(f"oos floor {floor:.2f}: threshold {t:.4f}  overall {pct(met['overall'])}  en {pct(met['en'])}  km {pct(met['km'])}  km-latn {pct(met['km-latn'])}  oos {pct(met['oos'])}")
        for t in [i / 100 for i in range(20, 71, 2)]:
            met = score_rows(rows, preds, t)
            print(f"  t={t:.2f} overall {pct(met['overall'])} en {pct(met['en'])} km {pct(met['km'])} km-latn {pct(met['km-latn'])} oos {pct(met['oos'])}")
        met = score_rows(rows, preds, m.threshold)
        print(f"current DEFAULT_THRESHOLD {m.threshold}: overall {pct(met['overall'])} oos {pct(met['oos'])}")
    if args.failures:
        for row, r in zip(rows, results):
            ok = (r.topic == row["topic"]) if row["topic"] else r.topic is None
            if not ok:
                alts = " ".join(f"{t}:{s:.2f}" for t, s in r.alternatives[:2])
                print(f"{row['lang']:7} want {str(row['topic']):22} got {str(r.topic):22} best {r.best}:{r.score:.2f} [{alts}] {row['q']!r} -> {' '.join(r.tokens)}")
    return 0


# --- cross-validation over the example questions -----------------------------------


def cross_validate(content, oos_rows: list[dict], k: int = 5, make=None) -> tuple[list[dict], list[tuple], list[tuple]]:
    """Rows and predictions of k-fold CV: (in-scope rows, their preds, out-of-scope preds per fold)."""
    from bot.matching.training import as_pred, cv_folds, without_examples

    if make is None:
        from bot.matching.matcher import Matcher as make
    rows: list[dict] = []
    preds: list[tuple] = []
    oos_preds: list[tuple] = []
    for fold in cv_folds(content, k):
        m = make(without_examples(content, fold))
        for tid, lang, q in fold:
            r = m.match(q)
            rows.append({"topic": tid, "lang": lang, "q": q})
            preds.append(as_pred(r))
        for row in oos_rows:
            r = m.match(row["q"])
            oos_preds.append(as_pred(r))
    return rows, preds, oos_preds


def cv_metrics(rows, preds, oos_rows, oos_preds, k: int, threshold: float) -> dict:
    from bot.matching.training import score_rows

    all_rows = rows + [row for _ in range(k) for row in oos_rows]
    return score_rows(all_rows, preds + oos_preds, threshold)


def cv_report(k: int) -> int:
    from bot.content.loader import load_content
    from bot.matching.matcher import DEFAULT_THRESHOLD
    from bot.matching.training import calibrate, score_rows

    t = time.perf_counter()
    content = load_content(CONTENT_DIR)
    oos_rows = [r for r in load_set(DEV_DIR) if r["topic"] is None]
    rows, preds, oos_preds = cross_validate(content, oos_rows, k)
    all_rows = rows + [row for _ in range(k) for row in oos_rows]
    all_preds = preds + oos_preds
    by = {s: sum(1 for r in rows if r["lang"] == s) for s in SCRIPTS}
    print(f"== {k}-fold CV over {len(rows)} example questions (en {by['en']}, km {by['km']}, km-latn {by['km-latn']}); "
          f"out of scope: dev's {len(oos_rows)} null-topic questions x {k} fold matchers")

    def line(label: str, m: dict) -> str:
        return (f"{label:34} overall {pct(m['overall'])}  en {pct(m['en'])}  km {pct(m['km'])}  "
                f"km-latn {pct(m['km-latn'])}  oos {pct(m['oos'])}")

    print(line(f"DEFAULT_THRESHOLD {DEFAULT_THRESHOLD}", score_rows(all_rows, all_preds, DEFAULT_THRESHOLD)))
    print(line("no threshold (raw top-1)", score_rows(all_rows, all_preds, -1.0)))
    t_cv = calibrate(all_rows, all_preds, CV_OOS_FLOOR)
    print(line(f"CV-calibrated {t_cv:.4f} (oos>={CV_OOS_FLOOR})", score_rows(all_rows, all_preds, t_cv)))
    print(f"({time.perf_counter() - t:.1f} s)")
    return 0


# --- the confidence model ----------------------------------------------------------


def fit_confidence(k: int, out: Path | None = None) -> int:
    """Refit the confidence model as ``python -m bot matching fit`` does; write bot/data/confidence.json (or ``out``)."""
    from bot.content.loader import load_content
    from bot.matching.training import TrainingError, fit_confidence as fit, load_questions, write_model

    try:
        result = fit(load_content(CONTENT_DIR), load_questions(DEV_DIR), k, by="bench/matching.py --fit-confidence")
    except TrainingError as exc:
        print(f"cannot fit the confidence model: {exc}", file=sys.stderr)
        return 1
    path = write_model(result.model, out)
    print("\n".join(result.summary()))
    print(f"wrote {path} ({result.seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
