"""Import a CSV of companies for an organisation, synchronously, from the command line.

    python -m marketnav.cli.import_companies FILE --organization ID
        [--layout crunchbase|tracxn|dealroom|yc|generic] [--map name=Col,website=Col,...]

The same code as the page's import (`company_import.jobs`): the file is kept in the object
store, the import is recorded in `company_imports`, rows are parsed, deduplicated and sent in
batches to both market-data services; a progress line is shown and the rows that could not be
imported are printed with their line numbers. An operator's tool: it acts for the
organisation without a user (no permission check), so run it only where you run the app.
Exit status 0 when the import completed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from marketnav.db import session_scope
from marketnav.models import CompanyImport, Organization
from marketnav.services.company_import import jobs, parsing
from marketnav.services.errors import DomainError


def _progress_line(job: CompanyImport) -> str:
    width = 30
    done = int(job.progress * width)
    bar = "#" * done + "-" * (width - done)
    sent = f"{job.sent_count:,}/{job.to_send:,} sent"
    return f"\r[{bar}] {job.progress * 100:5.1f}%  {sent}  {job.status}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m marketnav.cli.import_companies")
    parser.add_argument("file", type=Path, help="the CSV file")
    parser.add_argument("--organization", type=int, required=True, help="organisation id")
    parser.add_argument(
        "--layout", choices=parsing.LAYOUTS, help="default: detected from the header"
    )
    parser.add_argument(
        "--map", dest="mapping", default="", help="field=Column,... (see the fields below)"
    )
    parser.epilog = "fields: " + ", ".join(parsing.FIELDS)
    args = parser.parse_args(argv)
    try:
        mapping = parsing.parse_mapping_option(args.mapping) if args.mapping else None
    except ValueError as exc:
        parser.error(str(exc))
    if not args.file.is_file():
        parser.error(f"{args.file}: no such file")
    data = args.file.read_bytes()
    try:
        with session_scope() as session:
            if session.get(Organization, args.organization) is None:
                print(f"No organisation with id {args.organization}.", file=sys.stderr)
                return 1
            job = jobs.create(
                session,
                args.organization,
                args.file.name,
                data,
                user=None,
                layout=args.layout,
                mapping=mapping,
            )
            preview = jobs.preview_of(job)
            if preview.problem:
                print(f"{preview.problem} Columns: {', '.join(preview.columns)}", file=sys.stderr)
                job.status = "cancelled"
                job.message = preview.problem
                return 1
            jobs.queue(session, job)
            import_id = job.id
    except DomainError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Import #{import_id}: {args.file.name} as {parsing.LAYOUT_LABELS[preview.layout]}")
    print("Mapping: " + ", ".join(f"{k}={v}" for k, v in preview.mapping.items()))

    def show(job: CompanyImport) -> None:
        sys.stdout.write(_progress_line(job))
        sys.stdout.flush()

    job = jobs.execute(import_id or 0, on_progress=show)
    print()
    print(
        f"{job.status}: {job.message}\n{job.total_rows:,} rows, {job.valid_rows:,} valid, "
        f"{job.error_count:,} with errors, {job.created_count:,} new, {job.merged_count:,} merged, "
        f"{job.sent_count:,} sent."
    )
    for error in job.errors:
        name = f" ({error['name']})" if error.get("name") else ""
        print(f"  line {error['line']}{name}: {error['reason']}")
    if job.error_count > len(job.errors):
        print(f"  … and {job.error_count - len(job.errors):,} more")
    return 0 if job.status == "completed" else 1


if __name__ == "__main__":
    raise SystemExit(main())
