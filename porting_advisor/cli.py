# SPDX-License-Identifier: Apache-2.0
"""The command line: parse options, run the scan, write the reports, choose the exit code."""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from porting_advisor import __version__
from porting_advisor.gate.settings import TARGET_OSES, TARGETS, UsageError
from porting_advisor.gate.verdict import FAIL_ON

if TYPE_CHECKING:
    pass


def print_rules(rules_dir: str | None, explain: str | None) -> None:
    from porting_advisor.core import ruleset

    rs = ruleset.load(Path(rules_dir) if rules_dir else None)
    if explain:
        rule = rs.rules.get(explain)
        if rule is None:
            raise UsageError(f"unknown rule '{explain}' (see --list-rules)")
        click.echo(
            f"{rule.id}: {rule.title}\ncategory: {rule.category}\nseverity: "
            f"{rule.severity.label}\n\n{rule.description}\n\nSuggestion: {rule.suggestion}"
        )
        if rule.example:
            click.echo(f"\nExample:\n{rule.example}")
        return
    for rule in sorted(rs.rules.values(), key=lambda r: (r.category, r.id)):
        click.echo(f"{rule.id:<34} {rule.category:<19} {rule.severity.label:<8} {rule.title}")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("path", required=False)
@click.option("--output", "-o", multiple=True, help="Write a report; format from the extension.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html", "sarif", "csv", "markdown", "dependencies-csv"]),
    help="Format for stdout (or one --output).",
)
@click.option("--link-base", default="", help="URL prefix that turns file:line into links.")
@click.option("--issue-types", default="", help="Categories: a,b replaces; +a/-b edits.")
@click.option("--target", type=click.Choice(TARGETS), default="graviton3", show_default=True)
@click.option("--target-os", type=click.Choice(TARGET_OSES), default="linux", show_default=True)
@click.option("--no-filter", is_flag=True, help="Also report code not compiled for the target.")
@click.option("--exclude", multiple=True, help="Skip paths matching this glob (repeatable).")
@click.option("--no-gitignore", is_flag=True, help="Scan files .gitignore excludes.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(0, 256),
    default=0,
    help="Worker processes (0 = automatic, 1 = no pool).",
)
@click.option("--fail-on", type=click.Choice(list(FAIL_ON)), default="never", show_default=True)
@click.option(
    "--default-fail-on",
    type=click.Choice(list(FAIL_ON)),
    envvar="PORTING_ADVISOR_DEFAULT_FAIL_ON",
    help="--fail-on unless the command line or the configuration sets it (CI wrappers).",
)
@click.option("--baseline", type=click.Path(dir_okay=False), help="Hide findings recorded here.")
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False),
    help="Record the current findings as the baseline.",
)
@click.option(
    "--changed-since",
    metavar="GIT_REF",
    help="Report only files changed since the merge base with GIT_REF.",
)
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Use this config file.")
@click.option("--no-config", is_flag=True, help="Ignore the scanned tree's configuration.")
@click.option("--fail-on-skipped", is_flag=True, help="Exit 1 when any file was skipped.")
@click.option(
    "--max-file-size",
    type=click.IntRange(1),
    default=8 << 20,
    metavar="BYTES",
    help="Skip text files larger than this (default 8 MiB).",
)
@click.option("--show-suppressed", is_flag=True, help="List findings hidden by comments.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Result cache folder.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--list-rules", is_flag=True, help="Print the rule catalogue and exit.")
@click.option("--explain", metavar="RULE", help="Print one rule's documentation and exit.")
@click.option("--list-targets", is_flag=True, help="Print the target profiles and exit.")
@click.option("--rules-dir", hidden=True, help="Use another rules folder (tests).")
@click.option("--online", is_flag=True, help="Ask package registries for Arm64 builds.")
@click.option("--index-url", metavar="URL", help="Python index for --online (default: pip's).")
@click.option("--maven-repo", metavar="URL", help="Maven repository for --online.")
@click.option(
    "--allow-registry", multiple=True, metavar="HOST", help="Image registry --online may ask."
)
@click.option(
    "--compile-commands",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Scan the units of this compile_commands.json, with their -D/-U.",
)
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
@click.option("--quiet", "-q", is_flag=True, help="No warnings on stderr.")
@click.version_option(
    __version__, "--version", prog_name="porting-advisor", message="%(prog)s %(version)s"
)
@click.pass_context
def command(ctx: click.Context, /, **params: Any) -> int:
    """Scan PATH for what stops it from building and running on Arm64.

    Subcommands: `porting-advisor merge REPORT.json... --output FILE` (a portfolio over many
    reports) and `porting-advisor mcp --root DIR` (an MCP server for coding agents); see their
    --help. To scan a directory named merge or mcp, write ./merge or ./mcp."""
    if params["list_rules"] or params["explain"]:
        print_rules(params["rules_dir"], params["explain"])
        return 0
    if params["list_targets"]:
        print_targets()
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


def print_targets() -> None:
    from porting_advisor.core import ruleset

    profiles = ruleset.load_json("target-profiles.json")["linux"]
    flags = ruleset.load_table("targets.yaml")
    for name in TARGETS:
        note, facts = profiles[name]["note"], profiles[name]["features"]
        sve = f"{facts['sve']} {facts['vector_bits']}-bit" if facts["sve"] != "none" else "no SVE"
        click.echo(
            f"{name:<12} {facts['cloud']}: {facts['core']}, {facts['arch']}, {sve}, LSE "
            f"{'yes' if facts['lse'] else 'no'}; {flags[name]['flags']} (GCC "
            f"{flags[name]['gcc']}+){'  (' + note + ')' if note else ''}"
        )


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
