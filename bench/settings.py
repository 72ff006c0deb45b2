"""Settings of the benchmark server: the project's settings plus the minimal view's URL."""

from integration.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
