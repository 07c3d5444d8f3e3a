"""The small vocabularies offline input extraction reads a description with.

Each table says what a word means for one project input: which labels name a field, which
words are a stage, a business model, a place or an audience. `input_extraction` only applies
them, so what the offline analyser understands can be read (and extended) here.
"""

from __future__ import annotations

import re


def _names(text: str) -> tuple[str, ...]:
    """Comma-separated names of a text block (one table, several lines)."""
    return tuple(n.strip() for n in text.replace("\n", " ").split(",") if n.strip())


# "Label: value" forms: every label a person might write for each input (lower case).
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "startup_name": ("startup name", "company name", "project name", "name", "startup"),
    "startup_description": (
        "startup description",
        "description",
        "idea",
        "the idea",
        "what we do",
        "what it does",
        "product",
        "pitch",
        "summary",
    ),
    "target_audience": (
        "target audience",
        "audience",
        "target customers",
        "target market",
        "customers",
        "customer",
        "users",
        "target users",
        "segment",
        "who",
    ),
    "current_stage": ("current stage", "stage", "status", "maturity"),
    "business_model": (
        "business model",
        "revenue model",
        "monetisation",
        "monetization",
        "pricing",
        "model",
        "revenue",
    ),
    "geographic_focus": (
        "geographic focus",
        "geography",
        "regions",
        "region",
        "markets",
        "market",
        "location",
        "countries",
        "country",
        "where",
    ),
    "research_goal": (
        "research goal",
        "research question",
        "goal",
        "goals",
        "objective",
        "question",
        "questions",
        "aim",
    ),
    "time_range": ("time range", "timeframe", "time frame", "period", "time period", "years"),
    "inspiration_sources": (
        "competitors",
        "competitor",
        "competition",
        "inspiration sources",
        "inspiration",
        "rivals",
        "alternatives",
        "similar companies",
    ),
}
LABEL_TO_KEY: dict[str, str] = {
    label: key for key, labels in FIELD_LABELS.items() for label in labels
}

# Stage words, most advanced first (the first match wins). Values are the allowed stages.
STAGE_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "scale_up",
        r"\bscale[- ]?up (?:stage|phase)\b|\bscaleup\b|\ba scale[- ]up\b|\bseries [c-f]\b"
        r"|\bexpanding internationally\b|\bipo\b|\bpublicly listed\b",
    ),
    (
        "growth",
        r"\bgrowth (?:stage|phase)\b|\bseries [ab]\b|\bgrowing revenue\b|\bprofitable\b"
        r"|\bproduct[- ]market fit\b",
    ),
    (
        "early_stage",
        r"\bpre-?seed\b|\bseed(?: stage| round| funding| funded)\b"
        r"|\b(?:raised|closed) (?:a )?seed\b|\bat seed\b|\bearly[- ]stage\b|\blaunched\b"
        r"|\blive with\b|\bfirst (?:paying )?(?:customers|clients|users)\b|\bpilot customers\b"
        r"|\bpaying (?:customers|clients|users)\b|\b(?:have|making|generating|with|first) revenue"
        r"\b|\bin revenue\b|\bmrr\b|\btraction\b",
    ),
    (
        "mvp",
        r"\bmvp\b|\bprototype\b|\bbeta\b|\bminimum viable product\b|\bpilot\b|\bpre-?revenue\b"
        r"|\bbuilding the product\b",
    ),
    (
        "idea",
        r"\bidea (?:stage|phase)\b|\bat the idea\b|\b(?:just|only|still) an idea\b"
        r"|\b(?:just|only|still) a concept\b|\bconcept stage\b|\bideation\b"
        r"|\bnot (?:yet )?(?:started|built|launched)\b|\bpre-?product\b",
    ),
)

