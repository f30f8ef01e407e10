"""`python -m streams <command>`: the service's command line.

worker (Faust; any other Faust command such as `agents` passes through too), publish, schema,
dedupe, demo, stack up|down|status. Must be run from the repo root (the project is never
installed as a distribution). Heavy imports happen inside each command.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path

COMMANDS = ("publish", "schema", "dedupe", "demo", "stack", "topics")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m streams", description="crm-dq: streaming CRM contact data quality."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    publish = sub.add_parser("publish", help="publish CSV rows or JSONL events to the input topic")
    publish.add_argument("file", type=Path)
    publish.add_argument("--source", help="source system name (required for CSV; fills missing `source` in JSONL)")
    publish.add_argument("--topic", help="override the input topic")
    sub.add_parser("schema", help="print the JSON Schema of the input event")
    dedupe = sub.add_parser("dedupe", help="run the pipeline in process over a JSONL file of events")
    dedupe.add_argument("file", type=Path)
    dedupe.add_argument("--out", type=Path, help="output JSONL (default: stdout)")
    dedupe.add_argument("--prefix", help="Redis key prefix (default: a fresh one per run)")
    demo = sub.add_parser("demo", help="stack up, worker, publish the sample data, print the counts")
    demo.add_argument("--keep-running", action="store_true", help="leave the worker running afterwards")
    stack = sub.add_parser("stack", help="local Kafka + Redis: up | down | status")
    stack.add_argument("action", choices=("up", "down", "status"))
    sub.add_parser("topics", help="create the service's topics if absent")
    sub.add_parser("worker", help="run the Faust worker (Faust options follow, e.g. -l info)")
    return parser


def tune_gc() -> None:
    """Collect garbage less often in long-running commands (worker, dedupe).

    The hot path allocates many short-lived objects while the process holds large, long-lived
    caches (parsed index records, match features, normalizer results). CPython's default
    thresholds then run full collections that walk those caches again and again: about a fifth
    of the pipeline's CPU in a profile. Freezing what startup allocated and raising the
    thresholds keeps cycle collection, just less often.
    """
    gc.freeze()
    gc.set_threshold(100_000, 100, 1000)


def main(argv: list[str]) -> int:
    """Dispatch one command; returns the process exit code."""
    if not argv or argv[0] not in COMMANDS:
        # `worker` and every other Faust command: create topics, then hand over to Faust.
        from streams.settings import get_settings
        from streams.topics import ensure_topics

        if argv and argv[0] == "worker":
            ensure_topics(get_settings().kafka)
        from streams.app import app

        tune_gc()
        app.main()
        return 0
    args = _parser().parse_args(argv)
    if args.command == "stack":
        from streams import stack

        return stack.main([args.action])
    if args.command == "schema":
        from schemas.events import ContactChangeEvent

        print(json.dumps(ContactChangeEvent.model_json_schema(), indent=2, ensure_ascii=False))
        return 0

    from streams.settings import get_settings

    settings = get_settings()
    if args.command == "topics":
        from streams.topics import ensure_topics

        print("created: " + (", ".join(ensure_topics(settings.kafka)) or "nothing (all present)"))
        return 0
    if args.command == "publish":
        from streams.publish import publish_file

        topic = args.topic or settings.kafka.input_topic
        sent = publish_file(
            args.file,
            source=args.source,
            bootstrap_servers=settings.kafka.bootstrap_servers,
            topic=topic,
        )
        print(f"published {sent} events to {topic}")
        return 0
    if args.command == "dedupe":
        from streams import dedupe

        tune_gc()
        return dedupe.main(args.file, args.out, settings, args.prefix)
    from streams import demo

    return demo.main(settings, keep_running=args.keep_running)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
