"""The `yiwang` command: Django's management commands with Yiwang's settings.

In development (YIWANG_ENV is not `production`) it first creates any missing secrets under `var/`.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `yiwang` console script."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.settings")
    if os.environ.get("YIWANG_ENV", "development") != "production":
        from yiwang.config.environment import read_environment
        from yiwang.config.secrets import ensure_development_secrets

        created = ensure_development_secrets(read_environment().var_dir)
        if created:
            print(f"created development secrets in var/: {', '.join(created)}", file=sys.stderr)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["yiwang", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
