"""`python -m geo SUBCOMMAND ...`: the command-line entry point of Otbasy's geo tools.

Each subcommand is a module with `configure(parser)` and `run(args) -> int`, registered by one
line in `SUBCOMMANDS`. Modules are imported only when used, so a broken one never breaks others.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SUBCOMMANDS: dict[str, str] = {
    "check": "geo.check",
    "coverage": "geo.coverage_cli",
    "graphs": "geo.graphs_cli",
    "network": "geo.network_cli",
    "summary": "geo.summary",
}


def _load(name: str) -> ModuleType:
    return importlib.import_module(SUBCOMMANDS[name])


def _summary(name: str) -> str:
    """First docstring line of a subcommand, read without importing it (help stays fast)."""
    try:
        spec = importlib.util.find_spec(SUBCOMMANDS[name])
        if spec is None or spec.origin is None:
            return f"(unavailable: no module {SUBCOMMANDS[name]})"
        doc = ast.get_docstring(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))) or ""
    except (ImportError, OSError, SyntaxError, ValueError) as exc:  # listed, never fatal
        return f"(unavailable: {type(exc).__name__}: {exc})"
    return doc.strip().splitlines()[0] if doc.strip() else ""


def usage() -> str:
    lines = ["usage: python -m geo SUBCOMMAND [options]   (python -m geo SUBCOMMAND --help)",
             "", "subcommands:"]
    width = max(len(n) for n in SUBCOMMANDS)
    lines += [f"  {name.ljust(width)}  {_summary(name)}" for name in SUBCOMMANDS]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a subcommand; return its exit code (2 for usage errors)."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    name = argv[0]
    if name not in SUBCOMMANDS:
        print(f"python -m geo: unknown subcommand '{name}'; choose one of: "
              + ", ".join(SUBCOMMANDS), file=sys.stderr)
        return 2
    try:
        module = _load(name)
    except Exception as exc:  # report, do not crash the dispatcher
        print(f"python -m geo {name}: unavailable ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog=f"python -m geo {name}", description=module.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    module.configure(parser)
    return int(module.run(parser.parse_args(argv[1:])))


if __name__ == "__main__":
    sys.exit(main())
