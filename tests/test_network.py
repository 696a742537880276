"""Road provider on the hand-made network tests/data/roads.osm, against hand arithmetic.

The network (see the file): a primary road (maxspeed 90) along lon 77.00 with nodes every
0.02 deg from lat 43.00 (node 1) to 43.20 (node 11); a secondary road (no maxspeed: the
documented default speed) along lat 43.10 from node 6 east to lon 77.09 in 0.03 deg steps; a
tertiary road (maxspeed 60) north from there to lat 43.18 in 0.04 deg steps (nodes 23, 31, 32);
a one-way residential street (maxspeed 40) from node 32 west to node 10 along lat 43.18 in
0.03 deg steps. A footway, a building, a private service road and a detached road piece must
all be dropped. Edge lengths are great circles on OSMnx's sphere (R = 6,371,009 m), written out
here; snap legs are WGS84 geodesics at the snap speed.
"""

from __future__ import annotations

import math
from itertools import pairwise
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import requests
from pyproj import Geod
from shapely.geometry import Point

from geo import network
from geo.travel import TravelParams, nearest_sites, travel_matrix

OSM = Path(__file__).parent / "data" / "roads.osm"
R = 6_371_009.0
GEOD = Geod(ellps="WGS84")
SNAP_KMH = 20.0

PRIMARY = R * math.radians(0.02)  # one primary segment (meridian, 0.02 deg)
SECONDARY = 2 * R * math.asin(math.cos(math.radians(43.10)) * math.sin(math.radians(0.015)))
TERTIARY = R * math.radians(0.04)
RESIDENTIAL = 2 * R * math.asin(math.cos(math.radians(43.18)) * math.sin(math.radians(0.015)))
SPEED = {"P": 90.0, "S": network.HWY_SPEEDS["secondary"], "T": 60.0, "Rs": 40.0}
LENGTH = {"P": PRIMARY, "S": SECONDARY, "T": TERTIARY, "Rs": RESIDENTIAL}

# Drivable nodes that must survive filtering, (lat, lon).
DRIVE_NODES = {i: (43.00 + 0.02 * (i - 1), 77.00) for i in range(1, 12)} | {
    21: (43.10, 77.03), 22: (43.10, 77.06), 23: (43.10, 77.09), 31: (43.14, 77.09),
    32: (43.18, 77.09), 41: (43.18, 77.06), 42: (43.18, 77.03)}

SITES = {"C1": (43.00, 77.0010), "C2": (43.18, 77.0910), "C3": (43.20, 76.9990)}
ORIGINS = {"A": (43.20, 77.0010), "B": (43.10, 77.0610), "Cc": (43.18, 77.0290),
           "D": (43.135, 77.035), "G": (43.1805, 77.0905), "F": (43.50, 77.501)}
# Node each point must snap to (checked by brute force below).
SNAP_NODE = {"C1": 1, "C2": 32, "C3": 11, "A": 11, "B": 22, "Cc": 42, "D": 8, "G": 32, "F": 32}
# Road legs (segment kind, count) of the fastest route origin -> site, worked out on paper.
ROUTES = {
    ("A", "C1"): [("P", 10)],
    ("A", "C2"): [("P", 5), ("S", 3), ("T", 2)],  # not the residential street: it is one-way
    ("A", "C3"): [],
    ("B", "C1"): [("S", 2), ("P", 5)],
    ("B", "C2"): [("S", 1), ("T", 2)],
    ("B", "C3"): [("S", 2), ("P", 5)],
    ("Cc", "C1"): [("Rs", 1), ("P", 9)],
    ("Cc", "C2"): [("Rs", 1), ("P", 4), ("S", 3), ("T", 2)],  # the footway would be shorter
    ("Cc", "C3"): [("Rs", 1), ("P", 1)],
    ("D", "C1"): [("P", 7)],
    ("D", "C2"): [("P", 2), ("S", 3), ("T", 2)],
    ("D", "C3"): [("P", 3)],
    ("G", "C1"): [("T", 2), ("S", 3), ("P", 5)],  # faster than the 40 km/h street west
    ("G", "C2"): [],
    ("G", "C3"): [("Rs", 3), ("P", 1)],
    ("F", "C1"): [("T", 2), ("S", 3), ("P", 5)],
    ("F", "C2"): [],
    ("F", "C3"): [("Rs", 3), ("P", 1)],
}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """OSMnx settings and requests both refuse any network access."""
    import osmnx as ox

    monkeypatch.setattr(ox.settings, "doh_url_template", None)
    monkeypatch.setattr(ox.settings, "overpass_url", "http://127.0.0.1:9/forbidden")
    monkeypatch.setattr(ox.settings, "nominatim_url", "http://127.0.0.1:9/forbidden")

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(requests.Session, "request", refuse)


