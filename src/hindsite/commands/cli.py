"""The command line: flags → config and options → a pipeline call → diagnostics and an exit code.

Exit codes: 0 success; 1 when the build reported errors (or warnings, with
--strict); 2 for a mistake in the command itself.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import re
import shlex
import signal
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import click

from ..build import BuildOptions, build, display_path, load
from ..collect.archive import Quality, quality
from ..collect.reports import Period, PeriodError, parse_period, period_report, to_markdown
from ..core import diagnostics as diag
from ..core.config import CONFIG_FILE, ConfigError, SiteConfig, find_config, load_config
from ..core.diagnostics import Diagnostic, Level
from ..core.version import __version__
from ..render.export import export_document
from ..render.theme import RenderError
from ..write.output import Stopped
from .inspect import describe
from .run import check_paths, check_site, export_paths, inspect_file
from .scaffold import (
    BadValue,
    Install,
    Origin,
    ScaffoldError,
    given_install,
    init_archive,
    new_postmortem,
    this_install,
    unset_ci_installs,
)

_DIR = click.Path(file_okay=False, path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="hindsite")
def cli() -> None:
    """hindsite turns a folder of incident postmortems, in whatever format they were
    written, into one browsable, searchable static archive.

    \b
    Start with:
      hindsite init [DIR]          start a new archive: site.toml, a sample postmortem, CI files
      hindsite new "TITLE"         start a postmortem in content/ from the site's template
      hindsite build               build the site described by ./site.toml
      hindsite serve               preview it on http://127.0.0.1:8000/, reloading on save
      hindsite check               report problems and data quality, write nothing
      hindsite inspect FILE        show how one postmortem was read
      hindsite export DIR --json   print the normalised incidents as JSON
      hindsite migrate DIR         diff legacy postmortems against canonical Markdown; --write rewrites them
      hindsite report --period 2024-Q1  print a quarter's or a year's reliability report

    Run `hindsite COMMAND --help` for the options of each command.
    """


@cli.command()
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=f"Site configuration file.  [default: ./{CONFIG_FILE} if present]")
@click.option("--content", "content_dir", type=_DIR, help="Folder of postmortems, instead of content_dir in the config.")
@click.option("-o", "--output", "output_dir", type=_DIR, help="Folder to write the site to, instead of output_dir in the config.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, after printing all of them. For CI.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and warnings, no summary.")
@click.option("-v", "--verbose", is_flag=True, help="Also print informational diagnostics.")
@click.option("--redact", is_flag=True, help="Mask credentials found in documents in the output (as redact = true in site.toml).")
@click.option("--force", is_flag=True,
              help="Replace an output folder hindsite did not create (keeping .git, CNAME and .nojekyll in it).")
@click.option("--no-cache", is_flag=True,
              help="Read every document again and rewrite the whole site, ignoring .hindsite-cache/ beside site.toml.")
def build_command(
    config_path: Path | None, content_dir: Path | None, output_dir: Path | None, strict: bool, quiet: bool, verbose: bool,
    redact: bool, force: bool, no_cache: bool,
) -> None:
    """Build the site: read every postmortem, normalise it and write the archive.

    Every problem found is printed as `path:line: level: code: message`. The
    site is still written when some documents have errors; it is swapped in
    whole, so a crashed build never leaves a half-written site. After an edit
    that shows only on its own page, only that page, the search files and
    incidents.json are written, each renamed into place.
    """
    config = _load_config(config_path, content_dir, output_dir, redact=redact)
    timestamp = _source_date_epoch()
    try:
        result = build(config, BuildOptions(force=force, timestamp=timestamp, use_cache=not no_cache, on_wait=_say))
    except Stopped as stop:
        click.echo(f"Stopped: {stop.message}.", err=True)
        sys.exit(stop.exit_code)
    _print_diagnostics(result.diagnostics, verbose=verbose, first=result.fatal)
    if not quiet:
        count = result.incident_count
        where = display_path(config.output_dir)
        incidents = f"{count} incident{'s' if count != 1 else ''}"
        if result.unchanged:
            status = f"Nothing changed since the last build: {incidents} in {where}/"
        elif result.patched:
            status = f"Brought {where}/ up to date ({incidents}; {result.written} files rewritten, the rest unchanged)"
        elif result.written:
            status = f"Built {incidents} into {where}/ ({result.written} files)"
        else:
            status = "Nothing written"
        click.echo(f"{status}; {_tally(result.diagnostics)}.", err=True)
        if result.written or result.unchanged:
            click.echo(f"Open {where}/index.html in a browser.", err=True)
    sys.exit(1 if diag.fails(result.diagnostics, strict=strict) or not (result.written or result.unchanged) else 0)


build_command.name = "build"


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON (see docs/model.md).")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=f"Site configuration for the severity scale, time zone and section aliases.  [default: ./{CONFIG_FILE} if present]")
@click.option("-q", "--quiet", is_flag=True, help="Do not print diagnostics on stderr.")
@click.option("--redact", is_flag=True, help="Mask credentials found in documents in the output (as redact = true in site.toml).")
def export(paths: Sequence[Path], as_json: bool, config_path: Path | None, quiet: bool, redact: bool) -> None:
    """Normalise the postmortems at PATHS (files or folders) and print them.

    No site is needed or written. With --json the output is the same
    versioned document as the site's incidents.json; without it, one line per
    incident. Diagnostics go to stderr; the exit code is 0 whenever the
    records could be printed.
    """
    config = _load_config(config_path, None, None, redact=redact)
    incidents, problems = export_paths(paths, config)
    if not quiet:
        _print_diagnostics(problems, verbose=False)
    if as_json:
        click.echo(_json_text(export_document(incidents)))
        return
    for incident in incidents:
        date = incident.date.isoformat() if incident.date else "????-??-??"
        click.echo(_printable(f"{date}  {(incident.severity or '-'):5}  {incident.title}  ({incident.source})"))


@cli.command("serve")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=f"Site configuration file.  [default: ./{CONFIG_FILE} if present]")
@click.option("--content", "content_dir", type=_DIR, help="Folder of postmortems, instead of content_dir in the config.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but a loopback address shows your drafts to other machines.")
@click.option("-p", "--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in the default browser.")
@click.option("--poll", is_flag=True, help="Poll for changes instead of file-system events (network and container mounts).")
@click.option("--redact", is_flag=True, help="Mask credentials found in documents in the output (as redact = true in site.toml).")
def serve_command(config_path: Path | None, content_dir: Path | None, host: str, port: int, open_browser: bool,
                  poll: bool, redact: bool) -> None:
    """Preview the site while you write: build it, serve it on 127.0.0.1, and
    rebuild and reload the browser whenever a postmortem, a template or
    site.toml is saved.

    Mistakes show up in the browser as an overlay naming the file and line,
    while every other page keeps working; fixing the file clears it. The
    site is built into a temporary folder, so the output folder is untouched.
    """
    from ..serve import ServeOptions, serve

    resolved = config_path or find_config(Path.cwd())
    config = _load_config(resolved, content_dir, None, redact=redact)
    try:
        serve(resolved, config, ServeOptions(host, port, open_browser, poll))
    except OSError as exc:
        if exc.errno in (98, 48, 10048):  # address in use, on Linux, macOS and Windows
            raise click.UsageError(f"port {port} on {host} is already in use; choose another with --port (0 picks a free one)")
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc.strerror or exc}")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=f"Site configuration file.  [default: ./{CONFIG_FILE} if present]")
@click.option("--content", "content_dir", type=_DIR, help="Folder of postmortems, instead of content_dir in the config.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for tools, github for GitHub Actions annotations.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("-v", "--verbose", is_flag=True, help="Also print informational diagnostics.")
def check(paths: Sequence[Path], config_path: Path | None, content_dir: Path | None, output_format: str, strict: bool,
          verbose: bool) -> None:
    """Build the site without writing it, and report: every page is rendered
    and every link checked, so it fails wherever `hindsite build` with the
    same flags fails. With PATHS, only reads those postmortems.

    Prints every diagnostic and a summary of the archive's data quality: how
    many incidents have a date, times, a timeline, a root cause, action items
    and owners, and which headings were not recognised. Exits 1 on errors
    (or warnings, with --strict), so it fits a pre-commit hook or CI.
    """
    if paths and content_dir is not None:
        raise click.UsageError("give PATHS or --content, not both: PATHS are read alone, --content is a site's folder")
    config = _load_config(config_path, content_dir, None)
    checked = check_paths(paths, config) if paths else check_site(config)
    problems = checked.diagnostics
    report = quality(checked.incidents)
    if output_format == "json":
        shown = [d for d in problems if verbose or d.level is not Level.INFO]
        click.echo(_json_text({
            "diagnostics": [{"path": d.path, **d.to_record()} for d in diag.sorted_for_output(shown)],
            "quality": dataclasses.asdict(report),
        }))
    elif output_format == "github":
        for problem in diag.sorted_for_output(problems):
            if problem.level is not Level.INFO or verbose:
                click.echo(_github_annotation(problem))
    else:
        _print_diagnostics(problems, verbose=verbose, first=checked.fatal)
        click.echo(_quality_text(report))
    sys.exit(1 if diag.fails(problems, strict=strict) else 0)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=f"Site configuration file.  [default: ./{CONFIG_FILE} if present]")
@click.option("--content", "content_dir", type=_DIR,
              help="Folder of postmortems FILE is read in, instead of content_dir in the config.")
def inspect(file: Path, config_path: Path | None, content_dir: Path | None) -> None:
    """Show how one postmortem was read: every field with the line it came from,
    every section with its canonical key, the timeline and action items, and
    the diagnostics — so an author can see why something was missed.

    A FILE inside the content folder is read as the build reads it, its links
    resolved among all the folder's files; any other with its own folder's.
    """
    config = _load_config(config_path, content_dir, None)
    incident, problems = inspect_file(file, config)
    if incident is None:  # not a file that can be read (a named pipe, a socket): the diagnostics say why
        _print_diagnostics(problems, verbose=False)
        sys.exit(1)
    for line in describe(incident):
        click.echo(_printable(line))


@cli.command("migrate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--write", is_flag=True, help="Rewrite the files in place (each atomically) instead of only showing the diff.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the unified diff also with --write.")
@click.option("--force", is_flag=True,
              help="Also migrate documents whose reading holds a doubt, and state in the front-matter what hindsite "
                   "worked out (from the timeline, prose, title or file name) as if the document stated it.")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=f"Site configuration for the severity scale, time zones and section aliases.  [default: ./{CONFIG_FILE} if present]")
def migrate_command(paths: Sequence[Path], write: bool, show_diff: bool, force: bool, config_path: Path | None) -> None:
    """Rewrite the postmortems at PATHS (files, or folders of Markdown files)
    as canonical hindsite Markdown.

    The result keeps the author's front-matter as written (YAML or TOML,
    comments and nested values too) and adds at its top every other field
    the document states elsewhere (the title heading, date, severity,
    services, tags, responders, status, start, detection and resolution
    times with their UTC offsets); the sections under canonical headings in
    canonical order, an author's heading that says more kept in parentheses;
    the timeline as `- 2024-03-14 14:05 UTC — text` items; action items as a
    checklist.

    Nothing is dropped: a section hindsite does not recognise keeps its
    heading, and text before the first heading stays first. Each result is
    checked to read back as the same incident and to keep every front-matter
    value and word (docs/migrate.md); a document that would not is left as it
    is and reported, and so is a file that is not UTF-8. Migrating a migrated
    document changes nothing.

    Nothing hindsite doubts is written for good: a document whose reading
    holds a doubt (a fact left out as implausible, a date that reads either
    way, times that contradict each other, a zone out of season, a date taken
    for the write-up's) is left as it is and reported (migrate-doubt), and
    what hindsite only worked out stays for the document to give again.
    --force writes both, as hindsite reads them.

    Without --write, prints a unified diff of what would change and writes
    nothing. With it, each file is replaced atomically, keeping its byte-order
    mark, line ends and permissions. A summary goes to stderr. Exits 1 when a document could not be
    read, migrated or written, or was held back for a doubt; the others are migrated all the same.
    """
    # The normaliser loads for this command only, not for every one the command line starts.
    from .migrate import migrate_paths, summary, unified_diff, write_migrations
    config = _load_config(config_path, None, None)
    migrations, skipped = migrate_paths(paths, config, force=force)
    if write:
        migrations = write_migrations(migrations)
    if show_diff or not write:
        click.echo("".join(unified_diff(migration) for migration in migrations), nl=False)
    problems = [*skipped, *(problem for migration in migrations for problem in migration.diagnostics)]
    _print_diagnostics(problems, verbose=False)
    click.echo(summary(migrations, written=write), err=True)
    sys.exit(1 if diag.fails(problems, strict=False) else 0)


@cli.command("init")
@click.argument("directory", default=".", required=False, type=_DIR)
@click.option("--install", "install_spec", metavar="SPEC",
              help="How CI installs hindsite, which is not on PyPI: what follows `python -m pip install`, as typed "
                   "in a shell, e.g. git+https://github.com/ORG/hindsite@v1.2.0, "
                   "vendor/hindsite-1.2.0-py3-none-any.whl, or 'hindsite==1.2.0 --index-url URL'.  "
                   "[default: where this hindsite was installed from]")
def init_command(directory: Path, install_spec: str | None) -> None:
    """Start a new archive in DIRECTORY (default: the current folder; created
    when missing).

    \b
    Writes:
      site.toml                      every setting, explained; the defaults active
      content/                       one sample postmortem, complete and filled in
      templates/README.md            how to change the theme and the postmortem template
      .gitignore                     the output folder and .hindsite-cache/
      .github/workflows/hindsite.yml GitHub Actions: check, build, publish to GitHub Pages
      .gitlab-ci.yml                 GitLab CI: check, build, publish with GitLab Pages

    The CI files install hindsite with `python -m pip install SPEC`. Without
    --install, SPEC is where this hindsite came from: the same git commit or
    archive URL, or hindsite==VERSION when it came from a package index. When it
    was installed from a folder (a clone, an editable install), CI cannot reach
    that: the CI files then get a line marked FILL IN, which stops CI with a
    message and which `hindsite check` reports until it is replaced.

    Never overwrites: when any of these files exists, nothing is written, the
    files are listed and the exit status is 1.
    """
    try:
        install = given_install(install_spec) if install_spec is not None else this_install()
    except BadValue as exc:
        raise click.BadParameter(str(exc), param_hint="--install") from None
    try:
        written = init_archive(directory, install.arguments)
    except ScaffoldError as exc:
        click.echo(f"hindsite init: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Created a hindsite archive in {display_path(directory)}/:")
    for path in written:
        click.echo(f"  {path.relative_to(directory).as_posix()}")
    if install.arguments is not None:
        click.echo(f"\nThe CI files install hindsite with: python -m pip install {install.arguments}"
                   + _INSTALL_ORIGINS[install.origin].format(location=install.location))
    click.echo("\nNext:")
    if directory.resolve() != Path.cwd().resolve():
        click.echo(f"  cd {shlex.quote(str(directory))}")
    click.echo('  hindsite new "What happened" --service api --severity sev2   start a postmortem')
    click.echo("  hindsite serve            preview the archive on http://127.0.0.1:8000/ while you write")
    click.echo("  hindsite check --strict   report unfilled prompts and other problems, as CI will")
    click.echo("  hindsite build            write the site into _site/")
    if install.arguments is None:
        _warn_ci_cannot_install(install, directory)


_INSTALL_ORIGINS = {
    Origin.GIVEN: "",
    Origin.VCS: "\n(the commit this hindsite was installed from: {location})",
    Origin.ARCHIVE: "\n(the file this hindsite was installed from: {location})",
    Origin.INDEX: "\n(this hindsite came from a package index: if it is not the one CI's pip uses, add --index-url URL "
                  "to that line in both files)",
}


def _warn_ci_cannot_install(install: Install, directory: Path) -> None:
    unset = "\n".join(f"  {d.path}:{d.line}" for d in unset_ci_installs(directory, display_path(directory)))
    where = f" ({install.location})" if install.location else ""
    click.echo(
        f"hindsite init: warning: this hindsite was installed from files on this machine{where}, which CI cannot "
        "reach, so the CI files do not say where to install hindsite from. Replace the command marked FILL IN in\n"
        f"{unset}\nwith `python -m pip install SOURCE`, e.g. SOURCE = git+https://github.com/ORG/"
        f"hindsite@v{__version__} (see `hindsite init --help`). Until then CI stops at that step with a message, "
        "and `hindsite check` reports it.",
        err=True,
    )


@cli.command("new")
@click.argument("title")
@click.option("--service", "services", multiple=True, metavar="NAME",
              help="A service affected (a name or alias from the site's registry); repeat for several.")
@click.option("--severity", metavar="LEVEL",
              help="A level of the site's severity scale (sev1 to sev4 by default) or one of its aliases.")
@click.option("--date", metavar="YYYY-MM-DD", help="The day it happened.  [default: today in the site's time zone]")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag; repeat for several.")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=f"Site configuration file.  [default: ./{CONFIG_FILE} if present]")
def new_command(title: str, services: tuple[str, ...], severity: str | None, date: str | None,
                tags: tuple[str, ...], config_path: Path | None) -> None:
    """Start a postmortem: write CONTENT/YYYY-MM-DD-title.md from the site's
    template and print its path.

    The front-matter is filled in from the options; everything else is a
    !!prompt!! that `hindsite check` reports until it is replaced. A site uses
    its own template by saving it as postmortem.md in its templates folder
    (templates_dir in site.toml). An existing file is never overwritten.

    \b
    Example:
      hindsite new "Checkout returned 502s" --service checkout-api --severity sev2 --tag deploy
    """
    config = _load_config(config_path, None, None)
    try:
        created = new_postmortem(config, title, services=services, tags=tags, severity=severity, date=date)
    except BadValue as exc:
        raise click.UsageError(str(exc))
    except ScaffoldError as exc:
        click.echo(f"hindsite new: {exc}", err=True)
        sys.exit(1)
    click.echo(display_path(created.path))
    source = display_path(created.template) if created.template else "the built-in template"
    click.echo(f"Written from {source}. Replace every !!prompt!!; `hindsite check` lists those left.", err=True)


def _period_option(ctx: click.Context, param: click.Parameter, value: str) -> Period:
    try:
        return parse_period(value)
    except PeriodError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command("report")
@click.option("--period", required=True, metavar="PERIOD", callback=_period_option,
              help="The quarter or year to report on: 2024-Q1 (or 2024q1, 2024-q1, Q1 2024), or 2024.")
@click.option("--format", "output_format", type=click.Choice(["md", "html"], case_sensitive=False), default="md",
              show_default=True, help="md: a Markdown document; html: a standalone HTML document, ready to print.")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=f"Site configuration file.  [default: ./{CONFIG_FILE} if present]")
@click.option("--content", "content_dir", type=_DIR, help="Folder of postmortems, instead of content_dir in the config.")
def report_command(period: Period, output_format: str, config_path: Path | None, content_dir: Path | None) -> None:
    """Print the reliability report of one quarter or year: incidents and
    severities against the previous period, impact time, incidents per
    service, recurring themes, action items and notable incidents.

    Incidents belong to a period by their date; undated ones are in none. A
    period without incidents still gives a report, which says so. The rules
    behind each figure are in docs/reports.md; the built site has the same
    reports under reports/.
    """
    config = _load_config(config_path, content_dir, None)
    loaded = load(config)
    _print_diagnostics(loaded.diagnostics, verbose=False)
    if diag.fails(loaded.diagnostics, strict=False):
        sys.exit(1)
    report = period_report(loaded.archive, period, config.severity.levels)
    if output_format == "md":
        click.echo(to_markdown(report), nl=False)
        return
    from ..render.site import period_document  # Jinja loads for an HTML report only
    try:
        click.echo(period_document(report, config))
    except RenderError as exc:
        _print_diagnostics([exc.diagnostic], verbose=False)
        sys.exit(1)


def _github_annotation(problem: Diagnostic) -> str:
    """`::error file=F,line=L,title=CODE::message`, GitHub Actions' workflow-command form.

    Escaped as GitHub's runner reads it back, so that no file name or message can end the command early, add a
    property or start a command of its own; other control characters are shown, not sent (see `_printable`).
    """
    kind = {"error": "error", "warning": "warning"}.get(problem.level.value, "notice")
    properties = [f"file={_command_property(problem.path)}"] if problem.path else []
    properties += [f"line={problem.line}"] if problem.line else []
    properties.append(f"title={_command_property(problem.code)}")
    return f"::{kind} {','.join(properties)}::{_command_data(problem.message)}"


def _command_data(text: str) -> str:
    return _printable(text, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _command_property(text: str) -> str:
    return _command_data(text).replace(":", "%3A").replace(",", "%2C")


#: What a terminal or a CI log would act on rather than show: C0 and C1 controls (escape sequences, line ends),
#: the marks that reorder text (bidirectional overrides), line and paragraph separators, and lone surrogates.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _printable(text: str, keep: str = "") -> str:
    """`text` with every character a terminal would act on written as its escape (`\\x1b`, `\\n`, `\\u202e`), but `keep`'s."""
    return _UNPRINTABLE.sub(lambda m: m.group() if m.group() in keep else m.group().encode("unicode_escape").decode(), text)


def _json_text(value: object) -> str:
    """JSON for people and tools; a lone surrogate (from a file name that is not UTF-8) as its `\\u` escape."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return re.sub(r"[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)


def _quality_text(report: Quality) -> str:
    def share(count: int) -> str:
        return f"{count:>5} / {report.incidents}"

    lines = [
        "",
        f"Data quality of {report.incidents} incident{'s' if report.incidents != 1 else ''}:",
        f"  with a date            {share(report.with_date)}",
        f"  with a severity        {share(report.with_severity)}",
        f"  with start and end     {share(report.with_times)}",
        f"  with a timed timeline  {share(report.with_timeline)}",
        f"  with a root cause      {share(report.with_root_cause)}",
        f"  with action items      {share(report.with_action_items)}",
        f"  action items with an owner {report.action_items_with_owner} / {report.action_items}",
        f"  with unfilled placeholders {report.with_placeholders}",
    ]
    if report.unrecognised_headings:
        lines.append("  headings not recognised (documents): " + ", ".join(
            f"{heading!r} ({count})" for heading, count in report.unrecognised_headings[:15]))
        lines.append("  map them to a section in site.toml under [sections.aliases] if they are one.")
    return "\n".join(lines)


def _load_config(
    config_path: Path | None, content_dir: Path | None, output_dir: Path | None, *, redact: bool = False
) -> SiteConfig:
    try:
        config = load_config(config_path or find_config(Path.cwd()), content_dir=content_dir, output_dir=output_dir)
        return dataclasses.replace(config, redact=True) if redact else config
    except ConfigError as exc:
        _print_diagnostics(exc.diagnostics, verbose=False)
        click.echo(f"The configuration has {len(exc.diagnostics)} problem(s); nothing was built.", err=True)
        sys.exit(1)


def _print_diagnostics(problems: Iterable[Diagnostic], *, verbose: bool, first: Diagnostic | None = None) -> None:
    """Every problem, sorted; `first` (why nothing was built) before the rest, above what the documents say."""
    rest = diag.sorted_for_output(p for p in problems if p is not first)
    for problem in [first, *rest] if first is not None else rest:
        if problem.level is Level.INFO and not verbose:
            continue
        color = {"error": "red", "warning": "yellow"}.get(problem.level.value)
        click.secho(_printable(problem.format()), err=True, fg=color)


#: The latest SOURCE_DATE_EPOCH accepted: 9999-12-31 23:59:59 UTC, the last second a date can be written with four digits.
_LAST_EPOCH = 253_402_300_799


def _source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH (reproducible-builds.org): the time to give every file written, when set."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None:
        return None
    # ASCII digits only, as the specification says: str.isdigit also takes "²" and Arabic-Indic digits.
    if not (value.isascii() and value.isdigit()) or int(value) > _LAST_EPOCH:
        raise click.UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, written in the digits "
                               f"0-9 and no later than {_LAST_EPOCH} (the end of the year 9999), not {value!r}")
    return int(value)


def _say(message: str) -> None:
    click.echo(f"hindsite: {message}", err=True)


def _tally(problems: Sequence[Diagnostic]) -> str:
    errors, warnings = diag.count(problems, Level.ERROR), diag.count(problems, Level.WARNING)
    return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"


def main() -> None:
    # A stopped CI job sends SIGTERM: as an exit rather than sudden death, the build removes its half-written folder.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        cli(prog_name="hindsite")
    except SystemExit as done:
        _leave(done.code)


def _leave(code: object) -> None:
    """Exit with `code` as `sys.exit` would, after what is registered to run at exit (a temporary folder's
    removal, worker pools), but without freeing every object one by one: after a build at 10,000 documents that
    takes a tenth of a second, which nobody needs to wait for. Threads still running are not waited for: every
    thread hindsite starts is a daemon, ended by then."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
    status = code if isinstance(code, int) else 0 if code is None else 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or 120  # what Python exits with when it cannot flush standard output
    os._exit(status)
