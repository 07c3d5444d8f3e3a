"""Web discovery's reading of pages: text and metadata, candidate companies, entities, queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marketnav.services.ai import ProjectInputsData
from marketnav.services.web_discovery import candidates
from marketnav.services.web_discovery.page_text import read_page
from marketnav.services.web_discovery.queries import build_queries, idea_terms

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

REVIEW = """<html><head><title>The 6 best freight visibility tools for forwarders (2026)</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="Logistics Weekly">
</head><body>
<nav><a href="/">Home</a> <a href="https://www.linkedin.com/company/lw">LinkedIn</a></nav>
<div class="cookie">We use cookies. <a href="/privacy">Privacy</a></div>
<script>document.write('<h2>1. Phantomly</h2><a href="http://phantomly.test/">x</a>')</script>
<h1>The 6 best freight visibility tools for forwarders</h1>
<h2>1. <a href="http://haulsight.test/">Haulsight</a> &ndash; live tracking for forwarders</h2>
<p>Haulsight tracks containers across 120 carriers and predicts arrival times.</p>
<h2>2. Customly (customs automation)</h2>
<p>Customly files customs declarations automatically. <a href="http://customly.test/pricing">Pricing</a></p>
<h2>3. Our methodology</h2><p>We tested each tool for a week.</p>
<p>Also worth a look: <a href="http://dockly.test/">Dockly</a> and
<a href="http://news.test/story">a story about ports</a>.</p>
</body></html>"""

HOME = """<html><head><title>Haulsight | Live shipment visibility</title>
<meta name="description" content="Live shipment visibility and ETAs for small freight forwarders.">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Organization",
"name": "Haulsight", "url": "http://haulsight.test/", "foundingDate": "2021"}</script>
</head><body><h1>See every container, live</h1>
<p>Haulsight connects to ocean carriers, airlines and trucking partners so small forwarders
can see every shipment on one map and warn their customers before a delay hits.</p></body></html>"""


def test_read_page_keeps_headings_links_and_json_ld_and_never_runs_scripts():
    page = read_page(REVIEW, "http://logisticsweekly.test/best-tools/")
    assert page.title.startswith("The 6 best freight visibility tools")
    assert page.site_name == "Logistics Weekly"
    texts = [h.text for h in page.headings]
    assert "1. Haulsight \u2013 live tracking for forwarders" in texts
    assert not any("Phantomly" in t for t in texts)  # written by a script: never there
    assert all("phantomly" not in link.url for link in page.links)
    customly = next(h for h in page.headings if h.text.startswith("2. Customly"))
    assert customly.url == "http://customly.test/pricing"
    assert "files customs declarations" in customly.context
    home = read_page(HOME, "http://haulsight.test/")
    assert home.organizations[0].name == "Haulsight"
    assert home.organizations[0].founding_date == "2021"
    assert "every shipment on one map" in home.text


def test_menus_and_layout_tables_stay_out_of_the_text_but_their_links_are_kept():
    html = """<html><body><table><tr>
      <td><a href="/">Acme</a><br><a href="/features">Features</a><br>
          <a href="/pricing">Pricing</a><br><a href="/contact">Contact</a></td>
      <td><h1>Dock alerts</h1><p>Acme tracks containers for small forwarders.</p></td>
    </tr></table><nav><a href="/a">About</a></nav></body></html>"""
    page = read_page(html, "https://acme.example/")
    assert page.text == "Dock alerts Acme tracks containers for small forwarders."
    assert "|" not in page.text and "Features" not in page.text
    assert {link.text for link in page.links} >= {"Features", "Pricing", "About"}


def test_read_page_survives_empty_and_broken_html():
    assert read_page("", "http://a.test/").title == ""
    assert read_page("<html><head><script type='application/ld+json'>{broken", "http://a.test/")


def test_a_review_lists_its_companies_not_itself_nor_profiles_nor_headings_without_links():
    page = read_page(REVIEW, "http://logisticsweekly.test/best-tools/")
    found = candidates.offline_candidates(page, NOW)
    by_domain = {c.domain: c for c in found}
    assert set(by_domain) == {"haulsight.test", "customly.test", "dockly.test"}
    assert by_domain["haulsight.test"].name == "Haulsight"
    assert by_domain["customly.test"].name == "Customly"
    assert by_domain["customly.test"].website == "http://customly.test/"
    assert "customs declarations" in by_domain["customly.test"].description
    assert all(not c.own_site for c in found)  # an article is not a company's own site
    assert by_domain["dockly.test"].pages[0].url == "http://logisticsweekly.test/best-tools/"
    assert by_domain["dockly.test"].pages[0].fetched_at == NOW


def test_a_company_home_page_names_its_own_company_from_json_ld_or_the_title():
    page = read_page(HOME, "http://haulsight.test/")
    own = candidates.own_company(page, NOW)
    assert own is not None and own.own_site and own.name == "Haulsight"
    assert own.description.startswith("Live shipment visibility and ETAs")
    plain = read_page(
        "<html><head><title>Dockly - Slot booking for small depots</title></head>"
        "<body><p>Book loading slots.</p></body></html>",
        "http://dockly.test/",
    )
    assert candidates.own_company(plain, NOW).name == "Dockly"
    # A deep page without Organization metadata is not taken for the company's home.
    deep = read_page("<html><head><title>Blog | Dockly</title></head></html>", "http://d.test/b/1")
    assert candidates.own_company(deep, NOW) is None


def test_merge_keeps_one_entity_per_domain_with_the_own_site_name_and_every_page():
    review = read_page(REVIEW, "http://logisticsweekly.test/best-tools/")
    home = read_page(HOME, "http://haulsight.test/")
    later = NOW + timedelta(hours=1)
    merged = candidates.merge(
        [*candidates.offline_candidates(review, NOW), candidates.own_company(home, later)]
    )
    haulsight = next(c for c in merged if c.domain == "haulsight.test")
    assert haulsight.own_site
    assert haulsight.description.startswith("Live shipment visibility")
    assert {p.url for p in haulsight.pages} == {
        "http://logisticsweekly.test/best-tools/",
        "http://haulsight.test/",
    }
    assert len(merged) == 3


def test_names_are_cut_from_headings_and_long_sentences_are_not_names():
    cut = candidates._plausible_name
    assert cut("2. Acme \u2013 fast X") == "Acme"
    assert cut("Ship-Ready GmbH") == "Ship-Ready"
    assert cut("#3 Haulsight: live tracking") == "Haulsight"
    assert cut("4) Dockly, for small teams") == "Dockly"
    assert cut("The 10 best freight visibility tools for forwarders in 2026") == ""
    assert cut("2026") == ""


def test_queries_start_with_named_competitors_keep_the_idea_and_respect_the_budget():
    inputs = ProjectInputsData(
        startup_name="FreightPilot",
        startup_description="We help small freight forwarders see every shipment live and "
        "file customs paperwork automatically.",
        target_audience="small freight forwarders in Europe",
        inspiration_sources="Flexport, Shippeo and project44",
    )
    keywords = ["freight visibility", "customs automation", "logistics software"]
    queries = build_queries(inputs, keywords, 6)
    assert len(queries) == 6 == len(set(queries))
    assert queries[:4] == [
        "alternatives to Flexport",
        "Flexport competitors",
        "alternatives to Shippeo",
        "Shippeo competitors",
    ]
    assert any(q.startswith("small freight forwarders") for q in queries)
    assert len(build_queries(inputs, keywords, 2)) == 2
    assert any("forwarders" in q for q in build_queries(inputs, keywords, 3))
    unnamed = build_queries(inputs.model_copy(update={"inspiration_sources": ""}), keywords, 6)
    assert "best freight visibility software" in unnamed
    assert idea_terms("We want to build a platform for the dentists") == "dentists"
