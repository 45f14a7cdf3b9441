"""`yiwang cases …`: the hotline's commands, one small function per subcommand.

- `train-router`: refit the routing model on the catalogue and every dispatch so far; prints its figures as JSON.
- `evaluate-router --file CSV [--json]`: top-1 and top-3 unit accuracy of the active model on a CSV with the
  columns 内容 and 承办单位 (UTF-8 with or without BOM, or GBK); exit code 2 when the file cannot be used.
- `route TEXT [--division CODE]`: the three likeliest units and categories, as JSON.
- `watch-deadlines`: what the worker does every 15 minutes — warn cases near their limit, escalate late ones.
- `open311-client-create NAME [--department ID]`: register a partner system; prints its API key once.
- `open311-client-revoke ID`, `open311-clients`: revoke a key; list the partners.

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


def _run_watch_deadlines(command: BaseCommand, options: dict[str, Any]) -> None:
    from yiwang.cases.services import cases_watch_deadlines

    result = cases_watch_deadlines()
    _print_json(command, {"warned": result.warned, "escalated": result.escalated})


def _add_open311_client_create(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the partner system's name, e.g. 明湖随手拍")
    parser.add_argument("--department", type=int, default=None, help="id of the department that answers for it")


def _run_open311_client_create(command: BaseCommand, options: dict[str, Any]) -> None:
    from yiwang.cases.open311.services import open311_client_create

    try:
        client, key = open311_client_create(actor=None, name=options["name"], department_id=options["department"])
    except YiwangError as error:
        raise CommandError(str(error), returncode=EXIT_UNUSABLE_INPUT) from None
    # The key is shown this once: only its digest is kept.
    _print_json(command, {"id": client.pk, "name": client.name, "api_key": key})


def _add_open311_client_revoke(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", type=int, help="the client's id (see open311-clients)")


def _run_open311_client_revoke(command: BaseCommand, options: dict[str, Any]) -> None:
    from yiwang.cases.open311.services import open311_client_revoke

    try:
        client = open311_client_revoke(actor=None, client_id=options["id"])
    except YiwangError as error:
        raise CommandError(str(error), returncode=EXIT_UNUSABLE_INPUT) from None
    _print_json(command, {"id": client.pk, "name": client.name, "active": client.active})


def _run_open311_clients(command: BaseCommand, options: dict[str, Any]) -> None:
    from yiwang.cases.open311.selectors import open311_client_list

    _print_json(
        command,
        [
            {"id": client.id, "name": client.name, "department_id": client.department_id, "active": client.active}
            for client in open311_client_list()
        ],
    )


SUBCOMMANDS: dict[str, Subcommand] = {
    "train-router": Subcommand(_no_arguments, _run_train_router, "refit the routing model and print its figures"),
    "evaluate-router": Subcommand(
        _add_evaluate_router, _run_evaluate_router, "top-1 and top-3 unit accuracy on a CSV (内容, 承办单位)"
    ),
    "route": Subcommand(_add_route, _run_route, "the three likeliest units and categories of a text, as JSON"),
    "watch-deadlines": Subcommand(_no_arguments, _run_watch_deadlines, "warn and escalate late cases now"),
    "open311-client-create": Subcommand(
        _add_open311_client_create, _run_open311_client_create, "register an Open311 partner; prints its key once"
    ),
    "open311-client-revoke": Subcommand(
        _add_open311_client_revoke, _run_open311_client_revoke, "revoke an Open311 partner's key"
    ),
    "open311-clients": Subcommand(_no_arguments, _run_open311_clients, "list the Open311 partners"),
}


class Command(BaseCommand):
    help = "12345 hotline: the routing model, the deadline sweep, Open311 partners."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="action", required=True)
        for name, subcommand in SUBCOMMANDS.items():
            subcommand.arguments(subparsers.add_parser(name, help=subcommand.help))

    def handle(self, *args: Any, **options: Any) -> None:
        SUBCOMMANDS[options["action"]].run(self, options)
