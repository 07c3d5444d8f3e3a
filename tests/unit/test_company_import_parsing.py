"""CSV layouts, detection, mapping, per-row errors, funding and year parsing, dedupe and merge."""

from __future__ import annotations

from pathlib import Path

import pytest

from marketnav.services.company_import import parsing
from marketnav.services.company_import.parsing import BadValue, parse_funding, parse_year
from scraper_services.common.contracts import ImportedCompany

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
YC_STARTUPS = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / "yc-startups-2005-2014"
    / "Startups.csv"
)


def parsed(name: str, **kwargs) -> parsing.ParseResult:
    return parsing.parse((FIXTURES / name).read_bytes(), **kwargs)


def by_name(result: parsing.ParseResult) -> dict[str, ImportedCompany]:
    return {row.company.name: row.company for row in result.rows}


def test_crunchbase_export():
    result = parsed("crunchbase.csv")
    assert result.layout == "crunchbase"
    assert result.mapping["description"] == "Full Description"  # preferred over Description
    companies = by_name(result)
    shippeo = companies["Shippeo"]
    assert shippeo.website == "https://www.shippeo.com"
    assert shippeo.categories == ["Logistics", "Supply Chain Management", "SaaS"]
    assert (shippeo.hq_city, shippeo.hq_country) == ("Paris", "France")
    assert shippeo.founded_year == 2014 and shippeo.total_funding_usd == 110_000_000
    assert shippeo.sources == ["crunchbase-csv"] and shippeo.status == "operating"
    assert companies["Sennder"].total_funding_usd == 1.2e9
    zurich = companies["Zürich Freight AG"]  # Unicode kept
    assert zurich.status == "closed" and zurich.total_funding_usd == 12e6
    assert zurich.description.startswith("Güterverkehr")
    assert [(e.line, e.reason) for e in result.errors] == [
        (4, "bad founded year 'sometime soon'"),
        (6, "missing company name"),
    ]
    assert result.total_rows == 5 and len(result.rows) == 3


def test_tracxn_export_dedupes_the_same_domain():
    result = parsed("tracxn.csv")
    assert result.layout == "tracxn"
    assert result.mapping["website"] == "Domain"
    companies = by_name(result)
    assert companies["project44"].website == "https://project44.com"
    assert companies["FourKites"].total_funding_usd == 241_000_000
    assert companies["project44"].categories == ["Logistics Tech", "Supply Chain"]
    (error,) = result.errors
    assert error.line == 5 and error.name == "Fretadao"
    assert "bad founded year '20x4'" in error.reason and "bad funding amount 'lots'" in error.reason
    deduped = parsing.dedupe(r.company for r in result.rows)
    assert deduped.merged == 1
    project44 = next(c for c in deduped.companies if c.name == "project44")
    assert project44.total_funding_usd == 817.5e6  # known fact kept
    assert project44.description.startswith("Duplicate row")  # the longer description
    assert project44.categories == ["Logistics Tech", "Supply Chain", "Visibility"]


def test_dealroom_export_funding_is_in_millions_and_unknown_stays_none():
    result = parsed("dealroom.csv")
    assert result.layout == "dealroom"
    companies = by_name(result)
    assert companies["Forto"].total_funding_usd == pytest.approx(593.5e6)
    assert (
        companies["Forto"].description == "Digital freight forwarder for sustainable supply chains"
    )
    assert companies["Transporeon"].total_funding_usd is None
    assert companies["Ghost Freight"].total_funding_usd is None  # "n/a" is unknown, not 0
    assert [(e.line, e.reason) for e in result.errors] == [(5, "bad funding amount 'about ten'")]


def test_yc_layout_sums_rounds_and_maps_status():
    result = parsed("yc.csv")
    assert result.layout == "yc"
    companies = by_name(result)
    assert companies["Curebit"].total_funding_usd == 1_200_000
    assert companies["Zencoder"].total_funding_usd == 3_500_000
    assert companies["Zencoder"].status == "acquired" and companies["Ghostly"].status == "closed"
    assert companies["Ghostly"].total_funding_usd is None
    assert companies["Curebit"].hq_country == "USA" and companies["Curebit"].founded_year == 2010


@pytest.mark.skipif(not YC_STARTUPS.exists(), reason="../shared/data is beside the checkout in CI")
def test_the_real_yc_startups_file():
    result = parsing.parse(YC_STARTUPS.read_bytes())
    assert result.layout == "yc" and result.total_rows >= 680
    assert len(result.rows) >= 600


def test_generic_csv_needs_a_mapping_and_keeps_both_sources():
    result = parsed("generic.csv")
    assert result.layout == "generic"
    assert result.mapping["name"] == "Startup"  # guessed
    mapping = {
        "name": "Startup",
        "website": "Homepage",
        "description": "What they do",
        "categories": "Tags",
        "founded_year": "Since",
        "hq_city": "City",
        "hq_country": "Country",
        "total_funding_usd": "Raised",
        "source": "Source",
    }
    result = parsed("generic.csv", layout="generic", mapping=mapping)
    assert not result.errors and len(result.rows) == 3
    deduped = parsing.dedupe(r.company for r in result.rows)
    assert [c.name for c in deduped.companies] == ["Flexport", "Nuvocargo"]
    flexport = deduped.companies[0]
    assert flexport.sources == ["Crunchbase", "Tracxn"]  # one entity, both sources kept
    assert flexport.categories == ["logistics", "customs", "freight"]
    assert flexport.founded_year == 2013 and flexport.total_funding_usd == 2.3e9
    assert deduped.companies[1].total_funding_usd == 1_200_000


