"""The kinds of import, listed once, in `settings.IMPORT_KINDS`.

The list lives in the project's settings because the project is the layer that knows every
app: housing's kind is named there, and this package (in activities) never imports housing.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from activities.imports.engine import ImportKind


@cache
def kinds() -> dict[str, type[ImportKind]]:
    """Every kind by its slug (the name `import_data` takes), in the settings' order."""
    found: dict[str, type[ImportKind]] = {}
    for path in settings.IMPORT_KINDS:
        kind = import_string(path)
        if kind.slug in found:
            raise ValueError(f"Two import kinds share the slug {kind.slug!r}: {path}")
        found[kind.slug] = kind
    return found


def kind_for(slug: str) -> type[ImportKind] | None:
    return kinds().get(slug)