# Business model words: the phrase as found -> how it reads in the field.
BUSINESS_MODEL_TERMS: tuple[tuple[str, str], ...] = (
    (r"\bmarketplace\b", "marketplace"),
    (r"\bsubscriptions?\b", "subscription"),
    (r"\bcommissions?\b", "commission"),
    (r"\btake rate\b", "take rate"),
    (r"\bsaas\b|\bsoftware[- ]as[- ]a[- ]service\b", "SaaS"),
    (r"\bfreemium\b", "freemium"),
    (r"\bads\b|\badvertising\b|\bad[- ]supported\b", "advertising"),
    (r"\btransaction fees?\b|\bper[- ]transaction\b", "transaction fee"),
    (r"\bbooking fees?\b", "booking fee"),
    (r"\blisting fees?\b", "listing fee"),
    (r"\blicen[cs](?:e|es|ing)\b", "licensing"),
    (r"\bper[- ]seat\b", "per-seat pricing"),
    (r"\busage[- ]based\b|\bpay[- ]per[- ]use\b|\bpay[- ]as[- ]you[- ]go\b", "usage-based"),
    (r"\baffiliate\b", "affiliate fees"),
    (r"\bresale\b|\bresell(?:ing)?\b", "resale margin"),
    (r"\bone[- ]time (?:fee|purchase|payment)\b", "one-time purchase"),
    (r"\bwhite[- ]label\b", "white-label"),
    (r"\bb2b2c\b", "B2B2C"),
)
BUSINESS_MODEL_RE = tuple(
    (re.compile(pattern, re.IGNORECASE), label) for pattern, label in BUSINESS_MODEL_TERMS
)

# Places (written as people write them; Unicode names included). Matched case-sensitively
# so "US" is a country and "us" is not.
_REGIONS_TEXT = """
North America, South America, Latin America, LATAM, Europe, Western Europe, Eastern Europe,
Northern Europe, Southern Europe, Central Europe, EU, Middle East, MENA, GCC, Africa,
Sub-Saharan Africa, East Africa, West Africa, North Africa, Asia, Southeast Asia, South Asia,
Central Asia, East Asia, APAC, Asia Pacific, Asia-Pacific, Nordics, Scandinavia, DACH, Benelux,
Balkans, Baltics, Oceania, Caribbean, worldwide, Worldwide, globally
"""
REGIONS = _names(_REGIONS_TEXT)
_COUNTRIES_TEXT = """
United States, USA, US, U.S., Canada, Mexico, México, Brazil, Brasil, Argentina, Chile,
Colombia, Peru, United Kingdom, UK, England, Scotland, Ireland, France, Germany, Deutschland,
Spain, España, Portugal, Italy, Netherlands, Belgium, Luxembourg, Switzerland, Austria,
Österreich, Sweden, Norway, Denmark, Finland, Iceland, Estonia, Poland, Czechia, Czech Republic,
Hungary, Romania, Bulgaria, Greece, Turkey, Türkiye, Iran, ایران, Iraq, Israel, Jordan, Lebanon,
Saudi Arabia, UAE, United Arab Emirates, Qatar, Kuwait, Oman, Bahrain, Egypt, مصر, Nigeria,
Ghana, Kenya, Ethiopia, Rwanda, South Africa, Morocco, Tunisia, India, Pakistan, Bangladesh, Sri
Lanka, China, 中国, Japan, 日本, South Korea, Korea, Taiwan, Hong Kong, Singapore, Indonesia,
Vietnam, Thailand, Malaysia, Philippines, Australia, New Zealand, Russia, Ukraine, Kazakhstan,
Afghanistan
"""
COUNTRIES = _names(_COUNTRIES_TEXT)
_CITIES_TEXT = """
London, Manchester, Berlin, Munich, München, Hamburg, Paris, Lyon, Madrid, Barcelona, Lisbon,
Rome, Milan, Amsterdam, Rotterdam, Brussels, Zurich, Zürich, Geneva, Vienna, Wien, Stockholm,
Oslo, Copenhagen, Helsinki, Warsaw, Prague, Budapest, Istanbul, Tehran, تهران, Isfahan, Shiraz,
Tabriz, Mashhad, Dubai, Abu Dhabi, Riyadh, Doha, Cairo, Tel Aviv, Lagos, Nairobi, Cape Town,
Johannesburg, Mumbai, Delhi, Bangalore, Bengaluru, Karachi, Beijing, Shanghai, Shenzhen, Tokyo,
Osaka, Seoul, Jakarta, Bangkok, Manila, Sydney, Melbourne, Auckland, Toronto, Vancouver,
Montreal, Montréal, New York, NYC, San Francisco, Bay Area, Los Angeles, Chicago, Boston,
Austin, Seattle, Miami, Mexico City, São Paulo, Sao Paulo, Bogotá, Buenos Aires, Santiago
"""
CITIES = _names(_CITIES_TEXT)
_PLACE_NAMES = sorted({*REGIONS, *COUNTRIES, *CITIES}, key=len, reverse=True)
# Longest names first, so "Western Europe" wins over "Europe". Word edges are Unicode-aware.
PLACE_RE = re.compile(r"(?<![\w.])(" + "|".join(re.escape(p) for p in _PLACE_NAMES) + r")(?![\w])")

