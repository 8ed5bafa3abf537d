"""``api.refs``: every spelling of an entity names the same IRI, on the bundled store, in one query."""

from __future__ import annotations

import base64

import pyoxigraph as ox
import pytest

from api import refs
from graph import BadArgument, OxigraphStore
from ontology import KG, iris
from tests.counting import CountingQueryable

CNRS = iris.ror_org("02feahw73").value
VIET_NAM = iris.country("VN").value
PEERJ = iris.work_doi("10.7717/peerj.4375").value  # an OpenAlex work of the bundled publications
UNKNOWN_ROR = "0abcdef23"  # the shape and check digits of a ROR id, but no organisation of the store


def global_id(type_name: str, iri: str) -> str:
    return base64.b64encode(f"{type_name}:{iri}".encode()).decode()


@pytest.fixture
def store(bundled: OxigraphStore) -> CountingQueryable:
    return CountingQueryable(bundled)


FORMS = {
    CNRS: [
        CNRS,
        global_id("Institution", CNRS),
        "CNRS",
        "cnrs",
        " CNRS ",
        "02feahw73",
        "02FEAHW73",
        "ror:02feahw73",
        "https://ror.org/02feahw73",
        "http://ror.org/02feahw73",
        "I1294671590",
        "i1294671590",
        "https://openalex.org/I1294671590",
        "hal:441569",
        "441569",
    ],
    VIET_NAM: [VIET_NAM, global_id("Country", VIET_NAM), "VN", "vn", "VNM", "vnm", "country:VN", "country:vnm"],
    PEERJ: [
        "10.7717/peerj.4375",
        "10.7717/PEERJ.4375",
        "doi:10.7717/peerj.4375",
        "https://doi.org/10.7717/peerj.4375",
        "W2741809807",
        "https://openalex.org/W2741809807",
    ],
    iris.instrument("irl-ipal").value: ["instrument:irl-ipal", "irl-ipal", "IRL-IPAL"],
    iris.country_group("asean").value: ["group:asean", "ASEAN", "asean"],
    iris.m49_area("035").value: ["region:035", "region:35", "area:035"],
}


@pytest.mark.parametrize("iri", sorted(FORMS))
def test_every_form_of_an_entity_names_its_iri_in_one_query(store: CountingQueryable, iri: str) -> None:
    found = refs.resolve(store, [refs.parse(text) for text in FORMS[iri]])
    assert found == [iri] * len(FORMS[iri])
    assert len(store.queries) == 1


def test_a_hal_structure_without_a_ror_id_is_its_own_node(store: CountingQueryable) -> None:
    # bioMérieux SA: no ROR record in the store to match it with
    assert refs.resolve(store, [refs.parse("hal:305848")]) == [iris.hal_org("305848").value]


@pytest.mark.parametrize(
    "text",
    [
        UNKNOWN_ROR,
        f"ror:{UNKNOWN_ROR}",
        f"https://ror.org/{UNKNOWN_ROR}",
        "ZZ",
        "ZZZ",
        "country:ZZ",
        "hal:999999999",
        "I1",
        "10.1234/nothing",
        "https://example.org/nothing",
        "instrument:irl-nowhere",
        global_id("Institution", "https://example.org/nothing"),
    ],
)
def test_a_reference_to_nothing_in_the_store_is_an_error_naming_it(store: CountingQueryable, text: str) -> None:
    with pytest.raises(BadArgument) as raised:
        refs.resolve(store, [refs.parse("CNRS"), refs.parse(text, "of")])
    assert str(raised.value).startswith(f"of: {text!r} names nothing in this store; ")
    assert refs.lookup(store, [refs.parse(text)]) == [None]


