"""Kubernetes resource quantities (`500m`, `0.7`, `1Gi`, `1e3`, `512M`) as exact numbers.

Only for comparing: rendered manifests always carry the user's own spelling unchanged, so a
GitOps tool never sees a diff (`"0.5"` stays `"0.5"`, never becomes `500m`).
"""

from __future__ import annotations

import re
from fractions import Fraction

# The grammar of k8s.io/apimachinery/pkg/api/resource: a signed decimal number, then one
# binary-SI suffix, one decimal-SI suffix, or a decimal exponent. The exponent comes first
# in the alternation so that `1E3` is 1000, while a bare `1E` is one exa.
_QUANTITY = re.compile(
    r"(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?P<suffix>[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?"
)

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


class QuantityError(ValueError):
    """A value that is not a Kubernetes quantity; the message quotes it."""


def parse_quantity(value: object) -> Fraction:
    """The exact value of a quantity: `parse_quantity("700m") == parse_quantity("0.7")`.

    Accepts strings and the bare numbers YAML produces for unquoted values (`cpu: 1`,
    `cpu: 0.5`); booleans and everything else raise `QuantityError`.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise QuantityError(f"{value!r} is not a Kubernetes quantity")
    text = str(value)
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise QuantityError(f"{text!r} is not a Kubernetes quantity")
    number = Fraction(match["number"])
    suffix = match["suffix"] or ""
    if suffix in _BINARY:
        return number * Fraction(1024) ** _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * Fraction(10) ** _DECIMAL[suffix]
    if suffix:
        return number * Fraction(10) ** int(suffix[1:])
    return number
