"""The benchmark's score: character error rate on NFC, whitespace-collapsed text."""

import unicodedata

from kiosk.bench.ocr import cer, levenshtein, normalise
from kiosk.bench.ocr_pages import generate


def test_levenshtein():
    assert levenshtein("", "") == 0
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("Tập trung", "Tập ưung") == 2


def test_cer_ignores_spacing_and_unicode_form():
    truth = "Tập trung  hướng\ndẫn"
    decomposed = unicodedata.normalize("NFD", "Tập trung hướng dẫn")
    assert normalise(truth) == "Tập trung hướng dẫn"
    assert cer(decomposed, truth) == 0
    assert cer("Tập ưung hướng dẫn", truth) == 2 / len("Tập trung hướng dẫn")


def test_generated_pages_are_repeatable():
    a, b = generate(5, "scan"), generate(5, "scan")
    assert a.truth == b.truth and a.image.tobytes() == b.image.tobytes()
    assert unicodedata.is_normalized("NFC", a.truth) and len(a.truth) > 300
