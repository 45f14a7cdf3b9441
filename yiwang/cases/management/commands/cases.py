"""`yiwang cases …`: the hotline's commands, one small function per subcommand.

- `train-router`: refit the routing model on the catalogue and every dispatch so far; prints its figures as JSON.
- `evaluate-router --file CSV [--json]`: top-1 and top-3 unit accuracy of the active model on a CSV with the
  columns 内容 and 承办单位 (UTF-8 with or without BOM, or GBK); exit code 2 when the file cannot be used.
- `route TEXT [--division CODE]`: the three likeliest units and categories, as JSON.

To add a subcommand, write its `_add_<name>(subparsers)` and `_run_<name>(command, options)` and list them in
`SUBCOMMANDS`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.errors import YiwangError

EXIT_UNUSABLE_INPUT = 2


@dataclass(frozen=True)
class Subcommand:
    """A subcommand: how its arguments are declared and what it does."""

    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[BaseCommand, dict[str, Any]], None]
    help: str


def _print_json(command: BaseCommand, value: object) -> None:
    command.stdout.write(json.dumps(value, ensure_ascii=False))


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    """A subcommand without arguments."""


def _run_train_router(command: BaseCommand, options: dict[str, Any]) -> None:
    from yiwang.cases.routing import router_train

    try:
        row = router_train(actor=None)
    except YiwangError as error:
        raise CommandError(str(error), returncode=EXIT_UNUSABLE_INPUT) from None
    _print_json(command, {"model": row.pk, "kind": row.kind, "examples": row.examples, "metrics": row.metrics})


def _add_evaluate_router(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", required=True, help="CSV with the columns 内容 and 承办单位 (UTF-8 or GBK)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")


def _run_evaluate_router(command: BaseCommand, options: dict[str, Any]) -> None:
    from yiwang.cases.routing import read_evaluation_csv, router_evaluate

    path = Path(options["file"])
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}", returncode=EXIT_UNUSABLE_INPUT) from None
    try:
        rows = read_evaluation_csv(data)
    except YiwangError as error:
        raise CommandError(f"{path}: {error}", returncode=EXIT_UNUSABLE_INPUT) from None
    evaluation = router_evaluate(rows=rows)
    if options["json"]:
        _print_json(command, evaluation.as_json())
        return
    command.stdout.write(
        f"top-1 accuracy: {evaluation.top1_accuracy:.3f} ({evaluation.top1}/{evaluation.evaluated})\n"
        f"top-3 accuracy: {evaluation.top3_accuracy:.3f} ({evaluation.top3}/{evaluation.evaluated})\n"
        f"rows: {evaluation.total}, with a known unit: {evaluation.evaluated}"
    )
    if evaluation.unknown_units:
        command.stdout.write("units not found (rows left out): " + "、".join(evaluation.unknown_units))


def _add_route(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", help="what the caller said")
    parser.add_argument("--division", default="", help="the division code of the place (community, street…)")


def _run_route(command: BaseCommand, options: dict[str, Any]) -> None:
    from yiwang.cases.routing import route

    try:
        proposal = route(options["text"], division_code=options["division"])
    except YiwangError as error:
        raise CommandError(str(error), returncode=EXIT_UNUSABLE_INPUT) from None
    _print_json(command, proposal.as_json())


SUBCOMMANDS: dict[str, Subcommand] = {
    "train-router": Subcommand(_no_arguments, _run_train_router, "refit the routing model and print its figures"),
    "evaluate-router": Subcommand(
        _add_evaluate_router, _run_evaluate_router, "top-1 and top-3 unit accuracy on a CSV (内容, 承办单位)"
    ),
    "route": Subcommand(_add_route, _run_route, "the three likeliest units and categories of a text, as JSON"),
}


class Command(BaseCommand):
    help = "12345 hotline: train, evaluate and ask the routing model."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="action", required=True)
        for name, subcommand in SUBCOMMANDS.items():
            subcommand.arguments(subparsers.add_parser(name, help=subcommand.help))

    def handle(self, *args: Any, **options: Any) -> None:
        SUBCOMMANDS[options["action"]].run(self, options)
