"""Tagging a web-only company with the data set's category labels its text uses."""

from __future__ import annotations

from scraper_services.common.category_tagging import CategoryVocabulary

LABELS = [
    *["Supply Chain Visibility"] * 3,
    *["Freight Forwarding"] * 2,
    *["Logistics"] * 9,
    *["SaaS"] * 9,  # generic: never a tag
    "Ocean Freight",  # one company only: not the data set's vocabulary
]


def test_labels_are_matched_as_phrases_with_light_stemming_most_specific_first():
    vocabulary = CategoryVocabulary(LABELS)
    assert len(vocabulary) == 3
    text = "SaaS for logistics teams: freight forwarding made simple, supply-chain visibility."
    assert vocabulary.tag(text) == ["Supply Chain Visibility", "Freight Forwarding", "Logistics"]
    # "Forwarders" and "forwarding" share a stem; words apart are not the phrase.
    assert vocabulary.tag("We help freight forwarders.") == ["Freight Forwarding"]
    assert vocabulary.tag("Supply teams and chain stores want visibility.") == []
    assert vocabulary.tag("Ocean freight quotes in SaaS") == []
    assert vocabulary.tag("logistics, freight forwarding", limit=1) == ["Freight Forwarding"]


def test_an_empty_vocabulary_tags_nothing():
    assert CategoryVocabulary([]).tag("Supply chain visibility") == []
