"""Instruments against co-publications (``graph.analytics.instruments``), figures worked out by hand.

Records: the bundled dataset (its instruments, from ``data/cnrs``: IRP NatProLab, active 2019-2022,
between the CNRS lab ICSN and Universiti Malaya; IRP CHIRACHEM, 2022-2026, two CNRS labs and
VISTEC; IRL IPAL...; its works are of 2014 and 2018), and works generated here in the shape of
``loaders.openalex.synthetic`` between real institutions of the bundled ROR records (its
``institution_pool``), marked synthetic. With them the years of data run from 2014 to 2023.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph import BadArgument, OxigraphStore
from graph.analytics.instruments import (
    CNRS,
    Phase,
    Span,
    data_years,
    dormant_instruments,
    instrument_copublications,
    read_instruments,
)
from graph.links import index_of
from graph.writing import write_sources
from loaders import load_path
from ontology import KG, iris
from tests.conftest import copy_store
from tests.graph.test_profile import institution, work

ICSN = institution("02st4q439")  # Institut de Chimie des Substances Naturelles, a CNRS lab (NatProLab)
MALAYA = institution("00rzspn62")  # Universiti Malaya (NatProLab's partner)
CIRIMAT = institution("03xhggy77")  # another CNRS lab, not party to NatProLab
ISCR = institution("00adwkx90")  # CHIRACHEM's two CNRS labs
ISM = institution("00r8jkk54")
VISTEC = institution("053jehz60")  # CHIRACHEM's partner
NUS = institution("01tgyzw49")  # National University of Singapore (IRL IPAL, BMC2, MajuLab)
TIMA = institution("000063q30")  # a CNRS lab
CERMAV = institution("0003ege03")  # another
DA_NANG = institution("001ydh096")  # Viet Nam, in no instrument
IAL = institution("00zkh3g95")  # Institute for Adult Learning, Singapore, in no instrument
CATANDUANES = institution("0013qa018")  # Catanduanes State University, the Philippines: no instrument there

WORKS = [
    work(1, 2016, [ICSN], [MALAYA]),  # NatProLab before its span: ICSN-Malaya 1, fractional 1/(2-1) = 1
    work(2, 2019, [ICSN], [MALAYA]),  # during: 1, 1
    work(3, 2019, [ICSN], [MALAYA], [NUS]),  # during: 1, 1/(3-1) = 0.5
    work(4, 2021, [ICSN, MALAYA]),  # during, one authorship with both: 1, 1
    work(5, 2023, [ICSN], [MALAYA]),  # after: 1, 1
    work(6, 2021, [CIRIMAT], [MALAYA]),  # the CNRS and Malaya, but not NatProLab's lab
    work(7, 2022, [TIMA], [NUS]),  # the CNRS (rolled up) and NUS: IPAL, BMC2, MajuLab
    work(8, 2022, [ISCR], [ISM], [VISTEC]),  # CHIRACHEM: ISCR-VISTEC and ISM-VISTEC, each 1 and 1/2
    work(9, 2020, [TIMA], [DA_NANG]),
    work(10, 2022, [TIMA], [DA_NANG]),
    work(11, 2023, [CERMAV], [DA_NANG], [IAL]),  # the CNRS with Da Nang and IAL, each 1 and 1/2
    work(12, 2021, [TIMA], [CATANDUANES]),
]

NATPROLAB = iris.ID + "instrument/irp-natprolab"
CHIRACHEM = iris.ID + "instrument/irp-chirachem"


def org(item: dict[str, Any]) -> str:
    return iris.ror_org(item["ror"]).value


def generated_store(bundled_store_path: Path, target: Path) -> Path:
    """A copy of the bundled store with ``WORKS`` loaded."""
    path = copy_store(bundled_store_path, target / "store")
    works = target / "works.jsonl"
    works.write_text("".join(json.dumps(w) + "\n" for w in WORKS), encoding="utf-8")
    with OxigraphStore(path) as store:
        write_sources(store, load_path(works, "openalex"))
    return path


@pytest.fixture(scope="module")
def store(bundled_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = generated_store(bundled_store_path, tmp_path_factory.mktemp("instruments"))
    with OxigraphStore(path, read_only=True) as opened:
        yield opened


def test_the_sides_of_the_bundled_instruments(bundled: OxigraphStore) -> None:
    """IRP NatProLab: its CNRS lab (ICSN) is its side; IRL IPAL names the CNRS itself, so the CNRS as
    a whole; CHIRACHEM has two CNRS labs; the CNRS is never a partner."""
    found = read_instruments(bundled)
    assert (found[NATPROLAB].cnrs_side, found[NATPROLAB].partners) == ([org(ICSN)], [org(MALAYA)])
    ipal = found[iris.ID + "instrument/irl-ipal"]
    assert ipal.cnrs_side == [CNRS]
    assert CNRS not in ipal.partners
    assert org(NUS) in ipal.partners
    assert sorted(found[CHIRACHEM].cnrs_side) == sorted([org(ISCR), org(ISM)])
    assert found[NATPROLAB].span() == Span(2019, 2022)  # start 2019, end 2022
    assert ipal.span() == Span(2007, None)  # UMI since 2007-01, no end: open
    assert found[iris.ID + "instrument/irp-focomat"].span() == Span(None, None)  # no date at all


def test_phases_of_natprolab_by_hand(store: OxigraphStore) -> None:
    """Years of data 2014-2023 (bundled 2014 and 2018, generated to 2023). Span 2019-2022.
    Before, 2014-2018 (5 years): work 1: full 1, fractional 1: 0.2 a year each.
    During, 2019-2022 (4 years): works 2, 3, 4: full 3, fractional 1 + 0.5 + 1 = 2.5: 0.75 and 0.625.
    After, 2023 (1 year): work 5: 1 and 1. Work 6 is the CNRS's through another lab: not counted."""
    assert data_years(index_of(store)) == (2014, 2023)
    (found,) = instrument_copublications(store, NATPROLAB)
    assert (found.partner, found.cnrs_side, found.span) == (org(MALAYA), [org(ICSN)], Span(2019, 2022))
    assert found.per_year == {2016: (1.0, 1.0), 2019: (2.0, 1.5), 2021: (1.0, 1.0), 2023: (1.0, 1.0)}
    assert found.phases is not None
    before, during, after = found.phases.before, found.phases.during, found.phases.after
    assert before == Phase(2014, 2018, 1.0, 1.0)
    assert (before.years, before.rate(), before.rate(fractional=True)) == (5, 0.2, 0.2)
    assert during == Phase(2019, 2022, 3.0, 2.5)
    assert (during.years, during.rate(), during.rate(fractional=True)) == (4, 0.75, 0.625)
    assert after == Phase(2023, 2023, 1.0, 1.0)
    assert (after.years, after.rate()) == (1, 1.0)


