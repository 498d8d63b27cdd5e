"""``fake-dataverse serve``: one fake organization on a local HTTP server, in the foreground.

The first line printed is the server's URL (scripts read it); Ctrl-C or SIGTERM stops it
cleanly (exit status 0). Everything else a test drives through ``dv`` is the admin API under
``/_fake/`` (see ``docs/clients.md``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from fake_dataverse._fake import DEFAULT_URL, FakeDataverse
from fake_dataverse._interception._server import LocalServer, print_log

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fake-dataverse", description="A fake Microsoft Dataverse organization."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="serve the Web API on a local HTTP server until Ctrl-C",
        description="Serve one fake organization's Web API, status monitor and admin API "
        "(/_fake/) over HTTP. Prints the URL first.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="port to bind (0: any free port)")
    serve.add_argument("--seed", default=None, help="seed of the id factory (same seed, same ids)")
    serve.add_argument("--no-auth", action="store_true",
                       help="accept requests without 'Authorization: Bearer <token>'")
    serve.add_argument("--table", nargs="+", default=[], metavar="FILE", type=Path,
                       help="JSON files describing more tables (one table or a list)")
    serve.add_argument("--url", default=DEFAULT_URL,
                       help=f"the organization's own URL (default {DEFAULT_URL})")
    serve.add_argument("--quiet", action="store_true", help="no access log on standard error")
    return parser


def _tables(paths: Sequence[Path]) -> list[Any]:
    tables: list[Any] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SystemExit(f"fake-dataverse: cannot read table file {path}: {error}") from None
        tables.extend(data if isinstance(data, list) else [data])
    return tables


def _seed(text: str | None) -> int | str | None:
    if text is None:
        return None
    return int(text) if text.lstrip("-").isdigit() else text


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(options: argparse.Namespace) -> int:
    """Run the server in the foreground; return the exit status."""
    try:
        dv = FakeDataverse(options.url, id_factory=_seed(options.seed),
                           tables=_tables(options.table), require_auth=not options.no_auth)
    except (TypeError, ValueError) as error:
        raise SystemExit(f"fake-dataverse: {error}") from None
    try:
        server = LocalServer(dv, dv.handle, host=options.host, port=options.port,
                             log=None if options.quiet else print_log, background=False)
    except OSError as error:
        raise SystemExit(f"fake-dataverse: cannot listen on {options.host}:{options.port}: "
                         f"{error}") from None
    # Installed even where SIGINT arrives ignored (a shell's background job): Ctrl-C and
    # `kill -INT` must stop the server, as SIGTERM does.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print(server.url, flush=True)
    print(f"fake-dataverse: {dv.url} served at {server.url} (admin API: {server.url}/_fake/); "
          "Ctrl-C stops it", file=sys.stderr, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    print("fake-dataverse: stopped", file=sys.stderr, flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The ``fake-dataverse`` command."""
    options = _parser().parse_args(argv)
    return serve(options)
