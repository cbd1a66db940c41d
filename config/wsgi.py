import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Everything loaded so far (Django, Wagtail, templates, URL patterns) lives as long as the
# process: keep it out of the garbage collector's scans, which otherwise show up as slow
# requests at the tail. A request allocates thousands of short-lived objects; collecting the
# youngest generation less often keeps that work out of most requests.
gc.freeze()
gc.set_threshold(20_000, 20, 20)
