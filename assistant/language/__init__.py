"""Word and name helpers of the read path, on top of :mod:`index`'s words, stopwords and stems:
content words, countries and numbers of a claim (lexicon, countries), proper names and word-set
overlap (text), the form of a question (question), and sentences that address a reader or an AI
instead of reporting news (addressed).

They know nothing of the pipeline, the generators or the records of an answer: they import only
``index`` and each other (``tests/test_imports.py``).
"""