def _points(points: dict[str, tuple[float, float]], id_col: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({id_col: list(points)},
                            geometry=[Point(lon, lat) for lat, lon in points.values()],
                            crs="EPSG:4326")


def _snap_m(name: str) -> float:
    lat, lon = (SITES | ORIGINS)[name]
    nlat, nlon = DRIVE_NODES[SNAP_NODE[name]]
    return abs(GEOD.inv(lon, lat, nlon, nlat)[2])


def expected(origin: str, site: str) -> tuple[float, float]:
    """(minutes, km) from the paper route plus both snap legs."""
    snaps = _snap_m(origin) + _snap_m(site)
    road_s = sum(n * LENGTH[k] / (SPEED[k] / 3.6) for k, n in ROUTES[origin, site])
    road_m = sum(n * LENGTH[k] for k, n in ROUTES[origin, site])
    return (road_s + snaps / (SNAP_KMH / 3.6)) / 60.0, (road_m + snaps) / 1000.0


@pytest.fixture(scope="module")
def graph():
    return network.graph_from_osm_xml(OSM)


def _params(minutes: float) -> TravelParams:
    return TravelParams(provider="road", max_minutes=minutes, snap_speed_kmh=SNAP_KMH,
                        graph_path=str(OSM))


def test_filter_keeps_only_the_connected_drivable_roads(graph):
    assert sorted(graph.nodes) == sorted(DRIVE_NODES)
    kinds = {d["highway"] for _, _, d in graph.edges(data=True)}
    assert kinds == {"primary", "secondary", "tertiary", "residential"}
    # 10 primary, 3 secondary and 2 tertiary segments both ways, 3 one-way residential ones.
    assert graph.number_of_edges() == 2 * (10 + 3 + 2) + 3
    assert graph.has_edge(32, 41) and not graph.has_edge(41, 32)


def test_edge_speeds_and_times(graph):
    for _, _, d in graph.edges(data=True):
        speed = {"primary": 90.0, "secondary": SPEED["S"], "tertiary": 60.0,
                 "residential": 40.0}[d["highway"]]
        assert d["speed_kph"] == pytest.approx(speed)
        assert d["travel_time"] == pytest.approx(d["length"] / (speed / 3.6))
    assert graph[1][2][0]["length"] == pytest.approx(PRIMARY, rel=1e-9)
    assert graph[6][21][0]["length"] == pytest.approx(SECONDARY, rel=1e-9)
    assert graph[42][10][0]["length"] == pytest.approx(RESIDENTIAL, rel=1e-9)


def test_snapping_matches_brute_force_and_osmnx(graph):
    import osmnx as ox

    names = list(SITES | ORIGINS)
    for name in names:  # the paper's snap node is the nearest drivable node
        lat, lon = (SITES | ORIGINS)[name]
        d = {n: abs(GEOD.inv(lon, lat, x, y)[2]) for n, (y, x) in DRIVE_NODES.items()}
        assert min(d, key=d.get) == SNAP_NODE[name]
    rg = network.road_graph(graph)
    lon = np.array([(SITES | ORIGINS)[n][1] for n in names])
    lat = np.array([(SITES | ORIGINS)[n][0] for n in names])
    idx, metres = rg.snap(lon, lat)
    assert [int(rg.node_ids[i]) for i in idx] == [SNAP_NODE[n] for n in names]
    assert list(ox.distance.nearest_nodes(graph, lon, lat)) == [SNAP_NODE[n] for n in names]
    assert metres == pytest.approx([_snap_m(n) for n in names], rel=1e-9)


def test_matrix_equals_hand_computed_times():
    m = travel_matrix(_points(ORIGINS, "sid"), _points(SITES, "cid"), _params(600.0),
                      origin_id="sid", site_id="cid")
    assert m.provider == "road"
    got = {(r.origin_id, r.site_id): (r.minutes, r.km) for r in m.to_frame().itertuples()}
    assert set(got) == set(ROUTES)
    for pair in ROUTES:
        exp_min, exp_km = expected(*pair)
        assert got[pair][0] == pytest.approx(exp_min, rel=1e-9), pair
        assert got[pair][1] == pytest.approx(exp_km, rel=1e-9), pair
    assert len(m.warnings) == 1 and "F (" in m.warnings[0]  # F is ~48 km from any road


def test_cutoff_keeps_exactly_the_pairs_within_it():
    cutoff = 15.0
    m = travel_matrix(_points(ORIGINS, "sid"), _points(SITES, "cid"), _params(cutoff),
                      origin_id="sid", site_id="cid")
    got = set(zip(m.to_frame().origin_id, m.to_frame().site_id))
    want = {pair for pair in ROUTES if expected(*pair)[0] <= cutoff}
    assert got == want
    assert 0 < len(want) < len(ROUTES)


def test_small_batches_give_the_same_matrix(monkeypatch):
    params = _params(45.0)
    whole = travel_matrix(_points(ORIGINS, "sid"), _points(SITES, "cid"), params,
                          origin_id="sid", site_id="cid").to_frame()
    monkeypatch.setattr(network, "_BATCH_CELLS", 1)  # one site node per Dijkstra call
    parts = travel_matrix(_points(ORIGINS, "sid"), _points(SITES, "cid"), params,
                          origin_id="sid", site_id="cid").to_frame()
    assert parts.equals(whole)


def test_nearest_site_without_cutoff():
    near = nearest_sites(_points(ORIGINS, "sid"), _points(SITES, "cid"), _params(1.0),
                         origin_id="sid", site_id="cid").set_index("origin_id")
    for origin in ORIGINS:
        best = min(SITES, key=lambda s: expected(origin, s)[0])
        assert near.loc[origin, "site_id"] == best
        assert near.loc[origin, "minutes"] == pytest.approx(expected(origin, best)[0], rel=1e-9)
        assert near.loc[origin, "km"] == pytest.approx(expected(origin, best)[1], rel=1e-9)


def test_graphml_round_trip_gives_the_same_matrix(tmp_path, graph):
    path = tmp_path / "roads.graphml"
    network.save_graph(graph, path)
    params = TravelParams(provider="road", max_minutes=600.0, snap_speed_kmh=SNAP_KMH,
                          graph_path=str(path))
    a = travel_matrix(_points(ORIGINS, "sid"), _points(SITES, "cid"), params,
                      origin_id="sid", site_id="cid").to_frame()
    b = travel_matrix(_points(ORIGINS, "sid"), _points(SITES, "cid"), _params(600.0),
                      origin_id="sid", site_id="cid").to_frame()
    assert np.allclose(a.minutes, b.minutes) and list(a.site_id) == list(b.site_id)


def test_missing_or_wrong_graph_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="graph_path"):
        travel_matrix(_points(ORIGINS, "sid"), _points(SITES, "cid"),
                      TravelParams(provider="road"))
    with pytest.raises(FileNotFoundError, match="nowhere.graphml"):
        network.load_road_graph(tmp_path / "nowhere.graphml")
    bad = tmp_path / "roads.csv"
    bad.write_text("x\n")
    with pytest.raises(ValueError, match="graphml or .osm"):
        network.load_graph(bad)
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node")
    with pytest.raises(ValueError, match="broken.osm: not a readable OSM XML"):
        network.load_graph(broken)