def test_mapping_errors_and_cli_option():
    assert parsing.parse_mapping_option("name=Startup, website = Homepage") == {
        "name": "Startup",
        "website": "Homepage",
    }
    with pytest.raises(ValueError, match="field=Column"):
        parsing.parse_mapping_option("name")
    with pytest.raises(ValueError, match="company name"):
        parsed("generic.csv", layout="generic", mapping={"website": "Homepage"})
    with pytest.raises(ValueError, match="No column named 'Nope'"):
        parsed("generic.csv", layout="generic", mapping={"name": "Nope"})
    with pytest.raises(ValueError, match="Unknown field"):
        parsed("generic.csv", layout="generic", mapping={"name": "Startup", "ceo": "City"})


def test_detection_from_headers():
    detect = parsing.detect_layout
    assert detect(["Organization Name", "Website"]) == "crunchbase"
    assert detect(["Company Name", "Domain", "Overview"]) == "tracxn"
    assert detect(["NAME", "WEBSITE", "TAGLINE", "HQ CITY"]) == "dealroom"
    assert detect(["Company", "Satus", "Year Founded"]) == "yc"
    assert detect(["Name", "Website", "Description"]) == "generic"
    assert detect(["\ufeffOrganization Name"]) == "crunchbase"


def test_encodings_bom_and_latin1():
    bom = parsed("bom_crunchbase.csv")
    assert bom.layout == "crunchbase" and bom.encoding == "utf-8"
    assert bom.rows[0].company.name == "København Cargo"
    assert bom.rows[0].company.description == "Fragt — hurtig"
    latin = parsed("latin1_crunchbase.csv")
    assert latin.encoding == "latin-1"
    assert latin.rows[0].company.name == "Café Logistique"
    assert latin.rows[0].company.description == "Livraison à vélo"


def test_row_limit_and_too_long_values():
    rows = "\n".join(f"Company {i},c{i}.example" for i in range(12))
    with pytest.raises(parsing.ImportTooLarge, match="more than 10 rows"):
        parsing.parse("Organization Name,Website\n" + rows, max_rows=10)
    long_name = "x" * 201
    text = (
        "Organization Name,Website,Description\n"
        f"{long_name},a.example,ok\n"
        f"Fine,b.example,{'word ' * 1100}\n"
        '"Multi\nline",c.example,"spans\ntwo lines"\n'
        "Last,,\n"
    )
    result = parsing.parse(text)
    assert [(e.line, e.reason.split(" (")[0]) for e in result.errors] == [
        (2, "name too long"),
        (3, "description too long"),
    ]
    assert [(r.line, r.company.name) for r in result.rows] == [
        (4, "Multi line"),
        (7, "Last"),
    ]  # the record spans lines 4-6


@pytest.mark.parametrize(
    ("text", "scale", "expected"),
    [
        ("$1.2M", 1, 1.2e6),
        ("1,200,000", 1, 1.2e6),
        ("12 M", 1, 12e6),
        ("$850K", 1, 850e3),
        ("USD 3.5bn", 1, 3.5e9),
        ("$2.3 billion", 1, 2.3e9),
        ("1 200 000", 1, 1.2e6),
        ("593.5", 1e6, 593.5e6),
        ("0", 1, 0.0),
        ("", 1, None),
        ("-", 1, None),
        ("N/A", 1, None),
        ("undisclosed", 1, None),
        (None, 1, None),
    ],
)
def test_funding_parsing(text, scale, expected):
    assert parse_funding(text, scale) == expected


@pytest.mark.parametrize("text", ["lots", "€5M", "12 apples", "1.2.3"])
def test_funding_parsing_rejects_non_amounts(text):
    with pytest.raises(BadValue, match="bad funding amount"):
        parse_funding(text)


def test_funding_list_and_years():
    assert parsing.parse_funding_list("$1200000, undisclosed amount, $2.5M") == 3.7e6
    assert parsing.parse_funding_list("undisclosed amount") is None
    assert parse_year("2015-03-01") == 2015 and parse_year("03/01/2015") == 2015
    assert parse_year("Mar 2015") == 2015 and parse_year("2015.0") == 2015
    assert parse_year("") is None
    with pytest.raises(BadValue, match="out of range"):
        parse_year("1492")
    with pytest.raises(BadValue, match="bad founded year"):
        parse_year("soon")


def test_dedupe_by_domain_then_name():
    def company(name, website=None, **kw):
        return ImportedCompany(name=name, website=website, sources=kw.pop("sources", ["a"]), **kw)

    rows = [
        company("Acme", "https://www.acme.com", description="short"),
        company("ACME Corp", "acme.com/about", description="a longer description", sources=["b"]),
        company("Acme, Inc.", None, founded_year=2010),  # same normalised name
        company("Acme", "https://acme.io"),  # same name, another domain: another company
        company("Bêta", None),
        company("Beta", None, total_funding_usd=5.0, sources=["c"]),
    ]
    result = parsing.dedupe(rows)
    assert result.merged == 3
    names = [(c.name, c.website) for c in result.companies]
    assert names == [("Acme", "https://www.acme.com"), ("Acme", "https://acme.io"), ("Bêta", None)]
    acme = result.companies[0]
    assert acme.description == "a longer description" and acme.founded_year == 2010
    assert acme.sources == ["a", "b"]
    assert result.companies[2].total_funding_usd == 5.0
    assert result.companies[2].sources == ["a", "c"]
    assert parsing.website_domain("HTTPS://WWW.Example.COM/x") == "example.com"
    # The services' identity key (contracts.company_name_key): spaces go too ("Project 44" is
    # project44), so the key is "zurichfreight", no longer "zurich freight".
    assert parsing.company_name_key("Zürich Freight AG") == "zurichfreight"
