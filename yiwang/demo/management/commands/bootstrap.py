"""`yiwang bootstrap`: bring a database up to date and, when it is empty, load the small demo city.

Safe to run on every start (`make run` does): migrations and the cache table are idempotent, the demo is
loaded only into a database without accounts (and never when YIWANG_ENV=production, since every demo account
shares a published password), and the demo logins are printed whenever the demo city exists.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from yiwang.datahub.catalog.services import registries_ensure
from yiwang.demo.management.logins import render_logins
from yiwang.demo.selectors import demo_city, demo_logins
from yiwang.demo.services import demo_load_if_empty


class Command(BaseCommand):
    help = "Migrate, create the cache table, load the small demo city into an empty database, print demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-demo", action="store_true", help="never load the demo city")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0), stdout=self.stdout)
        call_command("createcachetable", verbosity=max(verbosity - 1, 0), stdout=self.stdout)
        self.stdout.write(_("database schema up to date"))
        # The built-in registries exist on every installation; their sources are assigned by name when the
        # departments exist (the demo city creates them), otherwise by the platform administrator.
        registries_ensure()

        def progress(step: str, message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        # In production the demo's shared, published password must never open an account.
        if not options["no_demo"] and not settings.ENV.production:
            result = demo_load_if_empty(progress=progress)
            if result is not None:
                self.stdout.write(
                    self.style.SUCCESS(_("demo city loaded in %(seconds).1f s") % {"seconds": result.seconds})
                )
        city = demo_city()
        if city is None and settings.ENV.production:
            self.stdout.write(
                _("production: the demo city is never loaded; create an administrator with `yiwang createsuperuser`")
            )
            return
        if city is None:
            self.stdout.write(_("no demo city in this database (it is loaded only into a database without accounts)"))
            return
        self.stdout.write("")
        for line in render_logins(city, demo_logins()):
            self.stdout.write(line)
