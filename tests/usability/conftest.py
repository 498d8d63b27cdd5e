"""Shared helpers for the usability tests: what a rejected call must leave as it was."""

from __future__ import annotations

import pytest

TABLE = "backgroundoperation"




def pytest_configure(config: pytest.Config) -> None:
    """Load pytest's own ``pytester`` plugin (the interception tests run a session with it)."""
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
