"""The project's own app config, and configs that give the libraries' apps a name people can
read in the admin."""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class LambBinhConfig(AppConfig):
    # The project is an app (it has no models) so that Django finds the commands of the
    # tooling above both apps: bench_reports, bench_import, loadtest.
    default = True
    name = "lamb_binh"
    verbose_name = "Hệ thống theo dõi “3 cùng”"


class AxesConfig(AxesAppConfig):
    # Named in INSTALLED_APPS for axes; never the config Django picks for "lamb_binh".
    default = False
    # django-axes has no verbose_name, so the admin shows its label, "Axes".
    verbose_name = "Khóa đăng nhập"
