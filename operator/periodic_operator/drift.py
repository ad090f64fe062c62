"""Does a live object still hold what we would apply? (pure; fields we manage only)

The desired manifest lists exactly the fields the operator manages. A live object matches
when every one of those fields holds the same value; fields the API server or other
controllers add (defaults, status, managedFields) are ignored. Two normalisations make the
comparison match what the server stores: quantities under `resources` compare by value (the
server canonicalises `0.5` to `500m`), and an empty or null desired value matches an absent
live one (the server prunes them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .render.quantity import QuantityError, parse_quantity

_QUANTITY_PARENTS = frozenset({"requests", "limits"})
_IGNORED_METADATA = frozenset({"namespace"})  # implied by the request path


def matches(desired: Mapping[str, Any], live: Mapping[str, Any]) -> bool:
    """Whether `live` agrees with `desired` on every field `desired` sets."""
    return not differences(desired, live)


def differences(desired: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
    """Paths (`spec.jobTemplate.spec.backoffLimit`) where `live` differs; empty when equal."""
    found: list[str] = []
    _compare(desired, live, "", found, parent="")
    return found


def _empty(value: Any) -> bool:
    return value is None or value == {} or value == []


def _compare(want: Any, have: Any, path: str, found: list[str], parent: str) -> None:
    if isinstance(want, Mapping):
        if not isinstance(have, Mapping):
            if not (_empty(want) and have is None):
                found.append(path or ".")
            return
        for key, value in want.items():
            if path == "metadata" and key in _IGNORED_METADATA:
                continue
            child = f"{path}.{key}" if path else str(key)
            if key not in have:
                if not _empty(value):
                    found.append(child)
                continue
            _compare(value, have[key], child, found, parent=path.rsplit(".", 1)[-1])
    elif isinstance(want, Sequence) and not isinstance(want, str):
        if not isinstance(have, Sequence) or isinstance(have, str):
            if not (_empty(want) and have is None):
                found.append(path)
            return
        _compare_list(want, have, path, found, parent)
    elif not _scalar_equal(want, have, parent):
        found.append(path)


def _compare_list(want: Sequence[Any], have: Sequence[Any], path: str, found: list[str], parent: str) -> None:
    # Lists keyed by name (containers, env, ports, volumes) merge under server-side apply:
    # items someone else added survive our apply, so only our items are compared.
    if want and all(isinstance(item, Mapping) and "name" in item for item in want):
        by_name = {item.get("name"): item for item in have if isinstance(item, Mapping)}
        for item in want:
            other = by_name.get(item["name"])
            if other is None:
                found.append(f"{path}[name={item['name']}]")
            else:
                _compare(item, other, f"{path}[name={item['name']}]", found, parent=parent)
        return
    if len(want) != len(have):
        found.append(path)
        return
    for index, (item, other) in enumerate(zip(want, have)):
        _compare(item, other, f"{path}[{index}]", found, parent=parent)


def _scalar_equal(want: Any, have: Any, parent: str) -> bool:
    if want == have and type(want) is type(have):
        return True
    if parent in _QUANTITY_PARENTS:
        try:
            return parse_quantity(want) == parse_quantity(have)
        except QuantityError:
            return False
    # JSON has one number type: 1 and 1.0 are the same value on the wire.
    both_numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (want, have))
    return both_numbers and want == have

