"""Offline Editing Mode reads a description as a person would (labelled forms, plain text)."""

from __future__ import annotations

import json

import pytest

from marketnav.services import ai
from marketnav.services.ai.editing import review_fill
from marketnav.services.ai.input_extraction import extract, stage_of, working_name
from marketnav.services.project_inputs import FIELD_KEYS, REQUIRED_KEYS
from tests import ai_fixtures

ai_env = ai_fixtures.ai_env

KITCHENLOOP = (
    "Startup name: KitchenLoop. Description: A marketplace where restaurants buy and sell used "
    "kitchen equipment. Target audience: small independent restaurants and caterers. "
    "Stage: idea. Business model: 8% commission per sale. Geographic focus: Germany and "
    "Austria. Research goal: find out who already resells restaurant equipment online. "
    "Time range: last 5 years. Competitors: Kitchenbay, Restaurant Resale"
)


def test_a_plain_request_gives_the_idea_and_a_marked_working_name():
    found = extract("Fill in the inputs for a marketplace for used restaurant equipment")
    assert found.values["startup_description"] == "A marketplace for used restaurant equipment."
    assert found.values["business_model"] == "Marketplace"
    assert found.values["startup_name"] == "RestaurantLoop"
    assert found.values["target_audience"] == "Restaurants"
    assert set(found.suggested) == {"startup_name", "target_audience"}
    # Only what is really missing is asked for.
    assert found.missing({}) == ["current_stage", "geographic_focus", "research_goal", "time_range"]


def test_every_labelled_field_is_filled():
    found = extract(KITCHENLOOP)
    assert set(found.values) == set(FIELD_KEYS) and not found.suggested
    assert found.values["startup_name"] == "KitchenLoop"
    assert found.values["startup_description"].startswith("A marketplace where restaurants buy")
    assert found.values["target_audience"] == "small independent restaurants and caterers"
    assert found.values["current_stage"] == "idea"
    assert found.values["business_model"] == "8% commission per sale"
    assert found.values["geographic_focus"] == "Germany and Austria"
    assert found.values["research_goal"].startswith("find out who already resells")
    assert found.values["time_range"] == "Last 5 years"
    assert found.values["inspiration_sources"] == "Kitchenbay, Restaurant Resale"
    assert found.missing({}) == []


def test_labelled_lines_and_placeholders():
    found = extract(
        "Name: Orbit\nIdea: satellite data for farmers\nStage: pre-seed\nRegion: Kenya\n"
        "Competitors: none known"
    )
    assert found.values["startup_name"] == "Orbit"
    assert found.values["startup_description"] == "satellite data for farmers"
    assert found.values["current_stage"] == "early_stage"
    assert found.values["geographic_focus"] == "Kenya"
    assert "inspiration_sources" not in found.values  # "none known" is no competitor


def test_an_unknown_labelled_stage_is_reported_not_saved():
    found = extract("Startup name: Orbit. Stage: thinking hard")
    assert "current_stage" not in found.values
    assert "not a stage" in found.problems["current_stage"]


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        (
            "A B2B SaaS for dental clinics in Iran, freemium with ads.",
            "target_audience",
            "dental clinics (B2B)",
        ),
        (
            "A B2B SaaS for dental clinics in Iran, freemium with ads.",
            "business_model",
            "SaaS, freemium, advertising",
        ),
        ("A B2B SaaS for dental clinics in Iran, freemium with ads.", "geographic_focus", "Iran"),
        (
            "An app aimed at university students in Berlin.",
            "target_audience",
            "university students in Berlin",
        ),
        (
            "An app that helps farmers in Kenya sell maize, with a transaction fee.",
            "target_audience",
            "farmers",
        ),
        (
            "An app that helps farmers in Kenya sell maize, with a transaction fee.",
            "business_model",
            "Transaction fee",
        ),
        (
            "A tool for logistics teams in Europe and the Middle East.",
            "geographic_focus",
            "Europe, Middle East",
        ),
        (
            "A tool like Flexport and project44 for shippers.",
            "inspiration_sources",
            "Flexport, project44",
        ),
        (
            "Invoicing software, basically Stripe vs Wave for freelancers.",
            "inspiration_sources",
            "Wave",
        ),
        ("Competitors: Rover, Wag. A pet-sitting app.", "inspiration_sources", "Rover, Wag"),
        ("We launched last year and have first paying customers.", "current_stage", "early_stage"),
        ("We have a working prototype.", "current_stage", "mvp"),
        ("We just raised our Series A.", "current_stage", "growth"),
        ("It is still an idea.", "current_stage", "idea"),
        ("Look at the past decade please.", "time_range", "Last 10 years"),
        (
            "Is there demand for used kitchen gear in Spain?",
            "research_goal",
            "Is there demand for used kitchen gear in Spain?",
        ),
    ],
)
def test_plain_descriptions(text, key, expected):
    assert extract(text).values.get(key) == expected


