"""Great Expectations suites for the quality gate, defined in reviewed code rather than generated JSON."""

import os

# GX posts usage data on import unless this is set first, and the submodules import GX.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
