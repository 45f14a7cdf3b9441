"""Settings of the gateway benchmark's server: the platform's own, with one unsigned route added (`gateway_urls`).

The server runs with these settings in every phase, so that the baseline and the gateway differ only in the path.
"""

from yiwang.config.settings import *  # noqa: F403 - the platform's settings, unchanged but for the URL map

ROOT_URLCONF = "bench.gateway_urls"
