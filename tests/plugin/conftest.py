"""The plugin tests drive pytest itself through the ``pytester`` fixture."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Load pytest's own ``pytester`` plugin for these tests."""
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
