"""The suite's fixtures live in tests/fixtures/ and load here as plugins; tests import their
constants and helpers from ``tests.fixtures.<module>``, never from a conftest.

``tests.fixtures.base`` comes first: importing it pins the clock (PORTFOLIO_TODAY) before anything
imports the app. A fixture that must only apply to one folder (an autouse one, or an override of a
suite fixture) stays in that folder's conftest.py: tests/ui, tests/exchange.
"""

pytest_plugins = [
    "tests.fixtures.base",
    "tests.fixtures.databases",
    "tests.fixtures.exchange",
    "tests.fixtures.reports",
    "tests.fixtures.small_portfolio",
    "tests.fixtures.ui",
]
