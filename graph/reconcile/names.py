"""Organisation names as the matcher compares them: folded, tokenised, stripped of what does not name.

``fold`` drops accents and case (as ``graph.search`` folds names for the index). ``key`` is the
comparison form of a name: its words, with the words that do not tell one organisation from
another left out (articles and prepositions in the languages ROR labels are in, a trailing legal
form such as SA, GmbH or Inc, a qualifier in brackets) and a few keywords spelt one way across
languages and abbreviations ("Université", "Univ." and "University" are one word), as ROR's
affiliation matching normalises its strings. ``segments`` cuts a name at its separators
(" - ", commas, semicolons): "Biomérieux SA - R&D Proteom" is an organisation, then a unit of it.

>>> key("bioMérieux SA")
'biomerieux'
>>> key("Commissariat à l'énergie atomique et aux énergies alternatives")
'commissariat energie atomique energies alternatives'
>>> key("Univ. of Washington") == key("Universidad de Washington")
True
>>> key("Thales (France)"), qualifiers("PRES Université Nantes Angers Le Mans [UNAM]")
('thales', ('UNAM',))
>>> key("National University of Singapore (acting through Duke-NUS Medical School)")
'national university singapore acting through duke nus medical school'
>>> key("UMI MajuLab"), key("UMR 5584")
('majulab', 'umr 5584')
>>> segments("Biomérieux SA - R&D Proteom")
('Biomérieux SA', 'R&D Proteom')
>>> is_unit("R&D Proteom"), is_unit("UMR 7266")
(True, False)
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["bare", "fold", "is_acronym", "is_unit", "key", "numbers", "qualifiers", "segments", "words"]


def _listed(text: str) -> tuple[str, ...]:
    """The words of a list written as one string (long lists of short words read better so)."""
    return tuple(text.split())


# Letters that Unicode does not decompose into a base letter and an accent (the last: the dotless i).
_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ħ": "h", "þ": "th", "\u0131": "i"}
)
_WORD = re.compile(r"[^\W_]+")
_BRACKETS = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]\s*")
_SEPARATORS = re.compile(r"\s+[-\u2013\u2014]\s+|\s*[,;]\s*")  # a hyphen, en or em dash between spaces
_RND = re.compile(r"\bR\s*&\s*D\b|\bR\s*\+\s*D\b", re.IGNORECASE)

# Words that join a name's words in the languages of ROR's labels: they tell no organisation apart.
STOPWORDS = frozenset(
    _listed(
        "a an and at au aux d da das de degli dei del della des di do dos du e en et for fur in l la le les "
        "of on the und van von y"
    )
)
# Legal forms, left out at the end of a name (or of its first segment): a company is one
# organisation whether its name carries its form or not.
LEGAL_FORMS = frozenset(
    _listed(
        "ab ag as asa bv co company corp corporation gmbh inc incorporated kg kk limited llc ltd nv oy plc pte pty "
        "sa sarl sas sasu se spa srl"
    )
)
# One spelling per keyword, across languages and abbreviations (ROR's matcher expands univ, inst, lab, tech).
_CANONICAL = {
    **dict.fromkeys(
        _listed("univ universite universitat universidad universita universiteit universitas"), "university"
    ),
    **dict.fromkeys(_listed("inst institut instituto istituto"), "institute"),
    **dict.fromkeys(_listed("lab labo laboratoire laboratorio laboratorium"), "laboratory"),
    **dict.fromkeys(_listed("centre centro zentrum ctr"), "center"),
    **dict.fromkeys(_listed("tech technol"), "technology"),
    "natl": "national",
    "dept": "department",
    "departement": "department",
    "rnd": "rnd",
}
QUALIFIER_WORDS = 2
# The kinds of French research units, written before a unit's name ("UMI MajuLab") or before its number.
DESIGNATIONS = frozenset(_listed("umr umi upr usr uar ums fre irl ea ur"))
_ROMAN = {
    numeral: str(value) for value, numeral in enumerate(_listed("i ii iii iv v vi vii viii ix x xi xii xiii"), start=1)
}
# Words of a unit inside an organisation: what follows an organisation's name in a sub-unit's.
UNIT_WORDS = frozenset(
    _listed(
        "rnd research department division service team equipe group groupe laboratory unit unite direction "
        "pole section branch platform plateforme"
    )
)


def fold(text: str) -> str:
    """Lower case, without accents (compatibility decomposition), "R&D" kept as one word.

    >>> fold("Đại học Đà Nẵng, Gjøvik")
    'dai hoc da nang, gjovik'
    """
    text = _RND.sub(" rnd ", text)
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.lower().translate(_LETTERS)


def words(text: str) -> list[str]:
    """The folded words of ``text``, keywords in their one spelling, joining words kept, and a roman
    numeral after a word of the name written in digits ("Lyon I" is "Lyon 1"; "l'X" stays "x").

    >>> words("Université Lumière Lyon II"), words("l'X")
    (['university', 'lumiere', 'lyon', '2'], ['l', 'x'])
    """
    found = [_CANONICAL.get(word, word) for word in _WORD.findall(fold(text))]
    for i in range(1, len(found)):
        if found[i] in _ROMAN and found[i - 1] not in STOPWORDS:
            found[i] = _ROMAN[found[i]]
    return found


def qualifiers(name: str) -> tuple[str, ...]:
    """What a name holds in brackets: an acronym, a city, a country or a code ("[UNAM]", "(France)")."""
    return tuple(found.strip() for found in _BRACKETS.findall(name) if found.strip())


def bare(name: str) -> str:
    """The name without what it holds in brackets ("IPAL (Image and Pervasive Access Lab)": "IPAL")."""
    return " ".join(_BRACKETS.sub(" ", name).split())


def _short_qualifiers_out(name: str) -> str:
    """The name without its short qualifiers (an acronym, a city, a country: two words at most); a
    longer one ("acting through Duke-NUS Medical School") tells records apart, and stays."""
    return _BRACKETS.sub(lambda found: " " if len(found[1].split()) <= QUALIFIER_WORDS else f" {found[1]} ", name)


@lru_cache(maxsize=200_000)
def key(name: str) -> str:
    """The comparison form of a name (see the module docstring); empty for a name of joining words only."""
    found = [word for word in words(_short_qualifiers_out(name)) if word not in STOPWORDS]
    while len(found) > 1 and found[-1] in LEGAL_FORMS:
        found.pop()
    if len(found) > 1 and found[0] in DESIGNATIONS and not found[1].isdigit():
        found.pop(0)  # "UMI MajuLab" is MajuLab; "UMR 5584" stays a name
    return " ".join(found)


def segments(name: str) -> tuple[str, ...]:
    """The parts of a name between its separators (a hyphen inside a word, Aix-Marseille, is none)."""
    return tuple(part.strip() for part in _SEPARATORS.split(bare(name)) if part.strip())


def is_unit(text: str) -> bool:
    """Whether ``text`` names a unit of an organisation: it holds a word such as R&D, department or team."""
    return any(word in UNIT_WORDS for word in words(text))


def numbers(text: str) -> frozenset[str]:
    """The numbers in a name ("Lyon 1", "Aix-Marseille 2"): two names with different ones are two bodies.

    >>> sorted(numbers("Université Paris 6 - UMR 7606")), sorted(numbers("Université Lyon I"))
    (['6', '7606'], ['1'])
    """
    return frozenset(word for word in words(bare(text)) if word.isdigit())


def is_acronym(text: str) -> bool:
    """A name written as an acronym: one word of capitals (and digits), such as ANSES or INSA.

    >>> is_acronym("ANSES"), is_acronym("Inria"), is_acronym("LE2S")
    (True, False, True)
    """
    stripped = text.strip()
    return 2 <= len(stripped) <= 12 and " " not in stripped and stripped.isupper()
