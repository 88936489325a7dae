"""WSGI entry point, e.g. `gunicorn iwojima_site.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iwojima_site.settings")
application = get_wsgi_application()