def test_network_cli_keeps_main_roads_by_default(tmp_path, capsys):
    from geo.__main__ import main

    out = tmp_path / "main.graphml"
    assert main(["network", "--osm", str(OSM), "--out", str(out)]) == 0
    assert "16 nodes, 30 edges" in capsys.readouterr().out
    G = network.load_graph(out)
    assert {d["highway"] for _, _, d in G.edges(data=True)} == {"primary", "secondary",
                                                                 "tertiary"}
    # Without the one-way street, G -> C3 goes round by the tertiary, secondary and primary.
    params = TravelParams(provider="road", max_minutes=600.0, snap_speed_kmh=SNAP_KMH,
                          graph_path=str(out))
    m = travel_matrix(_points({"G": ORIGINS["G"]}, "sid"), _points({"C3": SITES["C3"]}, "cid"),
                      params, origin_id="sid", site_id="cid")
    road_s = sum(n * LENGTH[k] / (SPEED[k] / 3.6) for k, n in [("T", 2), ("S", 3), ("P", 5)])
    snaps = _snap_m("G") + _snap_m("C3")
    assert m.minutes[0] == pytest.approx((road_s + snaps / (SNAP_KMH / 3.6)) / 60.0, rel=1e-9)
    assert main(["network", "--osm", str(tmp_path / "none.osm"), "--out", str(out)]) == 2
    assert "none.osm" in capsys.readouterr().out


