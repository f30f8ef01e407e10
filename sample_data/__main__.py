"""Command line for the sample-data generator: write events (JSON Lines or CSV) and truth.

Examples:
    python -m sample_data --persons 300 --seed 7 --out sample_data/contacts.jsonl \
        --truth sample_data/truth.csv --malformed-out sample_data/malformed.b64
    python -m sample_data --persons 300 --seed 7 --format csv --source erp --out erp.csv

It only writes the files it is asked to write (``-`` is standard output) and a one-line summary
on standard error; it must not publish anything (``publish FILE --source NAME`` does that).
The truth CSV has the columns ``event_id,person_id,kind,detail,line``: ``line`` is the 1-based
line of the event in the JSON Lines file (data row in the CSV file), which identifies events
whose envelope has no usable ``event_id``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from sample_data.generator import (
    SOURCES,
    GeneratedEvent,
    csv_fieldnames,
    encode_malformed,
    generate_events,
    iter_csv_rows,
    malformed_payloads,
)

TRUTH_COLUMNS = ("event_id", "person_id", "kind", "detail", "line")
"""Columns of the truth CSV."""


@contextmanager
def _open_out(path: str) -> Iterator[TextIO]:
    """Open a UTF-8 text output, or standard output for ``-``.

    Args:
        path: File path or ``-``.

    Yields:
        The writable stream.
    """
    if path == "-":
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as stream:
        yield stream


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv: Arguments without the program name (``None``: ``sys.argv[1:]``).

    Returns:
        The parsed options.
    """
    parser = argparse.ArgumentParser(
        prog="python -m sample_data",
        description="Generate messy multilingual CRM contact events with ground truth.",
    )
    parser.add_argument("--persons", type=int, default=300, help="distinct persons")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--out", default="-", help="events file (default: stdout)")
    parser.add_argument("--truth", help="ground-truth CSV file")
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    parser.add_argument(
        "--source",
        choices=SOURCES,
        help="publish from this source only (required with --format csv)",
    )
    parser.add_argument("--duplicate-rate", type=float, default=0.25)
    parser.add_argument("--invalid-rate", type=float, default=0.08)
    parser.add_argument("--update-rate", type=float, default=0.06)
    parser.add_argument("--hard-negative-rate", type=float, default=0.05)
    parser.add_argument("--erasures", type=int, default=5, help="contact.deleted events")
    parser.add_argument("--malformed-out", help="write raw malformed payloads (base64 lines)")
    parser.add_argument("--oversized-bytes", type=int, default=200_000)
    args = parser.parse_args(argv)
    if args.format == "csv" and args.source is None:
        parser.error("--format csv needs --source")
    return args


def _rows(events: Iterator[GeneratedEvent], fmt: str) -> Iterator[tuple[GeneratedEvent, str | dict[str, str]]]:
    """Pair each event with what goes on its line of the output.

    Args:
        events: Generated events.
        fmt: ``jsonl`` or ``csv``.

    Yields:
        The event and its JSON line, or its CSV row.
    """
    if fmt == "csv":
        yield from iter_csv_rows(events)
        return
    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    for generated in events:
        yield generated, encode(generated.event) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator command line.

    Args:
        argv: Arguments without the program name (``None``: ``sys.argv[1:]``).

    Returns:
        The process exit status.
    """
    args = _parse_args(argv)
    events = generate_events(
        args.persons,
        args.seed,
        duplicate_rate=args.duplicate_rate,
        invalid_rate=args.invalid_rate,
        update_rate=args.update_rate,
        hard_negative_rate=args.hard_negative_rate,
        erasures=args.erasures,
        sources=(args.source,) if args.source else SOURCES,
    )
    kinds: Counter[str] = Counter()
    started = time.perf_counter()
    with _open_out(args.out) as out, _open_out(args.truth or "-") as truth_stream:
        truth = csv.writer(truth_stream, lineterminator="\n") if args.truth else None
        if truth is not None:
            truth.writerow(TRUTH_COLUMNS)
        table = None
        if args.format == "csv":
            table = csv.DictWriter(out, csv_fieldnames(args.source), lineterminator="\n")
            table.writeheader()
        for line, (generated, row) in enumerate(_rows(events, args.format), start=1):
            if isinstance(row, str):
                out.write(row)
            elif table is not None:
                table.writerow(row)
            kinds[generated.kind] += 1
            if truth is not None:
                event_id = generated.event.get("event_id")
                truth.writerow(
                    (
                        "" if event_id is None else str(event_id),
                        generated.person_id,
                        generated.kind,
                        generated.detail,
                        line,
                    )
                )
    if args.malformed_out:
        with open(args.malformed_out, "w", encoding="ascii") as stream:
            stream.write(encode_malformed(malformed_payloads(args.oversized_bytes)))
    elapsed = time.perf_counter() - started
    total = sum(kinds.values())
    summary = ", ".join(f"{kind}={count}" for kind, count in sorted(kinds.items()))
    rate = total / elapsed if elapsed > 0 else float("inf")
    print(f"{total} events ({summary}) in {elapsed:.1f}s, {rate:,.0f} events/s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