def test_https_ror_org_is_the_cnrs_not_the_registry_page_the_store_mentions(store: CountingQueryable) -> None:
    """The store holds ``<https://ror.org/02feahw73>`` as the object of ``schema:sameAs``: taken as a
    node IRI, it made a one-node network of the page."""
    result = store.query("ASK { ?cnrs ?sameAs <https://ror.org/02feahw73> }")
    assert isinstance(result, ox.QueryBoolean)
    assert bool(result)
    assert refs.resolve(store, [refs.parse("https://ror.org/02feahw73")]) == [CNRS]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("02feahw74", "is not a ROR id: its check digits would be 73, not 74"),
        ("ror:02feahw7", "is not a ROR id (0, six characters"),
        ("ror:0000000xx", "is not a ROR id (0, six characters"),
        ("https://ror.org/02feahw", "is not a ROR id"),
        ("country:Viet Nam", "names no entity"),
        ("hal:CNRS", "names no entity"),
        ("", "names no entity"),
        ("https://example.org/a b", "is not a valid IRI"),
    ],
)
def test_a_malformed_reference_is_refused_before_any_query(text: str, says: str) -> None:
    with pytest.raises(BadArgument) as raised:
        refs.parse(text, "seeds")
    message = str(raised.value)
    assert message.startswith(f"seeds: {text!r} ")
    assert says in message
    assert "\n" not in message


def test_user_text_enters_the_query_only_as_checked_terms(store: CountingQueryable) -> None:
    hostile = '10.1234/x"}}SELECT*WHERE{?s?p?o}#'
    assert refs.lookup(store, [refs.parse(hostile), refs.parse("hal:441569")]) == [None, CNRS]
    (asked,) = store.queries
    assert hostile not in asked
    assert "SELECT*WHERE" not in asked
    assert '"441569"' in asked  # the identifier, as a literal term


def test_the_check_digits_of_every_ror_id_in_the_bundled_data(bundled: OxigraphStore) -> None:
    result = bundled.query(f"SELECT DISTINCT ?id WHERE {{ ?org {KG.rorId} ?id }}")
    assert isinstance(result, ox.QuerySolutions)
    ids = [row["id"].value for row in result if row["id"] is not None]
    assert len(ids) > 2000
    for ror in ids:
        assert refs.parse(ror).iris == (iris.ror_org(ror),), ror


def test_resolving_reads_its_references_only_when_asked(store: CountingQueryable) -> None:
    lazy = refs.resolving(store, ["ror:02feahw73", "VN"])
    assert store.queries == []
    assert list(lazy) == [CNRS, VIET_NAM]
    assert len(store.queries) == 1


def test_nothing_to_resolve_asks_nothing(store: CountingQueryable) -> None:
    assert refs.resolve(store, []) == []
    assert store.queries == []


@pytest.mark.parametrize(
    ("text", "iri"),
    [
        ("Centre national de la recherche scientifique", CNRS),
        ("centre national de la recherche scientifique", CNRS),
        ("Viet Nam", VIET_NAM),
        ("Vietnam", VIET_NAM),
        ("Mahidol University", iris.ror_org("01znkr924").value),
    ],
)
def test_an_exact_name_names_its_one_entity(store: CountingQueryable, text: str, iri: str) -> None:
    assert refs.resolve(store, [refs.parse(text)]) == [iri]


def test_a_name_several_entities_bear_is_refused_naming_them(store: CountingQueryable) -> None:
    with pytest.raises(BadArgument) as raised:
        refs.resolve(store, [refs.parse("Association of Southeast Asian Nations", "of")])
    message = str(raised.value)
    assert message.startswith("of: 'Association of Southeast Asian Nations' is the name of 2 entities")
    assert iris.country_group("asean").value in message
    assert message.endswith("give one's IRI or ROR id")


def test_a_name_no_entity_bears_exactly_names_nothing(store: CountingQueryable) -> None:
    with pytest.raises(BadArgument) as raised:
        refs.resolve(store, [refs.parse("Centre national")])
    assert str(raised.value).startswith("seeds: 'Centre national' names nothing in this store")


def test_an_organisation_matched_with_ror_is_named_by_its_ror_node(store: CountingQueryable) -> None:
    """HAL's CEA (structure 300016, no ROR id in HAL) is matched by the reconciliation with its ROR
    record, under which the network counts it: a reference to it names the ROR node."""
    assert refs.resolve(store, [refs.parse("hal:300016")]) == [iris.ror_org("00jjx8s55").value]
