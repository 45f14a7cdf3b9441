"""WSGI entry point: `gunicorn yiwang.config.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.settings")
application = get_wsgi_application()
