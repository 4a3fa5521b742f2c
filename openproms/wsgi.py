"""WSGI entry point (served by waitress in ``openproms start``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
application = get_wsgi_application()