def test_several_labs_on_the_side_add_their_ties(store: OxigraphStore) -> None:
    """CHIRACHEM (2022-2026, open past the data): work 8 ties ISCR and ISM each to VISTEC, 1 (full)
    and 1/(3-1) (fractional): the side's figures are 2 and 1. Nothing before; after: no year of data."""
    (found,) = instrument_copublications(store, CHIRACHEM)
    assert found.per_year == {2022: (2.0, 1.0)}
    assert found.phases is not None
    assert found.phases.before == Phase(2014, 2021, 0.0, 0.0)
    assert found.phases.during == Phase(2022, 2023, 2.0, 1.0)
    assert (found.phases.during.rate(), found.phases.after.years, found.phases.after.rate()) == (1.0, 0, None)


def test_an_undated_instrument_has_no_phases(store: OxigraphStore) -> None:
    (found,) = instrument_copublications(store, iris.ID + "instrument/irp-focomat")
    assert found.span == Span(None, None)
    assert found.phases is None


def test_an_unknown_instrument_is_refused(store: OxigraphStore) -> None:
    with pytest.raises(BadArgument, match="is not a cooperation instrument"):
        instrument_copublications(store, iris.ID + "instrument/irl-nowhere")


def test_dormant_instruments_by_hand(store: OxigraphStore) -> None:
    """The last 3 years of data: 2021-2023. Active over all of them, with partners: the agreements
    with NTU (2005), TRF (2000), VASS (2001) and VAST (1983), IRLs BMC2 (2014), CINTRA (2009),
    IPAL (2007) and MajuLab (2014), UMIFRE IRASEC (2001). Not: NatProLab (ended 2022), CHIRACHEM,
    FVMA and HealthDEEP (started 2022, 2023, 2023: too young), BRIN (2024). Work 7 (2022) ties the
    CNRS with NUS, partner of BMC2, IPAL and MajuLab: 1 each; the others have none."""
    fewer_than_one = [d.instrument.rsplit("/", 1)[1] for d in dormant_instruments(store, min_works=1, years=3)]
    assert fewer_than_one == [
        "agreement-ntu",
        "agreement-trf",
        "agreement-vass",
        "agreement-vast",
        "irl-cintra",
        "umifre-irasec",
    ]
    irls = dormant_instruments(store, min_works=2, years=3, kinds=[KG.IRL.value])
    assert [(d.instrument.rsplit("/", 1)[1], d.full, d.fractional) for d in irls] == [
        ("irl-cintra", 0.0, 0.0),
        ("irl-bmc2", 1.0, 1.0),
        ("irl-ipal", 1.0, 1.0),
        ("irl-majulab", 1.0, 1.0),
    ]
    assert (irls[0].first, irls[0].last) == (2021, 2023)
    with pytest.raises(BadArgument, match="years=0"):
        dormant_instruments(store, years=0)
