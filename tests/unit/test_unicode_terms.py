"""Keyword extraction and search tokens keep accented and non-Latin words whole."""

from __future__ import annotations

from marketnav.services.ai.text_terms import content_words
from scraper_services.common.keyword_index import terms


def test_content_words_keep_accents_and_other_scripts():
    words = content_words("Une façade naïve pour les cafés; 配送 アプリ; Ödeme sistemi")
    assert {"façade", "naïve", "配送", "アプリ", "ödeme"} <= set(words)
    assert "fa" not in words and "na" not in words and "ade" not in words


def test_search_tokens_keep_accents_and_other_scripts():
    tokens = terms("Naïve façade — 配送 apps in São Paulo")
    assert {"naïve", "façade", "配送", "são", "paulo"} <= set(tokens)
