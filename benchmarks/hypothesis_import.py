"""What installing fake-dataverse adds to every ``import hypothesis``.

Hypothesis runs the package's ``hypothesis`` entry point while it is being imported, in every
process that imports Hypothesis, whether or not it uses fake-dataverse. Two measures, each the
median over fresh interpreters:

- the entry point alone: Hypothesis imported with ``HYPOTHESIS_NO_PLUGINS=1``, then the entry
  point loaded and called, timed, and the modules it imported counted;
- ``python -X importtime -c "import hypothesis"``: Hypothesis' cumulative import time, and the
  same with ``HYPOTHESIS_NO_PLUGINS=1`` (which also skips Hypothesis' scan of every installed
  package's entry points, so the difference is an upper bound; ``-X importtime`` does not see
  modules loaded through ``importlib``, as entry points are, so the first measure is the
  precise one).

    python benchmarks/hypothesis_import.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

_ENTRY_POINT = """
import importlib.metadata, sys, time
import hypothesis
(entry,) = [e for e in importlib.metadata.entry_points(group="hypothesis")
            if e.value.startswith("fake_dataverse")]
before = set(sys.modules)
start = time.perf_counter()
entry.load()()
elapsed = time.perf_counter() - start
print(elapsed * 1000, len(set(sys.modules) - before))
"""


def entry_point_cost() -> tuple[float, int]:
    """Return (milliseconds, modules imported) of loading and calling the entry point once."""
    env = {**os.environ, "HYPOTHESIS_NO_PLUGINS": "1"}
    output = subprocess.run(
        [sys.executable, "-c", _ENTRY_POINT], capture_output=True, text=True, check=True, env=env
    ).stdout.split()
    return float(output[0]), int(output[1])


def importtime_ms(*, plugins: bool) -> float:
    """Return Hypothesis' cumulative import time in ms, as ``-X importtime`` reports it."""
    env = dict(os.environ)
    env.pop("HYPOTHESIS_NO_PLUGINS", None)
    if not plugins:
        env["HYPOTHESIS_NO_PLUGINS"] = "1"
    stderr = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import hypothesis"],
        capture_output=True, text=True, check=True, env=env,
    ).stderr
    for line in stderr.splitlines():
        if line.endswith("| hypothesis"):
            return int(line.split("|")[1]) / 1000
    raise RuntimeError("no import time reported for hypothesis")


def main() -> None:
    """Print both measures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    costs = [entry_point_cost() for _ in range(runs)]
    with_plugin = statistics.median(importtime_ms(plugins=True) for _ in range(runs))
    without = statistics.median(importtime_ms(plugins=False) for _ in range(runs))
    print(f"entry point: {statistics.median(c for c, _ in costs):.2f} ms median, "
          f"{min(c for c, _ in costs):.2f} ms fastest, {max(n for _, n in costs)} modules "
          f"imported ({runs} runs; a loaded machine moves the median, not the count)")
    print(f"import hypothesis (-X importtime): {with_plugin:.1f} ms with the entry point, "
          f"{without:.1f} ms without: {with_plugin - without:+.1f} ms")


if __name__ == "__main__":
    main()
