# SPDX-License-Identifier: Apache-2.0
"""The command line: parse options, run the scan, write the reports, choose the exit code."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from porting_advisor import __version__

TARGETS = ("graviton2", "graviton3", "graviton4", "graviton5")
FAIL_ON = {"error": 3, "warning": 2, "info": 1, "never": 0}


class UsageError(Exception):
    """Bad usage or bad input: one line on stderr, exit 2."""


def outputs(paths: tuple[str, ...], fmt: str | None) -> list[tuple[str, str]]:
    from porting_advisor.report import format_for
    result = []
    for p in paths:
        chosen = fmt if fmt and len(paths) == 1 else format_for(p)
        if chosen is None:
            raise UsageError(f"cannot tell the report format of '{p}' (use .html .json .sarif "
                             ".csv .md .txt or --format)")
        parent = Path(p).resolve().parent
        if not parent.is_dir() or not os.access(parent, os.W_OK) or Path(p).is_dir() or (
                Path(p).exists() and not os.access(p, os.W_OK)):
            raise UsageError(f"cannot write '{p}'")
        result.append((p, chosen))
    return result


def print_rules(rules_dir: str | None, explain: str | None) -> None:
    from porting_advisor import ruleset
    rs = ruleset.load(Path(rules_dir) if rules_dir else None)
    if explain:
        rule = rs.rules.get(explain)
        if rule is None:
            raise UsageError(f"unknown rule '{explain}' (see --list-rules)")
        click.echo(f"{rule.id}: {rule.title}\ncategory: {rule.category}\nseverity: "
                   f"{rule.severity.label}\n\n{rule.description}\n\nSuggestion: {rule.suggestion}")
        if rule.example:
            click.echo(f"\nExample:\n{rule.example}")
        return
    for rule in sorted(rs.rules.values(), key=lambda r: (r.category, r.id)):
        click.echo(f"{rule.id:<34} {rule.category:<19} {rule.severity.label:<8} {rule.title}")


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("path", required=False)
@click.option("--output", "-o", multiple=True, help="Write a report; format from the extension.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "sarif", "csv",
              "markdown", "dependencies-csv"]), help="Format for stdout (or one --output).")
@click.option("--link-base", default="", help="URL prefix that turns file:line into links.")
@click.option("--issue-types", default="", help="Categories: a,b replaces; +a/-b edits.")
@click.option("--target", type=click.Choice(TARGETS), default="graviton3", show_default=True)
@click.option("--target-os", type=click.Choice(["linux", "windows", "all"]), default="linux",
              show_default=True)
@click.option("--no-filter", is_flag=True, help="Also report code not compiled for the target.")
@click.option("--exclude", multiple=True, help="Skip paths matching this glob (repeatable).")
@click.option("--no-gitignore", is_flag=True, help="Scan files .gitignore excludes.")
@click.option("--jobs", "-j", type=click.IntRange(0, 256), default=0,
              help="Worker processes (0 = automatic, 1 = no pool).")
@click.option("--fail-on", type=click.Choice(list(FAIL_ON)), default="never", show_default=True)
@click.option("--show-suppressed", is_flag=True, help="List findings hidden by comments.")
@click.option("--list-rules", is_flag=True, help="Print the rule catalogue and exit.")
@click.option("--explain", metavar="RULE", help="Print one rule's documentation and exit.")
@click.option("--list-targets", is_flag=True, help="Print the target profiles and exit.")
@click.option("--rules-dir", hidden=True, help="Use another rules folder (tests).")
@click.option("--no-progress", is_flag=True, help="No progress bar on stderr.")
@click.option("--quiet", "-q", is_flag=True, help="No warnings on stderr.")
@click.version_option(__version__, "--version", prog_name="porting-advisor",
                      message="%(prog)s %(version)s")
def command(path: str | None, output: tuple[str, ...], fmt: str | None, link_base: str,
            issue_types: str, target: str, target_os: str, no_filter: bool,
            exclude: tuple[str, ...], no_gitignore: bool, jobs: int, fail_on: str,
            show_suppressed: bool, list_rules: bool, explain: str | None, list_targets: bool,
            rules_dir: str | None, no_progress: bool, quiet: bool) -> int:
    """Scan PATH for what stops it from building and running on Arm64."""
    if list_rules or explain:
        print_rules(rules_dir, explain)
        return 0
    if list_targets:
        from porting_advisor import ruleset
        profiles = ruleset.load_json("target-profiles.json")["linux"]
        for name in TARGETS:
            note = profiles[name]["note"]
            click.echo(f"{name:<10} {profiles[name]['flags']}{'  (' + note + ')' if note else ''}")
        return 0
    if not path:
        raise UsageError("missing PATH (the directory or file to scan)")
    root = Path(path)
    if not root.exists():
        raise UsageError(f"path '{path}' does not exist")
    if not (root.is_dir() or root.is_file()):
        raise UsageError(f"path '{path}' is neither a directory nor a file")
    targets = outputs(output, fmt)
    from porting_advisor import pipeline, report, ruleset
    from porting_advisor.model import Options
    rs = ruleset.load(Path(rules_dir) if rules_dir else None)
    try:
        categories = ruleset.parse_issue_types(issue_types, rs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    progress = not no_progress and sys.stderr.isatty() and not os.environ.get("CI")
    options = Options(root=root, jobs=jobs, target=target, target_os=target_os,
                      categories=categories, excludes=exclude, gitignore=not no_gitignore,
                      no_filter=no_filter, show_suppressed=show_suppressed, progress=progress,
                      quiet=quiet)
    result = pipeline.run(options, rs)
    if not quiet:
        for file, reason in result.skipped:
            click.echo(f"porting-advisor: warning: skipped {file}: {reason}", err=True)
        for m in result.remarks:
            if m.rule == "invalid-utf8":
                click.echo(f"porting-advisor: warning: {m.file}: {m.message}", err=True)
    for out_path, out_fmt in targets:
        text = report.RENDERERS[out_fmt](result, rs, link_base)
        try:
            Path(out_path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write '{out_path}': {exc.strerror}") from None
    if not targets:
        click.echo(report.RENDERERS[fmt or "text"](result, rs, link_base), nl=False)
    threshold = FAIL_ON[fail_on]
    failing = any(f.severity >= threshold for f in result.findings
                  if not f.suppressed and not f.filtered)
    return 1 if threshold and failing else 0


def main(argv: list[str] | None = None) -> int:
    """Run the command; every usage or input error is one line on stderr and exit 2."""
    from porting_advisor.ruleset import RuleError
    try:
        rc = command.main(args=argv, prog_name="porting-advisor", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("porting-advisor: aborted", err=True)
        return 130
    except click.ClickException as exc:
        click.echo(f"porting-advisor: error: {exc.format_message()}", err=True)
        return 2
    except (UsageError, RuleError) as exc:
        click.echo(f"porting-advisor: error: {exc}", err=True)
        return 2
    return int(rc or 0)


if __name__ == "__main__":
    sys.exit(main())
