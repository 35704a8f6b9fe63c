"""A site map as a networkx graph, edges weighted by their Euclidean length in metres."""

from __future__ import annotations

import math

import networkx as nx

from assistant.world.schema import SiteMap


def edge_length(site_map: SiteMap, a: str, b: str) -> float:
    (ax, ay), (bx, by) = site_map.nodes[a], site_map.nodes[b]
    return math.hypot(bx - ax, by - ay)


def build_graph(site_map: SiteMap) -> nx.Graph:
    # Undirected: AGVs and people share the aisles in both directions (see demo.yaml).
    graph = nx.Graph()
    for node, (x, y) in site_map.nodes.items():
        graph.add_node(node, x=x, y=y)
    for a, b in site_map.edges:
        if a not in site_map.nodes or b not in site_map.nodes:
            raise ValueError(f"map {site_map.code}: edge {a}-{b} names an unknown node")
        graph.add_edge(a, b, weight=edge_length(site_map, a, b))
    return graph
