"""`yiwang demo`: load the demo city 明湖市 into an empty database, or finish an interrupted load."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yiwang.core.errors import YiwangError
from yiwang.demo.city import DEFAULT_SEED
from yiwang.demo.management.logins import render_logins
from yiwang.demo.population import SCALES
from yiwang.demo.selectors import demo_city, demo_logins
from yiwang.demo.services import DEFAULT_BATCH_SIZE, DemoLoadResult, demo_load, demo_resume


def _start_again() -> str:
    """How to get rid of a demo city (or a half-loaded one) and begin anew."""
    return _(
        "To start again from nothing, empty the database with `yiwang flush --no-input` (this deletes every row), "
        "then run `yiwang demo` again."
    )


class Command(BaseCommand):
    help = (
        "Load the demo city 明湖市 (4 districts, 20 streets, 100 communities, the city's departments, staff for "
        "every role, generated citizens and enterprises) into an empty database. Refuses when the database "
        "already holds a demo city or any account."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="small",
            help="small: 1,000 citizens; medium: 100,000; large: 1,000,000 (default small)",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"the same seed gives the same city (default {DEFAULT_SEED})"
        )
        parser.add_argument("--people", type=int, help="generate this many citizens instead of the scale's number")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="citizens per committed batch")
        parser.add_argument(
            "--cases-history",
            type=int,
            help="historic 12345 cases the router learns from (default three per citizen, at most 3,000)",
        )
        parser.add_argument(
            "--resume",
            action="store_true",
            help="finish a load that was interrupted, with the scale and seed it recorded",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="load even when YIWANG_ENV=production (every demo account shares a published password)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENV.production and not options["allow_production"]:
            raise CommandError(
                _(
                    "YIWANG_ENV is production: the demo accounts share a published password. "
                    "Pass --allow-production to load them anyway."
                )
            )
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1"))

        def progress(step: str, message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        try:
            if options["resume"]:
                result = demo_resume(batch_size=options["batch_size"], progress=progress)
            else:
                result = demo_load(
                    scale=options["scale"],
                    seed=options["seed"],
                    people=options["people"],
                    batch_size=options["batch_size"],
                    progress=progress,
                    cases_history=options["cases_history"],
                )
        except YiwangError as error:
            hint = "" if options["resume"] else " " + _("Nothing was loaded.") + " " + _start_again()
            raise CommandError(f"{error}{hint}") from None
        except KeyboardInterrupt:
            raise CommandError(
                _(
                    "Interrupted. What was committed stays: the whole organisation or none of it, then whole "
                    "batches of citizens. Run `yiwang demo --resume` to finish the load."
                )
                + " "
                + _start_again()
            ) from None
        self.stdout.write(self.style.SUCCESS(_summary(result)))
        self.stdout.write("")
        for line in render_logins(demo_city(), demo_logins()):
            self.stdout.write(line)


def _summary(result: DemoLoadResult) -> str:
    """One line saying what the load created and how long it took."""
    text = _(
        "demo city loaded in %(seconds).1f s: %(divisions)d divisions, %(departments)d departments, %(staff)d staff, "
        "%(citizens)s citizens, %(enterprises)s enterprises"
    ) % {
        "seconds": result.seconds,
        "divisions": result.divisions,
        "departments": result.departments,
        "staff": result.staff,
        "citizens": f"{result.citizens:,}",
        "enterprises": f"{result.enterprises:,}",
    }
    return text
