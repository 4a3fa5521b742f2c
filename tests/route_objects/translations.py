"""Route objects of the translations app (see tests/route_objects/__init__.py).

The translation page takes the measure keywords and ``language``: a language
openproms has (the measure is the tenant's own, so another organisation gets 404).
"""

from __future__ import annotations

import types

FACTORIES = {
    "language": lambda tenant, made: types.SimpleNamespace(pk="cy"),
}
