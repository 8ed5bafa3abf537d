"""The closed vocabularies of the schema, each value naming its ``kg:`` term (or its plain meaning).

``Counting`` and ``EdgeType`` are ``graph.explore``'s enums themselves, declared to strawberry here.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TypeVar

import strawberry

from graph.explore.types import Counting as Counting
from graph.explore.types import EdgeType as EdgeType
from graph.explore.types import Level as Level

KG_NS = "https://w3id.org/cnrs-kg/ontology#"
E = TypeVar("E", bound=Enum)


def from_iris(enum: type[E], iris: Iterable[str]) -> list[E]:
    """Members of ``enum`` whose value is the local name of a ``kg:`` IRI in ``iris``, in enum order."""
    names = {iri[len(KG_NS) :] for iri in iris if iri.startswith(KG_NS)}
    return [member for member in enum if member.value in names]


def to_iri(member: Enum) -> str:
    return KG_NS + str(member.value)


@strawberry.enum(description="Kinds of institutions, after the ROR organisation types.")
class OrganisationType(Enum):
    EDUCATION = "Education"
    FACILITY = "Facility"
    GOVERNMENT = "Government"
    FUNDER = "FunderType"
    COMPANY = "Company"
    HEALTHCARE = "Healthcare"
    NONPROFIT = "Nonprofit"
    ARCHIVE = "Archive"
    ACADEMY = "Academy"
    OTHER = "OtherType"


@strawberry.enum(description="What an institution is in the CNRS's world.")
class InstitutionCategory(Enum):
    RESEARCH_ORGANISATION = "ResearchOrganisation"
    RESEARCH_UNIT = "ResearchUnit"
    MIXED_RESEARCH_UNIT = "MixedResearchUnit"
    INTERNATIONAL_RESEARCH_LABORATORY = "InternationalResearchLaboratory"


@strawberry.enum(description="How a child institution belongs to its parent.")
class HierarchyRelation(Enum):
    SUPERVISING_BODY = "supervisingBody"
    PART_OF = "subOrganizationOf"
    UNIT_OF = "unitOf"


@strawberry.enum(description="The order of a list of institutions.")
class InstitutionOrder(Enum):
    NAME = "name"
    IRI = "iri"


@strawberry.enum(
    description="Kinds of CNRS cooperation instruments; UMI, LIA, GDRI and PICS are the names before the 2020s reform."
)
class InstrumentKind(Enum):
    IRL = "IRL"
    IRP = "IRP"
    IRN = "IRN"
    IEA = "IEA"
    AGREEMENT = "FrameworkAgreement"
    NETWORK = "ThematicNetwork"
    UMIFRE = "UMIFRE"
    UMI = "UMI"
    LIA = "LIA"
    GDRI = "GDRI"
    PICS = "PICS"


@strawberry.enum(description="Whether an instrument runs, as its source says.")
class InstrumentStatus(Enum):
    ACTIVE = "Active"
    ENDED = "Ended"
    UNKNOWN = "UnknownStatus"


@strawberry.enum(description="The part an institution plays in an instrument.")
class PartyRole(Enum):
    COORDINATOR = "Coordinator"
    PARTNER = "Partner"
    SUPERVISING_BODY = "SupervisingBodyRole"
    FUNDER = "Funder"
    UNIT = "concernsUnit"  # a laboratory the instrument establishes or involves, not a signing party


# graph.explore's own enums, exposed as they are: a resolver hands them to graph.explore unconverted.
strawberry.enum(
    Counting,
    name="Counting",
    description="How a co-publication counts: 1 for each, or 1/(n-1) shared among its n partners.",
)
strawberry.enum(EdgeType, name="EdgeType", description="Kinds of ties in the network.")
strawberry.enum(
    Level,
    name="NetworkLevel",
    description="What a network's nodes are: INSTITUTION (a country, region, group or instrument seed stands for "
    "its organisations), or COUNTRY (countries, tied by their co-publications).",
)


# The names of graph.exports.FORMATS (a test keeps them equal); called ExportFormat in the schema.
@strawberry.enum(name="ExportFormat", description="File formats of a network export (`/export/network.<suffix>`).")
class ExportFormatName(Enum):
    GEXF = "gexf"
    GRAPHML = "graphml"
    CYJS = "cyjs"
    GRAPHOLOGY = "graphology"
    VOSVIEWER = "vosviewer"
    VOSVIEWER_MAP = "vosviewer-map"
    VOSVIEWER_NETWORK = "vosviewer-network"
    CSV = "csv"


@strawberry.enum(description="Country groups.")
class CountryGroupKey(Enum):
    ASEAN = "asean"


@strawberry.enum(description="How a source qualifies a figure.")
class ValueQualifier(Enum):
    EXACTLY = "Exactly"
    ABOUT = "About"
    MORE_THAN = "MoreThan"
    AT_LEAST = "AtLeast"
    AT_MOST = "AtMost"


@strawberry.enum(description="What an indicator measures.")
class Measure(Enum):
    MISSIONS = "missionCount"
    PHD_STUDENTS = "phdStudentCount"
    COPUBLICATION_SHARE = "copublicationShare"
    INTERNATIONAL_PUBLICATIONS = "internationalPublicationCount"
    PUBLICATIONS = "publicationCount"
    LABORATORIES = "laboratoryCount"
    JOINT_UNIT_SHARE = "jointUnitShare"
    PERMANENT_STAFF = "permanentStaffCount"
    RESEARCHER_SHARE = "researcherShare"
    INSTRUMENTS = "instrumentCount"


@strawberry.enum(description="What a network node is.")
class NodeKind(Enum):
    INSTITUTION = "institution"
    COUNTRY = "country"


@strawberry.enum(description="How precise a date is, as its source gives it.")
class DatePrecision(Enum):
    YEAR = "year"  # xsd:gYear, written 2005
    MONTH = "month"  # xsd:gYearMonth, written 2005-09
    DAY = "day"  # xsd:date, written 2005-09-22


# The fields whose every value ``values(field:)`` lists with its source; each member's value is the
# name of the field in ``api.graphql.mapping`` (the predicates it reads).


@strawberry.enum(description="Fields of an institution whose sources may give several values.")
class InstitutionField(Enum):
    NAME = "name"
    ACRONYMS = "acronyms"
    COUNTRY = "countryCode"
    WEBSITE = "website"
    FOUNDED = "foundingYear"
    START = "start"
    END = "end"
    STATUS = "status"
    TYPES = "types"


@strawberry.enum(description="Fields of an instrument (or agreement) whose sources may give several values.")
class InstrumentField(Enum):
    NAME = "name"
    ACRONYM = "acronym"
    CODE = "code"
    KIND = "kind"
    FORMER_KINDS = "formerKinds"
    FORMER_NAMES = "formerNames"
    COUNTRY = "countryCode"
    START = "start"
    END = "end"
    SIGNED = "signed"
    RENEWED = "renewals"
    SIGNATURE_PLACE = "signaturePlace"
    STATUS = "status"
    DATE_NOTE = "dateNote"
    NOTE = "note"


@strawberry.enum(description="Fields of a regional office whose sources may give several values.")
class OfficeField(Enum):
    NAME = "name"
    COUNTRY = "countryCode"
    START = "start"
    END = "end"
    DATE_NOTE = "dateNote"
    NOTE = "note"
