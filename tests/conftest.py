"""Suite-wide test settings."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# Timing checks judge the machine, not the fake: CI runs the suite on 2 busy cores.
settings.register_profile(
    "fake-dataverse-suite", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("fake-dataverse-suite")
