"""The project's own app config, and configs that give the libraries' apps a name people can
read in the admin."""

import gc

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class LambBinhConfig(AppConfig):
    # The project is an app (it has no models) so that Django finds the commands of the
    # tooling above both apps: bench_reports, bench_import, loadtest.
    default = True
    name = "lamb_binh"
    verbose_name = "Hệ thống theo dõi “3 cùng”"

    def ready(self) -> None:
        # The last app ready: what is loaded now (Django, the apps, their modules) lives as
        # long as the process. Frozen, the garbage collector stops walking it on every full
        # collection, which a province's dashboard, building tens of thousands of objects,
        # set off in one request out of two (about 75 ms each, measured; 9 ms frozen). In
        # a forked worker the frozen pages also stay shared.
        gc.freeze()


class AxesConfig(AxesAppConfig):
    # Named in INSTALLED_APPS for axes; never the config Django picks for "lamb_binh".
    default = False
    # django-axes has no verbose_name, so the admin shows its label, "Axes".
    verbose_name = "Khóa đăng nhập"