# Which countries a region name covers (for "no close competitor based in <region>").
_REGION_TEXT = """
Europe: United Kingdom, Ireland, France, Germany, Spain, Portugal, Italy, Netherlands, Belgium,
  Luxembourg, Switzerland, Austria, Sweden, Norway, Denmark, Finland, Iceland, Estonia, Poland,
  Czechia, Czech Republic, Hungary, Romania, Bulgaria, Greece
Western Europe: United Kingdom, Ireland, France, Germany, Spain, Portugal, Italy, Netherlands,
  Belgium, Luxembourg, Switzerland, Austria
EU: Ireland, France, Germany, Spain, Portugal, Italy, Netherlands, Belgium, Luxembourg, Austria,
  Sweden, Denmark, Finland, Estonia, Poland, Czechia, Hungary, Romania, Bulgaria, Greece
DACH: Germany, Austria, Switzerland
Nordics: Sweden, Norway, Denmark, Finland, Iceland
Scandinavia: Sweden, Norway, Denmark
Benelux: Netherlands, Belgium, Luxembourg
North America: United States, Canada, Mexico
Latin America: Mexico, Brazil, Argentina, Chile, Colombia, Peru
LATAM: Mexico, Brazil, Argentina, Chile, Colombia, Peru
Middle East: Iran, Iraq, Israel, Jordan, Lebanon, Saudi Arabia, United Arab Emirates, Qatar,
  Kuwait, Oman, Bahrain, Turkey, Egypt
MENA: Iran, Iraq, Israel, Jordan, Lebanon, Saudi Arabia, United Arab Emirates, Qatar, Kuwait,
  Oman, Bahrain, Egypt, Morocco, Tunisia
Africa: Nigeria, Ghana, Kenya, Ethiopia, Rwanda, South Africa, Morocco, Tunisia, Egypt
Asia: India, Pakistan, Bangladesh, China, Japan, South Korea, Taiwan, Hong Kong, Singapore,
  Indonesia, Vietnam, Thailand, Malaysia, Philippines
Southeast Asia: Singapore, Indonesia, Vietnam, Thailand, Malaysia, Philippines
"""


def _regions(text: str) -> dict[str, frozenset[str]]:
    regions: dict[str, frozenset[str]] = {}
    for block in text.strip().replace("\n  ", " ").splitlines():
        name, _, countries = block.partition(":")
        regions[name.strip()] = frozenset(c.strip() for c in countries.split(",") if c.strip())
    return regions


REGION_COUNTRIES = _regions(_REGION_TEXT)


# Who a product is for: the last word of an audience phrase (stems, lower case).
_AUDIENCE_TEXT = """
    restaurant restaurants cafe cafes café cafés bar bars hotel hotels owner owners family
    families parent parents student students teacher teachers school schools university
    universities freelancer freelancers sme smes business businesses company companies
    enterprise enterprises startup startups team teams developer developers engineer engineers
    designer designers doctor doctors clinic clinics hospital hospitals dentist dentists
    patient patients nurse nurses retailer retailers shop shops store stores merchant merchants
    seller sellers buyer buyers brand brands farmer farmers grower growers driver drivers fleet
    fleets landlord landlords tenant tenants renter renters homeowner homeowners traveller
    travellers traveler travelers tourist tourists creator creators artist artists musician
    musicians gamer gamers professional professionals manager managers recruiter recruiters
    employer employers employee employees worker workers consumer consumers customer customers
    client clients user users people adult adults senior seniors elderly kid kids child children
    teen teens teenager teenagers women men commuter commuters shipper shippers carrier carriers
    manufacturer manufacturers supplier suppliers distributor distributors wholesaler
    wholesalers agency agencies accountant accountants lawyer lawyers firm firms investor
    investors bank banks insurer insurers government governments municipality municipalities
    city cities nonprofit nonprofits ngo ngos coach coaches athlete athletes runner runners
    learner learners researcher researchers scientist scientists lab labs pharmacy pharmacies
    gym gyms salon salons chef chefs caterer caterers bakery bakeries grocer grocers
"""
AUDIENCE_NOUNS = frozenset(_AUDIENCE_TEXT.split())
# Words that qualify an audience ("small restaurants", "independent cafés").
AUDIENCE_MARKETS = (
    (r"\bb2b\b|\bbusiness(?:es)? customers\b", "Businesses (B2B)"),
    (r"\bb2c\b|\bconsumers\b|\bend users\b|\bindividuals\b", "Consumers (B2C)"),
    (r"\bb2g\b|\bpublic sector\b", "Public sector (B2G)"),
    (r"\benterprises?\b", "Enterprises"),
    (r"\bsmes?\b|\bsmall (?:and medium[- ]sized )?businesses\b", "Small businesses (SMEs)"),
)

