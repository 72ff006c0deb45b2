"""Find a module of the same name in every installed app (``demo``, ``dashboard`` …)."""

import importlib
from collections.abc import Iterator
from types import ModuleType

from django.apps import AppConfig, apps


def app_modules(name: str) -> Iterator[tuple[AppConfig, ModuleType]]:
    """Yield ``(app config, module)`` for each installed app that has ``<app>.<name>``.

    In INSTALLED_APPS order; an import error inside such a module is raised, not hidden.
    """
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.{name}":
                raise
            continue
        yield config, module
