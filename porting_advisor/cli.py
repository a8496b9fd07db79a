# SPDX-License-Identifier: Apache-2.0
"""The command line: parse options, run the scan, write the reports, choose the exit code."""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from porting_advisor.gate.options import scan_options
from porting_advisor.gate.settings import UsageError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@scan_options
@click.pass_context
def command(ctx: click.Context, /, **params: Any) -> int:
    """Scan PATH for what stops it from building and running on Arm64.

    Subcommands: `porting-advisor merge REPORT.json... --output FILE` (a portfolio over many
    reports) and `porting-advisor mcp --root DIR` (an MCP server for coding agents); see their
    --help. To scan a directory named merge or mcp, write ./merge or ./mcp."""
    if params["list_rules"] or params["explain"] or params["list_targets"]:
        from porting_advisor.gate import catalogue  # (not on a scan's start-up path)

        if params["list_rules"] or params["explain"]:
            catalogue.print_rules(params["rules_dir"], params["explain"])
        else:
            catalogue.print_targets()
        return 0
    path = params["path"]
    if not path:
        raise UsageError("missing PATH (the directory or file to scan)")
    root = Path(path)
    if not root.exists():
        raise UsageError(f"path '{path}' does not exist")
    if not (root.is_dir() or root.is_file()):
        raise UsageError(f"path '{path}' is neither a directory nor a file")
    started = time.perf_counter()
    from porting_advisor import report
    from porting_advisor.core import ruleset
    from porting_advisor.core.model import base_dir
    from porting_advisor.engine import pipeline
    from porting_advisor.gate import baseline, outputs, settings, verdict

    targets = outputs.targets(params["output"], params["fmt"])

    if params["write_baseline"] and params["changed_since"]:
        # only the changed files' findings would be recorded: every other entry would be lost
        raise UsageError("--write-baseline records the whole tree: run it without --changed-since")
    rs = ruleset.load(Path(params["rules_dir"]) if params["rules_dir"] else None)
    options, p = settings.build(ctx, params, rs)
    known = baseline.load(Path(p["baseline"])) if p["baseline"] else None
    result = pipeline.run(options, rs)
    settings.annotate(result, p, options.root)
    if p["write_baseline"]:
        count = baseline.write(Path(p["write_baseline"]), result.findings)
        click.echo(f"porting-advisor: wrote {count} finding(s) to {p['write_baseline']}", err=True)
    if known is not None:
        result = baseline.apply(result, known, base_dir(options.root))
    # the whole command's time (rules, configuration, a cached report's reuse): what was waited
    result.duration = round(time.perf_counter() - started, 3)
    if any(fmt == "html" for _, fmt in targets):
        pipeline.attach_context(result, options.root, report.html.html_findings(result))
    outputs.warn(result, options.quiet)
    for out_path, out_fmt in targets:
        if out_path == "-":
            outputs.write_stdout(out_fmt, result, rs, p["link_base"])
        else:
            outputs.write_report(out_path, out_fmt, result, rs, p["link_base"])
    pipeline.PHASES.mark("report")
    pipeline.PHASES.print()
    return verdict.decide(result, rs, p, [path for path, _ in targets if path != "-"])


def main(argv: list[str] | None = None) -> int:
    """Run the command; every usage or input error is one line on stderr and exit 2."""
    from porting_advisor.core.ruleset import RuleError
    from porting_advisor.gate import interrupt
    from porting_advisor.gate.baseline import BaselineError

    # No cyclic garbage collection while the command runs: a scan makes almost no reference
    # cycles, and collecting the parent's growing lists of tasks and results costs time
    # (docs/performance.md). Workers turn it back on.
    args = sys.argv[1:] if argv is None else argv
    chosen, prog = command, "porting-advisor"
    from porting_advisor.subcommands import COMMANDS

    name = args[0] if args and args[0] in COMMANDS else ""  # `./merge` scans a directory
    if name:
        chosen, prog, args = COMMANDS[name], f"porting-advisor {name}", args[1:]
    enabled = gc.isenabled()
    if name != "mcp":  # a long-running server keeps the collector
        gc.disable()
    try:
        with interrupt.term_as_interrupt():
            rc = chosen.main(args=args, prog_name=prog, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        code = interrupt.status()
        click.echo(f"porting-advisor: {'terminated' if code == 143 else 'aborted'}", err=True)
        return code
    except click.ClickException as exc:
        click.echo(f"porting-advisor: error: {exc.format_message()}", err=True)
        return 2
    except (UsageError, RuleError, BaselineError) as exc:
        click.echo(f"porting-advisor: error: {exc}", err=True)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug of ours: one line, not a traceback
        if os.environ.get("PORTING_ADVISOR_DEBUG"):
            raise
        click.echo(
            f"porting-advisor: internal error: {type(exc).__name__}: {exc} (a bug in "
            "porting-advisor; PORTING_ADVISOR_DEBUG=1 shows where)",
            err=True,
        )
        return 2
    finally:
        if enabled:
            gc.enable()
    return int(rc or 0)


if __name__ == "__main__":
    sys.exit(main())
