"""When two company rows are the same company: one rule for the app and both services.

The app's import dedupe (marketnav/services/company_import), the services' merge of an
organisation's imports (`company_imports.py`) and the named-competitor lookup
(`CompanyIndex.find_named`) all decide identity with these functions; the app imports them
through `contracts.py`.

- `website_domain`: the website's host, lower case, without `www.`, port, path or query;
  "" when there is no dotted host (a bare word such as "TBD" is no website).
- `company_name_key`: case, accents, punctuation and spaces removed, and trailing *legal
  forms* dropped ("Acme, Inc." / "ACME GmbH" / "Acme S.A." / "acme" -> "acme";
  "Project 44" == "project44"). Words that name a different business are kept: "Planet
  Labs", "Acme Technologies", "Acme Group", "Acme Holdings" and "The Honest Company" are not
  "Planet", "Acme" or "The Honest" (a false merge mixes two companies' facts; a missed one
  leaves two rows, and the website domain, checked first, catches most of those).
- `IdentityIndex`: rows are the same company when their website domains are equal, else when
  their name keys are equal unless both have websites on different domains ("Acme" on
  acme.com and "Acme" on acme.io are two companies).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Generic, TypeVar
from urllib.parse import urlsplit

K = TypeVar("K")

# Legal forms, dropped only at the end of a name (repeatedly: "GmbH & Co. KG", "Pvt. Ltd.").
LEGAL_FORMS = frozenset(
    {
        "inc", "incorporated", "corp", "corporation", "co", "ltd", "limited", "llc", "llp",
        "plc", "pllc", "gmbh", "mbh", "ag", "kg", "ug", "se", "sa", "sas", "sarl", "srl", "sl",
        "bv", "nv", "oy", "oyj", "ab", "as", "asa", "aps", "pte", "pty", "pvt", "private",
        "ltda", "bhd", "sdn", "kk",
    }
)  # fmt: skip
# A dot inside a word joins ("99.co" is not "99 Co", "S.A." is "SA"); "A/S", "S/A" are one word.
_INNER_DOT = re.compile(r"(?<=[^\W_])\.(?=[^\W_])")
_SLASHED = re.compile(r"(?<![^\W_])([^\W\d_])/([^\W\d_])(?![^\W_])")
_WORD = re.compile(r"[^\W_]+")


def company_name_key(name: str) -> str:
    """The identity key of a company name ("" only for a name without a letter or digit)."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _SLASHED.sub(r"\1\2", _INNER_DOT.sub("", text))
    words = _WORD.findall(text)
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return "".join(words)


def website_domain(link: str | None) -> str:
    """'HTTPS://WWW.Acme.com:443/about?x' / 'acme.com' -> 'acme.com'; '' without a dotted host."""
    if not link or not link.strip():
        return ""
    value = link.strip()
    if "://" not in value:
        value = "https://" + value.lstrip("/")
    try:
        host = urlsplit(value).hostname or ""
    except ValueError:  # "http://[broken" and the like
        return ""
    host = host.casefold().rstrip(".").removeprefix("www.")
    return host if "." in host.strip(".") else ""


class IdentityIndex(Generic[K]):
    """The entries seen so far, by domain and by name key: `match` a row, then `add` it."""

    def __init__(self) -> None:
        self._by_domain: dict[str, K] = {}
        self._by_name: dict[str, K] = {}
        self._domain_of: dict[K, str] = {}

    def match(self, website: str | None, name: str) -> K | None:
        """The entry this row is the same company as, else None."""
        domain = website_domain(website)
        if domain and domain in self._by_domain:
            return self._by_domain[domain]
        key = self._by_name.get(company_name_key(name))
        if key is not None and domain and self._domain_of.get(key, domain) != domain:
            return None  # the same name on another website: another company
        return key

    def add(self, key: K, website: str | None, name: str) -> None:
        """Record a row as (part of) entry `key`; the first name and domain seen keep theirs."""
        domain = website_domain(website)
        if domain:
            self._by_domain.setdefault(domain, key)
            self._domain_of.setdefault(key, domain)
        name_key = company_name_key(name)
        if name_key:
            self._by_name.setdefault(name_key, key)


# "Wellhub, formerly Gympass, ..." / "formerly called MessageBird" / "previously known as X":
# a founder who names the old brand means the same company.
_FORMER_NAME = re.compile(
    r"\b(?:formerly|previously|rebranded from)(?:\s+(?:called|known\s+as|named))?\s+"
    r"([\w][\w.&'\u2019-]*(?:\s+(?:[A-Z0-9][\w.&'\u2019-]*|[Bb]y|[Oo]f))*)"
)


def former_names(text: str) -> list[str]:
    """The earlier names a description gives ('..., formerly Gympass, ...' -> ['Gympass'])."""
    names = []
    for match in _FORMER_NAME.finditer(text or ""):
        name = re.sub(r"(?:\s+(?:[Bb]y|[Oo]f))+$", "", match.group(1)).rstrip(".'\u2019")
        if name and name[0].isalnum():
            names.append(name)
    return names
