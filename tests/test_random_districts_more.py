"""Ten more drawn districts (see test_random_districts.py), from another seed: a file of its own so
that another test worker runs them beside the first ten."""
from __future__ import annotations

import pytest

from test_random_districts import *  # noqa: F403  (the same tests, over this file's districts)
from test_random_districts import drawn  # noqa: F401

pytestmark = pytest.mark.month


@pytest.fixture(scope="module")
def seed() -> int:
    return 20261208
