"""`python -m geo SUBCOMMAND ...`: the geo commands of `otbasy` (check, coverage, graphs,
network, summary).

Each subcommand is a module with `configure(parser)` and `run(args) -> int`, registered once in
`otbasy.cli.COMMANDS`; the dispatcher imports a module only when its command runs.
"""

from __future__ import annotations

import sys

from otbasy import cli

SUBCOMMANDS: dict[str, cli.Command] = {
    name: cli.COMMANDS[name] for name in ("check", "coverage", "graphs", "network", "summary")}


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand; return its exit code (2 for usage errors)."""
    return cli.main(argv, SUBCOMMANDS, prog="python -m geo")


if __name__ == "__main__":
    sys.exit(main())