def test_questions_to_the_assistant_are_no_research_goal():
    for text in (
        "What should I research first?",
        "Can you help?",
        "What should we do next?",
        "What did the verdict conclude?",
    ):
        assert "research_goal" not in extract(text).values, text
    assert extract("Who funds pet startups in Spain?").values["research_goal"] == (
        "Who funds pet startups in Spain?"
    )


def test_words_that_only_look_like_stages_are_not_stages():
    for text in (
        "A growth marketing tool for shops.",
        "A marketplace for seed suppliers.",
        "Our revenue model is a subscription.",
        "A new concept for cafés.",
    ):
        assert "current_stage" not in extract(text).values, text


def test_stage_words_map_to_the_allowed_stages():
    assert stage_of("idea") == "idea"
    assert stage_of("MVP") == "mvp"
    assert stage_of("Pre-seed") == "early_stage"
    assert stage_of("seed") == "early_stage"
    assert stage_of("launched, with revenue") == "early_stage"
    assert stage_of("Series A") == "growth"
    assert stage_of("scale-up") == "scale_up"
    assert stage_of("early stage") == "early_stage"


def test_unicode_names_and_text_are_kept():
    found = extract("We're building Café Nœud, a subscription app for small cafés in Paris.")
    assert found.values["startup_name"] == "Café Nœud"
    assert found.values["startup_description"] == "A subscription app for small cafés in Paris."
    assert found.values["target_audience"] == "small cafés"
    persian = extract(
        "Startup name: نوآوران. Description: یک بازار آنلاین برای تجهیزات رستوران در تهران. "
        "Stage: MVP"
    )
    assert persian.values["startup_name"] == "نوآوران"
    assert persian.values["startup_description"] == "یک بازار آنلاین برای تجهیزات رستوران در تهران"
    assert persian.values["geographic_focus"] == "تهران"
    assert persian.values["current_stage"] == "mvp"


def test_working_names_come_from_the_key_word():
    assert working_name("A marketplace for used restaurant equipment.") == "RestaurantLoop"
    assert working_name("A subscription box of Greek snacks.") == "GreekBox"
    assert working_name("SaaS that automates dental billing.") == "DentalFlow"
    assert working_name("A marketplace for vintage bikes.") == "VintageMarket"
    assert working_name("بازار آنلاین") == "بازار Hub"
    assert working_name("An app.") is None


def test_a_known_name_is_never_replaced_by_a_suggestion():
    found = extract("A marketplace for used restaurant equipment", {"startup_name": "Kito"})
    assert "startup_name" not in found.values


def test_offline_chat_saves_all_nine_and_marks_suggestions(ai_env):
    events = list(ai.stream_chat(ai.ChatRequest(message=KITCHENLOOP, active_modes=["editing"])))
    fill = next(e for e in events if e.kind == "tool_call").fill
    assert set(fill.values()) == set(FIELD_KEYS) and not fill.rejected
    assert events[-1].text.startswith("Offline analysis: I saved Startup Name, Description")
    assert "Every required input is filled" in events[-1].text

    events = list(
        ai.stream_chat(
            ai.ChatRequest(
                message="Fill in the inputs for a marketplace for used restaurant equipment",
                active_modes=["editing"],
            )
        )
    )
    done = events[-1].text
    assert "no project details" not in done
    assert 'Suggested Startup Name: "RestaurantLoop"' in done and "not stated by you" in done
    assert "Still missing: Stage, Geographic Focus, Research Goal, Time Range." in done
    fill = next(e for e in events if e.kind == "tool_call").fill
    name = next(f for f in fill.fields if f.key == "startup_name")
    described = next(f for f in fill.fields if f.key == "startup_description")
    assert any("a suggestion" in b for b in name.confidence.basis)
    assert name.confidence.score < described.confidence.score
    assert not any("suggestion" in b for b in described.confidence.basis)


def test_a_model_cannot_mark_its_own_values_as_suggestions(ai_env):
    arguments = json.dumps({"startup_name": "X", "suggested": {"startup_name": "guess"}})
    fill = review_fill(arguments, "X", is_offline=False)
    assert fill.rejected == {"suggested": "unknown field"}


def test_required_keys_are_the_eight_asked_for():
    assert "inspiration_sources" not in REQUIRED_KEYS and len(REQUIRED_KEYS) == 8
