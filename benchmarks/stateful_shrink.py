"""How long a failing ``DataverseStateMachine`` takes to report, shrink included.

A client with a seeded bug (its delete skips rows that have a partition) runs under the
machine with a fixed seed (``derandomize=True``), once with the settings a user would first write
(``max_examples=15, stateful_step_count=12``) and once with ``DataverseStateMachine.fast_settings``.
Prints the seconds until the failure is reported and how many steps the reported failure holds.

    python benchmarks/stateful_shrink.py [--only default|fast]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from fake_dataverse.strategies import DataverseStateMachine
from fake_dataverse.strategies._stateful import RowRef


class BuggyClient(DataverseStateMachine):
    """A client whose delete skips rows that have a partition: the machine must catch it."""

    def delete_row(self, row: RowRef) -> None:
        if row.partition_id is None:
            super().delete_row(row)


FIRST_TRY = settings(max_examples=15, stateful_step_count=12, deadline=None)


def measure(name: str, chosen: settings) -> None:
    """Run the buggy client under ``chosen`` and print the time and the reported steps."""
    seeded = settings(chosen, derandomize=True, database=None, print_blob=False)
    start = time.perf_counter()
    try:
        run_state_machine_as_test(BuggyClient, settings=seeded)
    except AssertionError as failure:
        elapsed = time.perf_counter() - start
        notes = "\n".join(getattr(failure, "__notes__", []))
        steps = sum(1 for line in notes.splitlines() if line.startswith("state."))
        print(f"{name}: failure reported after {elapsed:.1f} s, {steps} steps in the report")
        return
    print(f"{name}: no failure found in {time.perf_counter() - start:.1f} s")


def main() -> None:
    """Measure the first-try settings and the fast preset."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", choices=("default", "fast"))
    only = parser.parse_args().only
    if only in (None, "default"):
        measure("max_examples=15, stateful_step_count=12", FIRST_TRY)
    if only in (None, "fast"):
        measure("DataverseStateMachine.fast_settings", DataverseStateMachine.fast_settings)


if __name__ == "__main__":
    main()
