"""Every dashboard test starts and ends with empty Streamlit caches. Autouse for this folder only,
so it stays here; the fixture itself is :func:`tests.fixtures.ui.fresh_streamlit_caches`."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches(fresh_streamlit_caches: None) -> None:
    """Asks for the suite's cache clearing in every test of tests/ui."""
