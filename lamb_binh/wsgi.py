"""WSGI entry point (gunicorn lamb_binh.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lamb_binh.settings")

application = get_wsgi_application()
