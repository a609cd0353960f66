"""Races of real processes on one database, shared by tests/services/test_concurrency.py and
bench/bench_concurrency.py: :func:`race` (many editors of one project, tests/racing/edits.py),
:func:`import_race` (service writes during an import, tests/racing/imports.py) and
:func:`service_race` (writers through the services beside a partner import and a brief,
tests/racing/services.py).

Everything here runs in spawned processes, so it imports the product inside the functions and
nothing of ``tests.fixtures.base`` (which pins the clock for the suite).
"""

from tests.racing.edits import RaceResult, race
from tests.racing.imports import IMPORT_ACTOR, ImportRaceResult, WriteOutcome, import_race
from tests.racing.services import ServiceRaceResult, service_race

__all__ = [
    "IMPORT_ACTOR",
    "ImportRaceResult",
    "RaceResult",
    "ServiceRaceResult",
    "WriteOutcome",
    "import_race",
    "race",
    "service_race",
]
