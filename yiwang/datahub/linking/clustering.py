"""Joining keyless records to exact clusters and to each other, never joining two exact clusters."""

from __future__ import annotations

from typing import NamedTuple


class Edge(NamedTuple):
    """A scored link: keyless record to exact cluster (right < 0) or keyless record to keyless record."""

    weight: float
    probability: float
    left: int
    right: int
    matched_for_left: int | None  # the record that brought `left` in
    matched_for_right: int | None


class Components:
    """Union-find over keyless records (keys ≥ 0) and exact clusters (anchors < 0), one anchor per component."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.anchors: dict[str, int] = {}
        self.keys: dict[int, str] = {}
        self.anchor_of: dict[int, int] = {}

    def anchor(self, key: str) -> int:
        """The node standing for the exact cluster of `key`."""
        node = self.anchors.get(key)
        if node is None:
            node = self.anchors[key] = -(len(self.anchors) + 1)
            self.keys[node] = key
            self.anchor_of[node] = node
        return node

    def find(self, node: int) -> int:
        """The root of `node`'s component (with path compression)."""
        root = node
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while self.parent.get(node, node) != root:
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, left: int, right: int) -> bool:
        """Join two components unless each already holds a different exact cluster; say whether they are one."""
        left_root, right_root = self.find(left), self.find(right)
        if left_root == right_root:
            return True
        left_anchor, right_anchor = self.anchor_of.get(left_root), self.anchor_of.get(right_root)
        if left_anchor is not None and right_anchor is not None:
            return False
        self.parent[right_root] = left_root
        joined = left_anchor if left_anchor is not None else right_anchor
        if joined is not None:
            self.anchor_of[left_root] = joined
        return True

    def key_of(self, node: int) -> str | None:
        """The valid key of the exact cluster in `node`'s component, if there is one."""
        anchor = self.anchor_of.get(self.find(node))
        return self.keys[anchor] if anchor is not None else None
