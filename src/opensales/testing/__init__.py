"""opensales as a test double: a pytest plugin (`pytest_plugins = ["opensales.testing"]`,
or loaded on its own where opensales is installed). See docs/testing.md."""

from opensales.testing.plugin import opensales, opensales_server, pytest_addoption

__all__ = ["opensales", "opensales_server", "pytest_addoption"]
