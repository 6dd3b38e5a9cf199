"""Questions to topics, with a calibrated confidence; danger first.

* ``matcher``: :class:`~bot.matching.matcher.Matcher` and its verdict ``Match``, the signals combined;
* ``features``: words, terms (concepts), character n-grams and skeletons; typo lookup and script;
* ``index``: the example questions by term and topic: IDF, keyword coverage, the nearest example;
* ``bayes``: the Naive Bayes posterior over terms, n-grams and skeletons;
* ``confidence``: the confidence model (``bot/data/confidence.json``): load, check, apply;
* ``segments``: the start-up cache of Khmer segments and the matcher's Khmer dictionary;
* ``training``: refitting the confidence model (``python -m bot matching fit``), the question sets' scoring;
* ``danger``: does a message say someone is in danger now (runs before matching).
"""
