"""`otbasy COMMAND ...`: one entry point for every command-line tool of Otbasy.

Each command is registered by one line in `COMMANDS`. A command module either has
`configure(parser)` and `run(args) -> int` (parsed here, with `otbasy NAME` as its program name)
or `main(argv) -> int` (its own parser; `prefix` goes before the user's arguments). Modules are
imported only when their command runs, so help stays fast and a broken module never breaks
another command; a command whose `requires` module is not installed is not offered.
Exit codes are documented in docs/cli.md.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from otbasy import __version__, logs

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class Command:
    """Where a command lives; `help` defaults to the first line of the module's docstring."""

    module: str
    help: str | None = None
    prefix: tuple[str, ...] = ()
    requires: str | None = None

    def available(self) -> bool:
        """False when `requires` is not installed: the command is then not offered at all."""
        if self.requires is None:
            return True
        try:
            return importlib.util.find_spec(self.requires) is not None
        except ImportError:  # its parent package is missing
            return False

    def summary(self) -> str:
        """One help line, read without importing the module (help stays fast, never fatal)."""
        if self.help:
            return self.help
        try:
            spec = importlib.util.find_spec(self.module)
            if spec is None or spec.origin is None:
                return f"(unavailable: no module {self.module})"
            doc = ast.get_docstring(ast.parse(Path(spec.origin).read_text(encoding="utf-8")))
        except (ImportError, OSError, SyntaxError, ValueError) as exc:
            return f"(unavailable: {type(exc).__name__}: {exc})"
        return doc.strip().splitlines()[0] if doc and doc.strip() else ""


# One line per command. A module with `main(argv)` gets `prefix` before the user's arguments.
COMMANDS: dict[str, Command] = {
    "app": Command("otbasy.app_cli"),
    "summary": Command("geo.summary"),
    "check": Command("geo.check"),
    "coverage": Command("geo.coverage_cli"),
    "network": Command("geo.network_cli"),
    "graphs": Command("geo.graphs_cli"),
    "example": Command("planning.__main__", "Print a commented default scenario (TOML).",
                       ("example",)),
    "solve": Command("planning.__main__", "Solve a scenario and write the results.", ("solve",)),
    "sweep": Command("planning.__main__", "Run a scenario sweep.", ("sweep",),
                     requires="planning.sweep_cli"),
    "planning": Command("planning.__main__", "Every planning subcommand (python -m planning)."),
    "accounts": Command("access.__main__", "Manage user accounts (python -m access)."),
    "gatekeeping": Command("gatekeeping.__main__", "Gatekeeping indicators and trends.",
                           requires="gatekeeping"),
}


def usage(commands: dict[str, Command], prog: str) -> str:
    """The command list shown by `--help` and after a usage error."""
    width = max((len(n) for n in commands), default=0)
    return "\n".join([f"usage: {prog} [--version] [-v] COMMAND [options]   "
                      f"({prog} COMMAND --help)", "", "commands:"]
                     + [f"  {n.ljust(width)}  {c.summary()}" for n, c in commands.items()])


def main(argv: list[str] | None = None, commands: dict[str, Command] | None = None,
         prog: str = "otbasy") -> int:
    """Run one command and return its exit code (2 for usage errors, see docs/cli.md)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    offered = {n: c for n, c in (COMMANDS if commands is None else commands).items()
               if c.available()}
    verbosity = 0
    while argv and argv[0] in ("-v", "-vv", "--verbose"):
        verbosity += 2 if argv.pop(0) == "-vv" else 1
    if argv and argv[0] == "--version":
        print(f"otbasy {__version__}")
        return EXIT_OK
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(offered, prog), file=sys.stdout if argv else sys.stderr)
        return EXIT_OK if argv else EXIT_USAGE
    name, rest = argv[0], argv[1:]
    if name not in offered:
        print(f"{prog}: unknown subcommand '{name}'; choose one of: " + ", ".join(offered),
              file=sys.stderr)
        return EXIT_USAGE
    logs.configure(verbosity)
    command = offered[name]
    try:
        module = importlib.import_module(command.module)
    except Exception as exc:  # reported in one line; other commands still work
        log.debug("importing %s failed", command.module, exc_info=True)
        print(f"{prog} {name}: unavailable ({type(exc).__name__}: {exc})", file=sys.stderr)
        return EXIT_USAGE
    if hasattr(module, "configure"):
        parser = argparse.ArgumentParser(prog=f"{prog} {name}", description=module.__doc__,
                                         formatter_class=argparse.RawDescriptionHelpFormatter)
        module.configure(parser)
        return int(module.run(parser.parse_args(rest)))
    return int(module.main([*command.prefix, *rest]))


if __name__ == "__main__":
    sys.exit(main())