def test_random_graphs_agree_with_networkx():
    """Times and path km on random directed graphs equal networkx's Dijkstra, pair by pair."""
    import networkx as nx

    rng = np.random.default_rng(5)
    for _ in range(3):
        n = 80
        lon, lat = rng.uniform(70.0, 70.5, n), rng.uniform(45.0, 45.4, n)
        u, v = rng.integers(0, n, 400), rng.integers(0, n, 400)
        keep = u != v
        u, v = u[keep], v[keep]
        metres = rng.uniform(500.0, 9000.0, u.size)
        seconds = metres / rng.uniform(5.0, 25.0, u.size)
        rg = network.road_graph_from_arrays(np.arange(n), lon, lat, u, v, seconds, metres)
        G = nx.DiGraph()
        for a, b, t, m in zip(u, v, seconds, metres):
            if not G.has_edge(a, b) or G[a][b]["t"] > t:
                G.add_edge(a, b, t=t, m=m)
        o_nodes, s_nodes = rng.choice(n, 25, replace=False), rng.choice(n, 6, replace=False)
        origins = gpd.GeoDataFrame({"id": [f"o{i}" for i in o_nodes]},
                                   geometry=gpd.points_from_xy(lon[o_nodes], lat[o_nodes]),
                                   crs="EPSG:4326")
        sites = gpd.GeoDataFrame({"id": [f"s{i}" for i in s_nodes]},
                                 geometry=gpd.points_from_xy(lon[s_nodes], lat[s_nodes]),
                                 crs="EPSG:4326")
        params = TravelParams(provider="road", max_minutes=20.0)
        got = network.road_matrix(origins, sites, params, origin_id="id", site_id="id",
                                  graph=rg).to_frame()
        got = {(r.origin_id, r.site_id): (r.minutes, r.km) for r in got.itertuples()}
        want = {}
        for o in o_nodes:
            for s in s_nodes:
                if o in G and s in G and nx.has_path(G, o, s):
                    path = nx.dijkstra_path(G, o, s, weight="t")
                    t = sum(G[a][b]["t"] for a, b in pairwise(path))
                    if t <= 20 * 60:
                        km = sum(G[a][b]["m"] for a, b in pairwise(path)) / 1000
                        want[f"o{o}", f"s{s}"] = (t / 60, km)
        assert set(got) == set(want) and len(want) > 5
        for pair, (minutes, km) in want.items():
            assert got[pair][0] == pytest.approx(minutes, rel=1e-9, abs=1e-9)
            assert got[pair][1] == pytest.approx(km, rel=1e-9, abs=1e-9)
