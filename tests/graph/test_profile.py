"""The collaboration profile of ``graph.analytics.profile``, its figures worked out by hand.

Records: the OpenAlex work W2741809807 (``tests/fixtures/openalex``, CC0: eight institutions in the
United States and Canada, one a company), HAL TEI exports (``tests/fixtures/hal``, CC BY 4.0), and
works generated here in the shape of ``loaders.openalex.synthetic`` between real institutions of the
bundled ROR records (its ``institution_pool``: the CNRS, CNRS labs, partners), marked synthetic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph import BadArgument, OxigraphStore
from graph.analytics import KINDS, collaboration_profile
from graph.analytics.profile import INSTITUTIONAL, INTERNATIONAL, NATIONAL, SINGLE
from graph.explore.types import Counting, Window
from graph.links.network import trusted_index
from graph.links.table import unpack
from graph.writing import write_sources
from loaders import load_path
from loaders.openalex.synthetic import DOI_PREFIX, OPENALEX, institution_pool
from ontology import iris

ROOT = Path(__file__).resolve().parents[2]
HAL = ROOT / "tests" / "fixtures" / "hal"
WORK_2018 = ROOT / "tests" / "fixtures" / "openalex" / "W2741809807.json"
CNRS = iris.ror_org(iris.CNRS_ROR).value
FULL, FRACTIONAL = Counting.FULL, Counting.FRACTIONAL


def country(code: str) -> str:
    return iris.country(code).value


def institution(ror: str) -> dict[str, Any]:
    """An institution of the synthetic pool (real ROR records), by its ROR id."""
    pool = institution_pool()
    found = [i for i in (pool.cnrs, *pool.labs, *pool.partners) if i["ror"] == f"https://ror.org/{ror}"]
    assert len(found) == 1, ror
    return found[0]


def authorship(number: int, institutions: list[dict[str, Any]]) -> dict[str, Any]:
    name = f"Synthetic Author {number}"
    return {
        "author_position": "middle",
        "author": {"id": f"{OPENALEX}A9{number:09d}", "display_name": name, "orcid": None},
        "institutions": institutions,
        "countries": sorted({i["country_code"] for i in institutions if i["country_code"]}),
        "is_corresponding": False,
        "raw_author_name": name,
        "raw_affiliation_strings": [i["display_name"] for i in institutions],
    }


def work(number: int, year: int, *signatures: list[dict[str, Any]]) -> dict[str, Any]:
    """A synthetic work of ``year``, one authorship per signature (its institutions)."""
    authorships = [authorship(number * 100 + k, list(s)) for k, s in enumerate(signatures)]
    return {
        "id": f"{OPENALEX}W9{number:010d}",
        "doi": f"https://doi.org/{DOI_PREFIX}{number}",
        "title": f"Synthetic work {number}",
        "display_name": f"Synthetic work {number}",
        "publication_year": year,
        "publication_date": f"{year}-06-01",
        "type": "article",
        "cited_by_count": 0,
        "is_synthetic": True,
        "authorships": authorships,
        "countries_distinct_count": len({c for a in authorships for c in a["countries"]}),
        "institutions_distinct_count": len({i["id"] for a in authorships for i in a["institutions"]}),
    }


LAB_A = institution("000063q30")  # TIMA, a CNRS lab (its lineage names the CNRS)
LAB_B = institution("0003ege03")  # CERMAV, another
PARIS_1 = institution("002t25c44")  # Université Paris 1, French, not the CNRS's
SAINT_GOBAIN = institution("02fdb8q57")  # a French company
IAL = institution("00zkh3g95")  # Institute for Adult Learning, Singapore
DA_NANG = institution("001ydh096")  # University of Science and Technology, Da Nang, Viet Nam
CNRS_ITSELF = institution_pool().cnrs


def generated_store(tmp_path: Path) -> OxigraphStore:
    """Six works of 2020-2021 whose profile for the CNRS the tests below work out."""
    works = [
        work(1, 2020, [LAB_A], [IAL]),  # international; the CNRS's share 1/2 (A of A, IAL); SG
        work(2, 2020, [LAB_A], [PARIS_1]),  # national only, 1/2
        work(3, 2020, [LAB_A], [LAB_B]),  # institutional only, 2/2 = 1
        work(4, 2020, [LAB_A], [LAB_A]),  # single (two authors, one affiliation), 1
        work(5, 2021, [LAB_A, CNRS_ITSELF], [SAINT_GOBAIN]),  # national only, with a company, 2/3
        work(6, 2021, [LAB_B], [IAL], [DA_NANG]),  # international, 1/3; SG and VN
    ]
    path = tmp_path / "works.jsonl"
    path.write_text("".join(json.dumps(w) + "\n" for w in works), encoding="utf-8")
    store = OxigraphStore(None)
    write_sources(store, load_path(path, "openalex"))
    return store


def test_generated_works_full_counting_per_year_and_window(tmp_path: Path) -> None:
    """Full counting, each work 1. 2020: four works, one of each kind: 1/4 each. 2021: works 5
    (national) and 6 (international): 1/2 each; work 5 has a company partner: corporate 1/2.
    Over 2020-2021: 6 works, international 2/6, national 2/6, institutional 1/6, single 1/6."""
    profile = collaboration_profile(generated_store(tmp_path), CNRS)
    assert profile.countries == {country("FR")}
    rows = dict(profile.rows())
    assert rows[2020].shares(FULL) == {INTERNATIONAL: 0.25, SINGLE: 0.25, NATIONAL: 0.25, INSTITUTIONAL: 0.25}
    assert rows[2021].shares(FULL) == {INTERNATIONAL: 0.5, SINGLE: 0.0, NATIONAL: 0.5, INSTITUTIONAL: 0.0}
    assert (rows[2020].corporate_share(FULL), rows[2021].corporate_share(FULL)) == (0.0, 0.5)
    total = profile.total()
    assert total.works(FULL) == 6
    assert total.counts(FULL) == {INTERNATIONAL: 2, SINGLE: 1, NATIONAL: 2, INSTITUTIONAL: 1}
    # Partner countries: Singapore in works 1 and 6, Viet Nam in work 6.
    assert total.partner_countries(FULL) == [(country("SG"), 2), (country("VN"), 1)]
    assert total.without_country == 0


def test_generated_works_fractional_counting(tmp_path: Path) -> None:
    """Fractional counting, the CNRS's share of each work's affiliations (its labs and itself).
    2020: 1/2 + 1/2 + 1 + 1 = 3; international (1/2)/3 = 1/6, national 1/6, institutional 1/3,
    single 1/3. 2021: 2/3 + 1/3 = 1; national (work 5) 2/3, international (work 6) 1/3, corporate
    (work 5) 2/3. Partner countries: Singapore 1/2 (work 1, its one foreign country) + (1/3)/2
    (work 6, two foreign countries) = 2/3, Viet Nam 1/6: together the international works, 5/6."""
    profile = collaboration_profile(generated_store(tmp_path), CNRS)
    rows = dict(profile.rows())
    assert rows[2020].works(FRACTIONAL) == pytest.approx(3)
    expected_2020 = {INTERNATIONAL: 1 / 6, SINGLE: 1 / 3, NATIONAL: 1 / 6, INSTITUTIONAL: 1 / 3}
    assert rows[2020].shares(FRACTIONAL) == pytest.approx(expected_2020)
    expected_2021 = {INTERNATIONAL: 1 / 3, SINGLE: 0, NATIONAL: 2 / 3, INSTITUTIONAL: 0}
    assert rows[2021].shares(FRACTIONAL) == pytest.approx(expected_2021)
    assert rows[2021].corporate_share(FRACTIONAL) == pytest.approx(2 / 3)
    countries = dict(profile.total().partner_countries(FRACTIONAL))
    assert countries == pytest.approx({country("SG"): 2 / 3, country("VN"): 1 / 6})
    assert sum(countries.values()) == pytest.approx(profile.total().counts(FRACTIONAL)[INTERNATIONAL])


def test_the_four_shares_sum_to_one_each_year_in_either_counting(tmp_path: Path) -> None:
    profile = collaboration_profile(generated_store(tmp_path), CNRS)
    for _, tally in profile.rows():
        for counting in Counting:
            assert set(tally.shares(counting)) == set(KINDS)
            assert sum(tally.shares(counting).values()) == pytest.approx(1.0)


def test_a_window_keeps_its_years_only(tmp_path: Path) -> None:
    """2021 alone: works 5 and 6, as the 2021 row says; 2022 on: nothing, every share 0."""
    profile = collaboration_profile(generated_store(tmp_path), CNRS)
    assert [year for year, _ in profile.rows(Window(2021, None))] == [2021]
    window = profile.total(Window(2021, 2021))
    assert window.counts(FULL) == {INTERNATIONAL: 1, SINGLE: 0, NATIONAL: 1, INSTITUTIONAL: 0}
    assert window.partner_countries(FULL) == [(country("SG"), 1), (country("VN"), 1)]
    empty = profile.total(Window(2022, None))
    assert empty.works(FULL) == 0
    assert empty.shares(FULL) == dict.fromkeys(KINDS, 0.0)


def test_a_body_other_than_the_cnrs_and_a_company_partner_on_a_real_record() -> None:
    """W2741809807 (2018), eight affiliations in the United States and Canada. For Simon Fraser
    University (Canada), its affiliations are SFU and its own Public Knowledge Project (under SFU in
    the work's OpenAlex lineage): SFU's share 2/8 = 1/4; the United States make it
    international; Impact Technology Development (a company) makes it academic-corporate. For that
    company itself (United States): 1/8, Canada the partner country, and no company partner."""
    store = OxigraphStore(None)
    write_sources(store, load_path(WORK_2018, "openalex"))
    sfu = collaboration_profile(store, iris.ror_org("0213rcc28").value)
    assert sfu.countries == {country("CA")}
    (year, tally), *_ = sfu.rows()
    assert (year, tally.counts(FULL)[INTERNATIONAL], tally.counts(FRACTIONAL)[INTERNATIONAL]) == (2018, 1, 0.25)
    assert (tally.corporate_share(FULL), tally.corporate[FRACTIONAL]) == (1.0, 0.25)
    assert tally.partner_countries(FULL) == [(country("US"), 1)]

    impact = collaboration_profile(store, iris.ror_org("05ppvf150").value).total()
    assert impact.counts(FRACTIONAL)[INTERNATIONAL] == 0.125
    assert impact.corporate[FULL] == 0
    assert impact.partner_countries(FULL) == [(country("CA"), 1)]


def test_hal_records_through_the_dated_hierarchy() -> None:
    """The CNRS on three HAL records of 2014 (tests/graph/test_counting_rules.py describes them):
    hal-01149835, HIPERCOM2 (Inria) with LIX and IRCCyN (both under the CNRS): national only, 2/3;
    hal-01213935, Le2i (CNRS) with the Norwegian Colour Lab: international, 1/2, Norway;
    hal-00719737, LMFA with MSNMGP, whose only parent in 2014 is the CNRS: institutional only, 1."""
    store = OxigraphStore(None)
    names = ("hal-01149835_affil_researchTeam.xml", "hal-01213935.xml", "hal-00719737.xml")
    write_sources(store, [data for name in names for data in load_path(HAL / name, "hal")])
    tally = collaboration_profile(store, CNRS).total()
    assert tally.counts(FULL) == {INTERNATIONAL: 1, SINGLE: 0, NATIONAL: 1, INSTITUTIONAL: 1}
    assert tally.counts(FRACTIONAL) == pytest.approx(
        {INTERNATIONAL: 1 / 2, SINGLE: 0, NATIONAL: 2 / 3, INSTITUTIONAL: 1}
    )
    assert tally.partner_countries(FULL) == [(country("NO"), 1)]


def test_the_bundled_store_profile_of_the_cnrs(bundled: OxigraphStore) -> None:
    """The bundled works of the CNRS: in 2014 the three HAL records above, plus cea-00991452, national
    only (its three affiliations in France, one of them the CNRS's): 1 international, 2 national, 1
    institutional; in 2015 one work with one affiliation, single."""
    profile = collaboration_profile(bundled, CNRS)
    rows = dict(profile.rows())
    assert rows[2014].counts(FULL) == {INTERNATIONAL: 1, SINGLE: 0, NATIONAL: 2, INSTITUTIONAL: 1}
    assert rows[2015].counts(FULL) == {INTERNATIONAL: 0, SINGLE: 1, NATIONAL: 0, INSTITUTIONAL: 0}


def test_a_body_without_a_country_is_refused_in_one_line() -> None:
    store = OxigraphStore(None)
    write_sources(store, load_path(WORK_2018, "openalex"))
    with pytest.raises(BadArgument, match=r"^of: \S+ has no country in this store.*give an institution") as caught:
        collaboration_profile(store, iris.openalex_org("I49663120").value)  # the Université du Québec, no country
    assert "\n" not in str(caught.value)


def test_a_load_makes_the_next_profile_anew(tmp_path: Path) -> None:
    """The profile is kept between calls, until a write: W2741809807 loaded after the generated
    works adds no work of the CNRS, hal-01213935 (2014, international) adds one."""
    store = generated_store(tmp_path)
    before = collaboration_profile(store, CNRS)
    assert collaboration_profile(store, CNRS) is before
    write_sources(store, load_path(WORK_2018, "openalex"))
    assert collaboration_profile(store, CNRS).total().works(FULL) == 6
    write_sources(store, load_path(HAL / "hal-01213935.xml", "hal"))
    after = collaboration_profile(store, CNRS)
    assert [year for year, _ in after.rows()] == [2014, 2020, 2021]
    assert after.total().counts(FULL)[INTERNATIONAL] == 3


def assert_rows_are_what_the_works_give(store: OxigraphStore) -> int:
    """Every body's profile from the rows counted with the network equals a read of its works (the
    fractional figures up to the order of their sums); the number of bodies compared."""
    index = trusted_index(store)
    assert index is not None
    assert index.years.profiles is not None
    _, _, numbers, _ = unpack(index.years.profiles.keys)
    bodies = sorted({index.nodes.iris[number] for number in numbers.tolist()})
    for body in bodies:
        counted, read = collaboration_profile(store, body), collaboration_profile(store, body, from_works=True)
        assert [year for year, _ in counted.rows()] == [year for year, _ in read.rows()], body
        for (year, mine), (_, theirs) in zip(counted.rows(), read.rows(), strict=True):
            assert mine.counts(FULL) == theirs.counts(FULL), (body, year)
            assert mine.counts(FRACTIONAL) == pytest.approx(theirs.counts(FRACTIONAL)), (body, year)
            assert mine.corporate == pytest.approx(theirs.corporate), (body, year)
            assert mine.without_country == theirs.without_country, (body, year)
            for counting in Counting:
                assert dict(mine.countries[counting]) == pytest.approx(dict(theirs.countries[counting])), (body, year)
    return len(bodies)


def test_the_rows_counted_at_load_are_what_a_read_of_every_work_gives(tmp_path: Path) -> None:
    """The generated works, W2741809807 (a company among its partners) and the HAL records: for every
    body with works, the profile counted with the network is the profile read from the works."""
    store = generated_store(tmp_path)
    write_sources(store, load_path(WORK_2018, "openalex"))
    write_sources(store, [data for record in sorted(HAL.glob("*.xml")) for data in load_path(record, "hal")])
    assert assert_rows_are_what_the_works_give(store) >= 10
    assert collaboration_profile(store, CNRS).total().corporate[FULL] == 1  # work 5, with Saint-Gobain


def test_a_replaced_source_takes_its_old_works_out_of_the_rows(tmp_path: Path) -> None:
    """The generated works loaded again without works 1 and 6 and with a new one (international with
    Da Nang, 2021): the increment takes the old works away and adds the new, as a read does."""
    store = generated_store(tmp_path)
    path = tmp_path / "works.jsonl"
    gone = {work(number, 2020)["id"] for number in (1, 6)}
    kept = [line for line in path.read_text(encoding="utf-8").splitlines() if json.loads(line)["id"] not in gone]
    kept.append(json.dumps(work(7, 2021, [LAB_B], [DA_NANG])))
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    write_sources(store, load_path(path, "openalex"))
    assert_rows_are_what_the_works_give(store)
    total = collaboration_profile(store, CNRS).total()
    assert total.counts(FULL) == {INTERNATIONAL: 1, SINGLE: 1, NATIONAL: 2, INSTITUTIONAL: 1}
    assert dict(total.countries[FULL]) == {country("VN"): 1}


def test_the_bundled_rows_are_what_a_read_of_every_work_gives(bundled: OxigraphStore) -> None:
    assert assert_rows_are_what_the_works_give(bundled) >= 40
