"""Kubernetes quantities compare numerically, whatever their spelling (case C09)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from periodic_operator.render.quantity import QuantityError, parse_quantity

EQUAL = [
    ("0.7", "700m"), ("0.5", "500m"), (".5", "500m"), ("1", "1000m"), ("+1", "1"),
    ("1e3", "1k"), ("1E3", "1000"), ("1e-3", "1m"), ("512M", "512000000"),
    ("1Ki", "1024"), ("1Gi", "1073741824"), ("1.5Gi", "1536Mi"), ("1E", "1000P"),
    ("100n", "0.0000001"), ("1u", "1000n"), ("2T", "2000G"), ("1Ei", "1024Pi"),
    (1, "1"), (0.5, "500m"), (2, "2000m"),
]


@pytest.mark.parametrize(("left", "right"), EQUAL, ids=[f"{a}=={b}" for a, b in EQUAL])
def test_equal_spellings(left: object, right: object) -> None:
    assert parse_quantity(left) == parse_quantity(right)


ORDERED = [("500m", "0.7"), ("512M", "512Mi"), ("999m", "1"), ("1k", "1Ki"), ("128Mi", "1Gi")]


@pytest.mark.parametrize(("smaller", "larger"), ORDERED, ids=[f"{a}<{b}" for a, b in ORDERED])
def test_order(smaller: str, larger: str) -> None:
    assert parse_quantity(smaller) < parse_quantity(larger)


def test_exact_value() -> None:
    assert parse_quantity("700m") == Fraction(7, 10)
    assert parse_quantity("1.5Ki") == 1536


BAD = ["", "abc", "1.2.3", "5 m", "1K", "Mi", "1ki", "1e", "--1", "1mm", "0x10", " 1"]


@pytest.mark.parametrize("text", BAD, ids=[repr(b) for b in BAD])
def test_refused(text: str) -> None:
    with pytest.raises(QuantityError, match="is not a Kubernetes quantity"):
        parse_quantity(text)


@pytest.mark.parametrize("value", [True, None, [1], {"cpu": 1}], ids=["bool", "null", "list", "mapping"])
def test_refused_types(value: object) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(value)
