"""The test double's controls: reset, snapshots, fixtures, the clock, ids, rate-limit plans
and injected faults. Mounted under /_opensales/ only with OPENSALES_TEST_MODE=1; the pytest
plugin (opensales.testing) drives the same service in process. See docs/testing.md."""
