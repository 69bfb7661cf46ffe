"""App configurations that give the libraries' apps a name people can read in the admin."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    # django-axes has no verbose_name, so the admin shows its label, "Axes".
    verbose_name = _("Login lockouts")
