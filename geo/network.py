"""Road provider: travel costs on an OSMnx drive graph, read from local files only.

A graph comes from an OSM XML file (filtered to drivable roads here, because
`osmnx.graph_from_xml` keeps every way, footways and buildings included) or from a GraphML file
saved by ``python -m geo network``. Edge speeds and travel times come from
`osmnx.routing.add_edge_speeds` / `add_edge_travel_times`, with `HWY_SPEEDS` for roads without
a ``maxspeed`` tag.

Graphs are not simplified: interior nodes are kept so that a village beside a road snaps to the
road next to it, not to a junction 30 km away.

Direction: a family travels from its settlement to the centre. Shortest paths are therefore
searched outward from the sites on the reversed graph, so one-way streets count the right way.
All sites go through `scipy.sparse.csgraph.dijkstra` in a few batched calls (never one search
per pair), with the cut-off as the search limit.

Each point is snapped to its nearest node (k-d tree in a local azimuthal-equidistant
projection); the snap leg, measured on the WGS84 ellipsoid, is added at
``params.snap_speed_kmh``. Points snapped further than `FAR_SNAP_KM` are reported in the
matrix's ``warnings``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from pyproj import CRS, Geod, Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo.travel_base import TravelMatrix, TravelParams, lonlat, point_ids

_GEOD = Geod(ellps="WGS84")

# Free-flow speeds (km/h) for roads without a maxspeed tag: Kazakhstan's traffic rules allow
# 90 km/h outside settlements (110-140 on motorways) and 60 inside; rural surfaces are slower.
HWY_SPEEDS: dict[str, float] = {
    "motorway": 110.0, "motorway_link": 60.0,
    "trunk": 90.0, "trunk_link": 50.0,
    "primary": 80.0, "primary_link": 50.0,
    "secondary": 70.0, "secondary_link": 40.0,
    "tertiary": 60.0, "tertiary_link": 40.0,
    "unclassified": 50.0, "residential": 30.0, "living_street": 20.0,
    "road": 40.0, "service": 20.0,
}
DRIVE_HIGHWAYS = frozenset(HWY_SPEEDS)
MAIN_HIGHWAYS = ("motorway", "trunk", "primary", "secondary", "tertiary")
MAIN_DRIVE_HIGHWAYS = frozenset(h for h in HWY_SPEEDS if h.removesuffix("_link") in MAIN_HIGHWAYS)
FALLBACK_SPEED_KMH = 40.0
FAR_SNAP_KM = 10.0
_BATCH_CELLS = 4_000_000  # sources x nodes per Dijkstra call: bounds memory to ~100 MB


@dataclass
class RoadGraph:
    """A drive graph in array form: node coordinates and CSR matrices of seconds and metres.

    ``time[u, v]`` / ``length[u, v]`` describe the fastest edge from node u to node v (parallel
    edges are reduced to the fastest). ``xy`` are node coordinates in ``crs``, a local
    azimuthal-equidistant projection used for snapping and catchment geometry.
    """

    node_ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    time: csr_matrix
    length: csr_matrix
    source: str = ""
    crs: CRS = field(init=False)
    xy: np.ndarray = field(init=False)
    _cache: dict = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        lon0, lat0 = float(np.mean(self.lon)), float(np.mean(self.lat))
        self.crs = CRS.from_proj4(
            f"+proj=aeqd +lat_0={lat0:.6f} +lon_0={lon0:.6f} +datum=WGS84 +units=m +no_defs"
        )
        x, y = self.to_xy(self.lon, self.lat)
        self.xy = np.column_stack([x, y])

    @property
    def n(self) -> int:
        return int(self.node_ids.size)

    def to_xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        return t.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))

    def reversed(self) -> tuple[csr_matrix, csr_matrix]:
        """Transposed time and length matrices: edge v->u for every road u->v."""
        if "rev" not in self._cache:
            self._cache["rev"] = (self.time.T.tocsr().sorted_indices(),
                                  self.length.T.tocsr().sorted_indices())
        return self._cache["rev"]

    def snap_targets(self) -> tuple[np.ndarray, cKDTree]:
        """One representative node per distinct location, and a k-d tree over them."""
        if "snap" not in self._cache:
            _, first = np.unique(self.xy, axis=0, return_index=True)
            first = np.sort(first)
            self._cache["snap"] = (first, cKDTree(self.xy[first]))
        return self._cache["snap"]

    def snap(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node index and the geodesic snap distance in metres for each point."""
        if self.n == 0:
            raise ValueError(f"road graph {self.source or ''} has no nodes")
        reps, tree = self.snap_targets()
        x, y = self.to_xy(lon, lat)
        _, k = tree.query(np.column_stack([x, y]))
        nodes = reps[np.asarray(k, dtype=np.int64)]
        _, _, metres = _GEOD.inv(lon, lat, self.lon[nodes], self.lat[nodes])
        return nodes, np.abs(np.asarray(metres, dtype=float))