# What an idea is ("a marketplace for ..."): marks a sentence as the description.
_IDEA_NOUNS_TEXT = """
marketplace, platform, app, application, service, tool, software, saas, startup, website, site,
network, exchange, store, shop, subscription, device, api, engine, assistant, bot, chatbot,
solution, product, company, business, kit, box, hub
"""
IDEA_NOUNS = _names(_IDEA_NOUNS_TEXT)
IDEA_NOUN_RE = re.compile(r"\b(?:" + "|".join(IDEA_NOUNS) + r")s?\b", re.IGNORECASE)
# Requests wrapped around the idea: "Fill in the inputs for <idea>", "My idea is <idea>".
REQUEST_PREFIXES = re.compile(
    r"^(?:please\s+)?(?:(?:can|could) you\s+)?(?:help me\s+)?"
    r"(?:(?:fill|fill in|fill out|complete|set up|create|start|make)\s+"
    r"(?:in\s+|out\s+)?(?:the\s+|my\s+)?(?:project\s+)?(?:inputs?|fields?|project|details|form)"
    r"(?:\s+(?:for|about|with))?\s+"
    r"|(?:my|our|the)\s+(?:startup\s+)?idea\s+is\s+(?:to\s+build\s+)?"
    r"|i(?:'m| am)\s+(?:building|making|creating|starting|working on|thinking (?:about|of))\s+"
    r"|we(?:'re| are)\s+(?:building|making|creating|starting|working on)\s+"
    r"|(?:i|we)(?:\s+(?:want|would like|plan)|'d like)\s+to\s+(?:build|start|launch|create|make)\s+"
    r"|(?:it(?:'s| is)|this is)\s+)",
    re.IGNORECASE,
)

# Answers that mean "no answer" ("Competitors: none known").
PLACEHOLDER_ANSWERS = frozenset(
    {"none", "none known", "n/a", "na", "-", "unknown", "not sure", "no idea", "tbd", "?", "no"}
)

# Words a working name is not made of (generic idea words and qualifiers).
_NAME_SKIP_TEXT = """
    marketplace platform app application service services tool tools software saas startup
    website site network exchange store shop solution solutions product products online
    digital mobile web smart simple easy affordable cheap local used second-hand secondhand
    new small large big best better trusted vetted curated independent modern ai based
    powered driven first fill inputs input project idea kind type sort order way b2b b2c b2g
subscription subscriptions box boxes kit kits
"""
NAME_SKIP_WORDS = frozenset(_NAME_SKIP_TEXT.split())
# Name endings by business model word (the first that applies), "Hub" otherwise.
NAME_ENDINGS: tuple[tuple[str, str], ...] = (
    (r"\bused\b|\bsecond[- ]hand\b|\bresale\b|\brefurbished\b|\brecycl", "Loop"),
    (r"\bmarketplace\b|\bexchange\b", "Market"),
    (r"\bsubscription\b|\bkits?\b|\bbox(?:es)?\b", "Box"),
    (r"\bsaas\b|\bsoftware\b|\bautomat", "Flow"),
    (r"\bapp\b|\bassistant\b|\bbot\b", "ly"),
)
