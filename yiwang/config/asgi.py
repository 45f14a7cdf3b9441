"""ASGI entry point (the platform's views are synchronous; WSGI is the recommended server)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.settings")
application = get_asgi_application()