def configure_osmnx() -> None:
    """OSMnx settings for Otbasy: no DNS-over-HTTPS, quiet logs, keep the tags we read."""
    import osmnx as ox

    ox.settings.doh_url_template = None
    ox.settings.log_console = False
    for tag in ("highway", "maxspeed", "oneway", "access"):
        if tag not in ox.settings.useful_tags_way:
            ox.settings.useful_tags_way = [*ox.settings.useful_tags_way, tag]


def _highway(value: object) -> str:
    return str(value[0] if isinstance(value, list) else value)


def filter_drive(G: nx.MultiDiGraph, highways: frozenset[str] = DRIVE_HIGHWAYS) -> nx.MultiDiGraph:
    """Keep edges whose ``highway`` is in `highways` and not closed to traffic.

    Drops footways, paths, cycleways, buildings and any untagged way, then the nodes left
    without an edge, then everything outside the largest weakly connected component.
    """
    import osmnx as ox

    drop = [
        (u, v, k) for u, v, k, d in G.edges(keys=True, data=True)
        if _highway(d.get("highway")) not in highways
        or str(d.get("access", "")) in ("no", "private")
        or str(d.get("area", "")) == "yes"
    ]
    H = G.copy()
    H.remove_edges_from(drop)
    H.remove_nodes_from([n for n in list(H.nodes) if H.degree(n) == 0])
    if len(H) == 0:
        return H
    return ox.truncate.largest_component(H, strongly=False)


