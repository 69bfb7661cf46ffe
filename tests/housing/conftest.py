"""Housing test fixtures."""

import pytest

from housing.models import Programme


@pytest.fixture
def programme(db) -> Programme:
    """The province's 2021–2025 scheme (seeded by migration housing/0002)."""
    return Programme.objects.get(code="de-an-tinh-2021-2025")
