"""What to call an entity that no loaded source names.

An organisation that a record names as a parent, child or partner, or that a publication names in
an affiliation's lineage, may have no record of its own in the store: no ``skos:prefLabel`` nor
``rdfs:label``. Wherever a label is shown (GraphQL names, network nodes, exports, pages), it is
then ``fallback_label(iri)``: what the entity is and the identifier it is known by, so a reader
never takes a bare id such as ``05f82e368`` for a name, and can look it up in the registry named.
"""

from __future__ import annotations

from urllib.parse import unquote

from ontology.iris import ID

# Path prefixes under ``iris.ID`` (the longest first wins): what the entity is, and the
# registry its last segment comes from (None: a slug of this project's curated files).
_KINDS: tuple[tuple[str, str, str | None], ...] = (
    ("org/ror/", "organisation", "ROR"),
    ("org/openalex/", "organisation", "OpenAlex"),
    ("org/hal/", "organisation", "HAL structure"),
    ("org/", "organisation", None),
    ("country/", "country", "ISO 3166-1"),
    ("area/m49/", "area", "UN M49"),
    ("group/", "country group", None),
    ("instrument/", "instrument", None),
    ("office/", "office", None),
    ("work/doi/", "publication", "DOI"),
    ("work/openalex/", "publication", "OpenAlex"),
    ("work/hal/", "publication", "HAL"),
    ("dataset/", "data set", None),
)


def fallback_label(iri: str) -> str:
    """The label of an entity that has none: ``unnamed <what it is> (<registry> <identifier>)``.

    >>> fallback_label("https://w3id.org/cnrs-kg/id/org/ror/05f82e368")
    'unnamed organisation (ROR 05f82e368)'
    >>> fallback_label("https://w3id.org/cnrs-kg/id/org/openalex/I49663120")
    'unnamed organisation (OpenAlex I49663120)'
    >>> fallback_label("https://w3id.org/cnrs-kg/id/org/hal/441569")
    'unnamed organisation (HAL structure 441569)'
    >>> fallback_label("https://w3id.org/cnrs-kg/id/instrument/irl-ipal")
    'unnamed instrument (irl-ipal)'
    >>> fallback_label("https://w3id.org/cnrs-kg/id/work/doi/10.1000/abc%281%29")
    'unnamed publication (DOI 10.1000/abc(1))'
    >>> fallback_label("https://example.org/thing")
    'unnamed entity (https://example.org/thing)'
    """
    if iri.startswith(ID):
        path = iri[len(ID) :]
        for prefix, what, registry in _KINDS:
            if path.startswith(prefix) and len(path) > len(prefix):
                ident = unquote(path[len(prefix) :])
                return f"unnamed {what} ({registry} {ident})" if registry else f"unnamed {what} ({ident})"
    return f"unnamed entity ({iri})"