def add_travel_times(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``speed_kph`` (maxspeed tag, else `HWY_SPEEDS`) and ``travel_time`` (s) on every edge."""
    import osmnx as ox

    if G.number_of_edges() == 0:
        raise ValueError("road graph has no drivable edges")
    for _, _, d in G.edges(data=True):
        d["highway"] = _highway(d.get("highway"))
    G = ox.routing.add_edge_speeds(G, hwy_speeds=HWY_SPEEDS, fallback=FALLBACK_SPEED_KMH)
    return ox.routing.add_edge_travel_times(G)


def read_osm_xml(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """Every way of a local OSM XML file as a graph (unfiltered, unsimplified, no network)."""
    import osmnx as ox

    configure_osmnx()
    return ox.graph_from_xml(Path(path), bidirectional=False, simplify=False, retain_all=True)


def download_place(place: str, *, main_roads: bool = True) -> nx.MultiDiGraph:
    """Download the drivable roads of a place with OSMnx (needs the network; unfiltered).

    ``main_roads`` asks only for motorway..tertiary and their links (the roads between
    settlements); otherwise OSMnx's whole ``drive`` network.
    """
    import osmnx as ox

    configure_osmnx()
    road_filter = None
    if main_roads:
        kinds = "|".join(MAIN_HIGHWAYS)
        road_filter = (f'["highway"~"^({kinds})(_link)?$"]["area"!~"yes"]'
                       '["access"!~"private|no"]["motor_vehicle"!~"no"]')
    return ox.graph_from_place(place, network_type="drive", simplify=False,
                               custom_filter=road_filter)


def graph_from_osm_xml(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """Drive graph (all drivable roads) with travel times from a local OSM XML file."""
    return add_travel_times(filter_drive(read_osm_xml(path)))


def load_graph(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """Drive graph from a GraphML (saved by ``python -m geo network``) or OSM XML file."""
    import osmnx as ox

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{p}: road graph file not found (build one with "
                                "`python -m geo network --osm FILE --out FILE.graphml`)")
    if p.suffix.lower() == ".graphml":
        configure_osmnx()
        G = ox.load_graphml(p)
        if not all("travel_time" in d for _, _, d in G.edges(data=True)):
            G = add_travel_times(G)
        return G
    if p.suffix.lower() in (".osm", ".xml"):
        from xml.etree.ElementTree import ParseError

        try:
            return graph_from_osm_xml(p)
        except ParseError as exc:
            raise ValueError(f"{p}: not a readable OSM XML file ({exc})") from exc
    raise ValueError(f"{p}: road graph must be a .graphml or .osm file")


def save_graph(G: nx.MultiDiGraph, path: str | os.PathLike[str]) -> None:
    """Save a graph as GraphML atomically."""
    import osmnx as ox

    from geo.atomic import atomic_path

    with atomic_path(path) as tmp:
        ox.save_graphml(G, tmp)


def road_graph(G: nx.MultiDiGraph, source: str = "") -> RoadGraph:
    """Array form of a graph whose edges carry ``travel_time`` and ``length``."""
    nodes = list(G.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    lon = np.array([float(G.nodes[n]["x"]) for n in nodes])
    lat = np.array([float(G.nodes[n]["y"]) for n in nodes])
    u, v, t, m = [], [], [], []
    for a, b, d in G.edges(data=True):
        u.append(index[a])
        v.append(index[b])
        t.append(float(d["travel_time"]))
        m.append(float(d["length"]))
    return road_graph_from_arrays(np.array(nodes), lon, lat, np.array(u, dtype=np.int64),
                                  np.array(v, dtype=np.int64), np.array(t), np.array(m), source)


def road_graph_from_arrays(
    node_ids: np.ndarray, lon: np.ndarray, lat: np.ndarray, u: np.ndarray, v: np.ndarray,
    seconds: np.ndarray, metres: np.ndarray, source: str = "",
) -> RoadGraph:
    """Array form from directed edges u->v (node positions), keeping the fastest parallel edge."""
    n = int(node_ids.size)
    order = np.lexsort((seconds, v, u))
    u, v, seconds, metres = u[order], v[order], seconds[order], metres[order]
    first = np.ones(u.size, dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    u, v, seconds, metres = u[first], v[first], seconds[first], metres[first]
    time = csr_matrix((seconds, (u, v)), shape=(n, n))
    length = csr_matrix((metres, (u, v)), shape=(n, n))
    return RoadGraph(np.asarray(node_ids), np.asarray(lon, float), np.asarray(lat, float),
                     time, length, source)


@lru_cache(maxsize=4)
def _cached_road_graph(path: str, mtime_ns: int) -> RoadGraph:
    return road_graph(load_graph(path), source=path)


def load_road_graph(path: str | os.PathLike[str]) -> RoadGraph:
    """`RoadGraph` for a file, cached in memory until the file changes."""
    p = Path(path).resolve()
    if not p.is_file():
        load_graph(p)  # raises the explanatory FileNotFoundError
    return _cached_road_graph(str(p), p.stat().st_mtime_ns)


def graph_for(params: TravelParams, graph: RoadGraph | None) -> RoadGraph:
    """`graph` if given, else the (cached) graph file named by `params.graph_path`."""
    if graph is not None:
        return graph
    if not params.graph_path:
        raise ValueError("the road provider needs graph_path (a .graphml or .osm file); build "
                         "one with `python -m geo network --place PLACE --out FILE.graphml`")
    return load_road_graph(params.graph_path)


def _edge_keys(mat: csr_matrix) -> np.ndarray:
    """Sorted keys row * n + col of a CSR matrix's stored entries (for vectorised lookups)."""
    n = mat.shape[1]
    rows = np.repeat(np.arange(mat.shape[0], dtype=np.int64), np.diff(mat.indptr))
    return rows * n + mat.indices.astype(np.int64)


def _path_metres(dist: np.ndarray, pred: np.ndarray, length_rev: csr_matrix,
                 keys: np.ndarray | None = None) -> np.ndarray:
    """Metres along the shortest-path trees given by `pred` (rows = sources, < 0 = none).

    The edge into node v is reversed-graph edge pred[v] -> v; lengths are summed to the root
    by pointer jumping over the reached nodes only, so the cost is O(reached x log depth) with
    no Python loop over nodes. Unreached nodes get inf.
    """
    b, n = pred.shape
    keys = _edge_keys(length_rev) if keys is None else keys
    out = np.full(b * n, np.inf)
    reached = np.flatnonzero(np.isfinite(dist.reshape(-1)))
    if reached.size == 0:
        return out.reshape(b, n)
    node = reached % n
    parent_node = pred.reshape(-1)[reached].astype(np.int64)
    has = parent_node >= 0
    acc = np.zeros(reached.size)
    target = parent_node[has] * n + node[has]
    pos = np.minimum(np.searchsorted(keys, target), keys.size - 1)
    acc[has] = np.where(keys[pos] == target, length_rev.data[pos], 0.0)
    parent = np.full(reached.size, -1, dtype=np.int64)
    parent[has] = np.searchsorted(reached, reached[has] - node[has] + parent_node[has])
    live = np.flatnonzero(parent >= 0)
    while live.size:
        up = parent[live]
        acc[live] += acc[up]
        parent[live] = parent[up]
        live = live[parent[live] >= 0]
    out[reached] = acc
    return out.reshape(b, n)


def _batches(count: int, n: int) -> list[slice]:
    size = max(1, _BATCH_CELLS // max(n, 1))
    return [slice(i, min(i + size, count)) for i in range(0, count, size)]


def _far_snaps(ids: np.ndarray, metres: np.ndarray, what: str) -> list[str]:
    far = metres > FAR_SNAP_KM * 1000
    if not far.any():
        return []
    shown = ", ".join(f"{i} ({m / 1000:.1f} km)" for i, m in zip(ids[far][:10], metres[far][:10]))
    more = f" and {int(far.sum()) - 10} more" if far.sum() > 10 else ""
    return [f"{int(far.sum())} {what} lie more than {FAR_SNAP_KM:g} km from the road graph: "
            f"{shown}{more}"]


def road_matrix(
    origins: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    params: TravelParams,
    *,
    origin_id: str | None = None,
    site_id: str | None = None,
    graph: RoadGraph | None = None,
) -> TravelMatrix:
    """Minutes and km from every origin to every site reachable within ``params.max_minutes``.

    Minutes = origin snap leg + fastest road path (origin -> site) + site snap leg. Km is the
    length of that fastest path plus the snap legs. ``graph`` overrides ``params.graph_path``.
    """
    rg = graph_for(params, graph)
    o_ids, s_ids = point_ids(origins, origin_id), point_ids(sites, site_id)
    ox_, oy_ = lonlat(origins)
    sx_, sy_ = lonlat(sites)
    snap_mps = params.snap_speed_kmh / 3.6
    limit = params.max_minutes * 60.0
    rows_l, cols_l, km_l, min_l = [], [], [], []
    warnings: list[str] = []
    if len(o_ids) and len(s_ids):
        o_node, o_snap = rg.snap(ox_, oy_)
        s_node, s_snap = rg.snap(sx_, sy_)
        warnings = _far_snaps(o_ids, o_snap, "origins") + _far_snaps(s_ids, s_snap, "sites")
        t_rev, l_rev = rg.reversed()
        keys = _edge_keys(l_rev)
        roots, site_row = np.unique(s_node, return_inverse=True)
        for part in _batches(roots.size, rg.n):
            dist, pred = dijkstra(t_rev, directed=True, indices=roots[part], limit=limit,
                                  return_predecessors=True)
            metres = _path_metres(dist, pred, l_rev, keys)
            in_part = np.nonzero((site_row >= part.start) & (site_row < part.stop))[0]
            local = site_row[in_part] - part.start
            secs = (dist[:, o_node][local] + s_snap[in_part, None] / snap_mps
                    + o_snap[None, :] / snap_mps)
            dist_m = metres[:, o_node][local] + s_snap[in_part, None] + o_snap[None, :]
            j, i = np.nonzero(secs <= limit + 1e-6)
            rows_l.append(i)
            cols_l.append(in_part[j])
            km_l.append(dist_m[j, i] / 1000.0)
            min_l.append(secs[j, i] / 60.0)
    rows = np.concatenate(rows_l) if rows_l else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols_l) if cols_l else np.zeros(0, dtype=np.int64)
    km = np.concatenate(km_l) if km_l else np.zeros(0)
    minutes = np.concatenate(min_l) if min_l else np.zeros(0)
    order = np.lexsort((cols, rows))
    return TravelMatrix(o_ids, s_ids, rows[order].astype(np.int64), cols[order].astype(np.int64),
                        km[order], minutes[order], params, warnings=tuple(warnings))


def road_nearest(
    origins: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    params: TravelParams,
    *,
    origin_id: str | None = None,
    site_id: str | None = None,
    graph: RoadGraph | None = None,
) -> pd.DataFrame:
    """Nearest site (by minutes, no cut-off) for every origin: origin_id, site_id, km, minutes.

    One multi-source Dijkstra: a virtual node per site, joined to the site's snapped node by its
    snap leg, so the search starts from every site at once. Unreachable origins get
    site_id None and infinite minutes and km. ``attrs["warnings"]`` lists far snaps.
    """
    rg = graph_for(params, graph)
    o_ids, s_ids = point_ids(origins, origin_id), point_ids(sites, site_id)
    out = pd.DataFrame({"origin_id": o_ids, "site_id": pd.Series([None] * len(o_ids), dtype=object),
                        "km": np.inf, "minutes": np.inf})
    if not len(o_ids) or not len(s_ids):
        return out
    snap_mps = params.snap_speed_kmh / 3.6
    o_node, o_snap = rg.snap(*lonlat(origins))
    s_node, s_snap = rg.snap(*lonlat(sites))
    t_rev, l_rev = rg.reversed()
    n, m = rg.n, len(s_ids)
    virt = np.arange(n, n + m)
    t_ext = _extend(t_rev, virt, s_node, s_snap / snap_mps, n + m)
    l_ext = _extend(l_rev, virt, s_node, s_snap, n + m)
    dist, pred, src = dijkstra(t_ext, directed=True, indices=virt, min_only=True,
                               return_predecessors=True)
    metres = _path_metres(dist[None, :], pred[None, :], l_ext)[0]
    reach = np.isfinite(dist[o_node])
    out.loc[reach, "site_id"] = s_ids[src[o_node[reach]] - n]
    out.loc[reach, "minutes"] = (dist[o_node[reach]] + o_snap[reach] / snap_mps) / 60.0
    out.loc[reach, "km"] = (metres[o_node[reach]] + o_snap[reach]) / 1000.0
    out.attrs["warnings"] = (_far_snaps(o_ids, o_snap, "origins")
                             + _far_snaps(s_ids, s_snap, "sites"))
    return out


def _extend(mat: csr_matrix, virt: np.ndarray, to: np.ndarray, weight: np.ndarray,
            size: int) -> csr_matrix:
    """`mat` grown to size x size with edges virt[k] -> to[k] of weight[k]."""
    coo = mat.tocoo()
    return csr_matrix(
        (np.concatenate([coo.data, weight]),
         (np.concatenate([coo.row, virt]), np.concatenate([coo.col, to]))),
        shape=(size, size),
    ).sorted_indices()


def reachable(
    rg: RoadGraph, site_lonlat: tuple[float, float], params: TravelParams,
    minutes: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Nodes from which the site is reachable within `minutes`, and seconds left at each.

    Seconds left = standard - site snap leg - road time from the node; an origin snapped to the
    node is within the standard if its own snap leg fits in that budget.
    """
    limit = (params.max_minutes if minutes is None else minutes) * 60.0
    node, snap = rg.snap(np.array([site_lonlat[0]]), np.array([site_lonlat[1]]))
    budget = limit - snap[0] / (params.snap_speed_kmh / 3.6)
    if budget < 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    t_rev, _ = rg.reversed()
    dist = dijkstra(t_rev, directed=True, indices=int(node[0]), limit=budget)
    nodes = np.nonzero(np.isfinite(dist))[0]
    return nodes, budget - dist[nodes]
