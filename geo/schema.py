"""Layer schemas: the columns, types, allowed values and CRS of every Otbasy layer.

One `LayerSchema` per layer. Loaders map incoming headers (Latin or Cyrillic aliases) onto
these canonical names, coerce types and report every violation with file, row and field.
A ministry's real registry and the bundled demo data load through the same schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CRS = "EPSG:4326"

INSTITUTION_TYPES = (
    "baby_home",
    "childrens_home",
    "family_type_home",
    "boarding_school_disability",
    "boarding_school_general",
)
CENTRE_KINDS = ("social_work_centre", "family_support_centre")
OPERATORS = ("state", "ngo", "private")
COUNTRIES = ("KZ", "KG", "TJ", "TM", "UZ")
LEVELS = ("oblast", "district")


@dataclass(frozen=True)
class Field:
    """One column: canonical name, type, whether required, constraints and header aliases."""

    name: str
    dtype: str  # "str" | "int" | "float" | "bool"
    required: bool = True
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()
    nullable: bool = False
    description: str = ""


@dataclass(frozen=True)
class LayerSchema:
    """A layer: its fields, geometry types and CRS."""

    name: str
    fields: tuple[Field, ...]
    geometry_types: tuple[str, ...]
    id_field: str | None = None
    crs: str = CRS
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def field(self, name: str) -> Field:
        """Return the field called `name` (KeyError if the layer has none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


# Coordinate column aliases for CSV/XLSX point files (matched case-insensitively).
LATITUDE_ALIASES = ("lat", "latitude", "y", "широта", "ендік")
LONGITUDE_ALIASES = ("lon", "lng", "long", "longitude", "x", "долгота", "бойлық")

_DEMO = Field("demo", "bool", required=False, aliases=("демо",),
              description="True for demo records calibrated to published totals")
_COUNTRY = Field("country", "str", allowed=COUNTRIES, aliases=("страна", "ел"))
_NAME = Field("name", "str", aliases=("название", "наименование", "атауы", "name_en"))
_OPERATOR = Field("operator", "str", required=False, allowed=OPERATORS, aliases=("оператор",))
_YEAR = Field("year", "int", minimum=1991, maximum=2100, aliases=("год", "жыл"))
_SETTLEMENT_REF = Field("settlement_id", "str", required=False, nullable=True)
_UNIT = Field("unit_code", "str", required=False, nullable=True,
              aliases=("код_области", "region_code"),
              description="code of the boundary unit (default version) the point lies in")
_DISTRICT = Field("district_code", "str", required=False, nullable=True,
                  aliases=("код_района", "district"),
                  description="code of the district (default version) the point lies in")

BOUNDARIES = LayerSchema(
    name="boundaries",
    id_field="code",
    geometry_types=("Polygon", "MultiPolygon"),
    description=("Administrative units: oblasts and cities of republican significance "
                 "(level 'oblast') or districts and cities of oblast significance ('district')"),
    fields=(
        Field("code", "str", aliases=("код",),
              description="stable unit code: ISO 3166-2 numeric form for oblasts (KZ-10), "
                          "the COD-AB PCODE for districts (KZ101000)"),
        Field("kato", "str", required=False, nullable=True, aliases=("като",),
              description="KATO classifier code, 9 digits (Kazakhstan only)"),
        Field("name_en", "str", aliases=("name", "название_en")),
        Field("name_kk", "str", required=False, nullable=True),
        Field("name_ru", "str", required=False, nullable=True),
        Field("country", "str", allowed=COUNTRIES, required=False),
        Field("version", "int", required=False, minimum=1991, maximum=2100,
              description="year of the boundary version"),
        Field("approximate", "bool", required=False,
              description="True where the polygon is derived, not official"),
        Field("level", "str", required=False, allowed=LEVELS,
              description="oblast (first level) or district (second level)"),
        Field("parent_code", "str", required=False, nullable=True,
              description="a district's oblast code (blank for oblasts)"),
        Field("derived", "bool", required=False,
              description="True where the unit was rebuilt from another version's official "
                          "polygons (the 2014 division from 2018), not published as such"),
    ),
)

SETTLEMENTS = LayerSchema(
    name="settlements",
    id_field="settlement_id",
    geometry_types=("Point",),
    description="Settlements with population: the demand layer",
    fields=(
        Field("settlement_id", "str", aliases=("id", "geonameid", "ид")),
        _NAME,
        _COUNTRY,
        Field("population", "int", minimum=0, aliases=("население", "халық саны", "pop")),
        Field("children", "int", required=False, minimum=0, aliases=("дети", "балалар"),
              description="estimated children aged 0-17"),
        Field("child_share", "float", required=False, minimum=0, maximum=1),
        Field("unit_2014", "str", required=False, nullable=True),
        Field("unit_2018", "str", required=False, nullable=True),
        Field("unit_2022", "str", required=False, nullable=True),
        Field("estimated", "bool", required=False,
              description="True for modelled dispersed demand (children not in a GeoNames "
                          "place), False for a real settlement"),
    ),
)

INSTITUTIONS = LayerSchema(
    name="institutions",
    id_field="institution_id",
    geometry_types=("Point",),
    description="Residential institutions for children",
    fields=(
        Field("institution_id", "str", aliases=("id", "ид", "код_учреждения")),
        _NAME,
        Field("type", "str", allowed=INSTITUTION_TYPES, aliases=("тип", "түрі")),
        Field("capacity", "int", minimum=1, aliases=("мощность", "вместимость", "сыйымдылығы")),
        Field("children", "int", minimum=0, aliases=("дети", "воспитанники", "балалар"),
              description="children in care"),
        _OPERATOR,
        _YEAR,
        _COUNTRY,
        _UNIT,
        _DISTRICT,
        _SETTLEMENT_REF,
        _DEMO,
    ),
)

CENTRES = LayerSchema(
    name="centres",
    id_field="centre_id",
    geometry_types=("Point",),
    description="Existing community social-work and family-support centres (gatekeeping services)",
    fields=(
        Field("centre_id", "str", aliases=("id", "ид")),
        _NAME,
        Field("kind", "str", allowed=CENTRE_KINDS, aliases=("вид", "тип")),
        Field("staff", "int", required=False, minimum=0, aliases=("сотрудники", "штат"),
              description="social workers"),
        Field("capacity", "int", required=False, minimum=0,
              description="children (cases) the centre can serve"),
        _OPERATOR,
        _YEAR,
        _COUNTRY,
        _UNIT,
        _DISTRICT,
        _SETTLEMENT_REF,
        _DEMO,
    ),
)

FOSTER = LayerSchema(
    name="foster",
    id_field="settlement_id",
    geometry_types=("Point",),
    description=("Family-based care aggregated per settlement (never a household): "
                 "the point is the settlement's, and public views aggregate further"),
    fields=(
        Field("settlement_id", "str", aliases=("id", "ид")),
        _COUNTRY,
        Field("foster_families", "int", minimum=0, aliases=("приемные_семьи",)),
        Field("foster_children", "int", required=False, minimum=0),
        Field("guardianship_children", "int", required=False, minimum=0,
              aliases=("опека",)),
        _YEAR,
        _UNIT,
        _DISTRICT,
        _DEMO,
    ),
)

# --- Care statistics (annual, per unit): a table, no geometry -----------------------------------
# One row per (country, unit_code, version, year, measure). Scope is part of the measure name,
# so figures published for different scopes are never compared with each other.
CARE_MEASURES: dict[str, str] = {
    # denominator
    "children_0_17": "children aged 0-17 on 31 December (denominator of every rate)",
    # stock on 31 December, residential care by institution type (all children living there)
    "res_baby_home": "children in baby homes (health sector, ages 0-3)",
    "res_childrens_home": "children in children's homes (orphanages), not family-type",
    "res_family_type_home": "children in family-type children's homes and SOS villages",
    "res_social_protection": "children in social-protection residential homes for children "
                             "with disabilities",
    "res_boarding_disability": "pupils of boarding schools for children with disabilities",
    "res_boarding_general": "pupils of general boarding schools",
    "res_boarding_with_parents": "boarding-school pupils (both types) who have parents",
    "res_orgs_disability": "children with disabilities in organisations for orphans "
                           "(baby, children's and family-type homes)",
    "inst_baby_home": "baby homes open on 31 December",
    "inst_childrens_home": "children's homes open on 31 December",
    "inst_family_type_home": "family-type children's homes open on 31 December",
    "inst_social_protection": "social-protection residential homes for children open",
    "inst_boarding_disability": "boarding schools for children with disabilities open",
    "inst_boarding_general": "general boarding schools open",
    # stock on 31 December, family-based care and children without parental care (CLPC)
    "stock_guardianship": "children under guardianship or custody (opeka)",
    "stock_foster": "children in foster families (priyomnaya semya)",
    "stock_patronage": "children in patronage (patronat) families",
    "foster_families": "foster families on 31 December",
    "prof_foster_families": "professional foster families on 31 December",
    "clpc_in_specialised": "children without parental care in social-protection and other "
                           "specialised institutions",
    # flows during the year
    "entries_formal": "children entering formal care (newly identified as without parental "
                      "care and placed)",
    "entries_assessed": "entries into formal care preceded by a gatekeeping assessment",
    "entries_residential": "children entering organisations for orphans (residential care)",
    "entries_residential_under3": "children under 3 entering residential care",
    "exits_reunification": "exits from residential care: return to the birth family",
    "exits_adoption": "exits from residential care: adoption",
    "exits_guardianship": "exits from residential care: guardianship",
    "exits_foster": "exits from residential care: foster or patronage family",
    "exits_independent": "exits from residential care: to independent living (care leavers)",
    "adoptions_all": "adoptions during the year (all, incl. children not in institutions)",
    # gatekeeping services
    "gk_centres": "family support / gatekeeping centres open on 31 December",
    "gk_specialists": "guardianship specialists and social workers on 31 December",
    "gk_referrals": "referrals of children at risk to a gatekeeping service",
    "gk_assessments": "gatekeeping assessments completed",
    "gk_outcome_family_support": "outcome: family support, child stays at home",
    "gk_outcome_family_placement": "outcome: kinship or other family-based placement",
    "gk_outcome_residential": "outcome: residential placement",
    # Republican Bank of orphans (from 2017)
    "bank_children_available": "children registered as available for family placement, 31 Dec",
    "bank_families_waiting": "candidate families registered, 31 December",
    "bank_placed_adoption": "placements through the Bank during the year: adoption",
    "bank_placed_guardianship": "placements through the Bank during the year: guardianship",
    "bank_placed_foster": "placements through the Bank during the year: foster care",
}
CARE_BASES = ("published", "derived", "filled", "reported")

CARE = LayerSchema(
    name="care",
    geometry_types=(),
    description="Annual care statistics per unit and year, one row per measure (no geometry)",
    fields=(
        Field("country", "str", required=False, allowed=COUNTRIES, aliases=("страна", "ел")),
        Field("unit_code", "str", aliases=("unit", "code", "kato", "като", "код", "код_като",
                                           "region", "регион", "область", "облыс", "өңір",
                                           "unit_name", "name", "название", "атауы"),
              description="ISO 3166-2 code (KZ-61), KATO code, or unit name in kk/ru/en"),
        Field("version", "int", required=False, minimum=1991, maximum=2100,
              aliases=("boundary_version", "версия", "нұсқа"),
              description="boundary version the unit belongs to (default: valid in the year)"),
        _YEAR,
        Field("measure", "str", allowed=tuple(CARE_MEASURES),
              aliases=("показатель", "көрсеткіш", "indicator")),
        Field("value", "int", minimum=0, maximum=50_000_000,
              aliases=("значение", "мәні", "количество", "саны", "count")),
        _DEMO,
        Field("source", "str", required=False, nullable=True, aliases=("источник", "дереккөз")),
        Field("basis", "str", required=False, nullable=True, allowed=CARE_BASES,
              description="published / derived (split of a published total) / filled / "
                          "reported (a ministry file)"),
    ),
)

LAYERS: dict[str, LayerSchema] = {
    s.name: s for s in (BOUNDARIES, SETTLEMENTS, INSTITUTIONS, CENTRES, FOSTER, CARE)
}
