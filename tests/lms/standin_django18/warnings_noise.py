"""
The RemovedInDjango19Warning lines a Ginkgo LMS prints on stderr at every start (about 41
measured), in the format of Python's warnings module: `path:line: Category: message`,
then the source line. Their count comes from settings.DJANGO18_DEPRECATION_WARNINGS.
"""

import sys

SITE = "/edx/app/edxapp/venvs/edxapp/local/lib/python2.7/site-packages"
SAMPLES = (
    (
        f"{SITE}/django/contrib/contenttypes/generic.py",
        12,
        "django.contrib.contenttypes.generic is deprecated and will be removed in Django 1.9. Its contents have "
        "been moved to the fields, forms, and admin submodules of django.contrib.contenttypes.",
        "  return f(*args, **kwds)",
    ),
    (
        f"{SITE}/django/utils/importlib.py",
        10,
        "django.utils.importlib will be removed in Django 1.9.",
        "  from django.utils.importlib import import_module",
    ),
    (
        f"{SITE}/django/db/models/loading.py",
        8,
        "The utilities in django.db.models.loading are deprecated in favor of the new application loading system.",
        "  from django.db.models.loading import get_model",
    ),
    (
        f"{SITE}/django/utils/datastructures.py",
        151,
        "SortedDict is deprecated and will be removed in Django 1.9.",
        "  self._fields = SortedDict()",
    ),
    (
        f"{SITE}/django/template/base.py",
        1109,
        "Loading the `url` tag from the `future` library is deprecated and will be removed in Django 1.9. "
        "Use the default `url` tag instead.",
        "  {% load url from future %}",
    ),
    (
        f"{SITE}/django/core/context_processors.py",
        3,
        "django.core.context_processors is deprecated in favor of django.template.context_processors.",
        "  from django.core.context_processors import csrf",
    ),
    (
        f"{SITE}/django/db/models/base.py",
        309,
        "Model class edxval.models.Profile doesn't declare an explicit app_label and either isn't in an "
        "application in INSTALLED_APPS or else was imported before its application was loaded. This will no "
        "longer be supported in Django 1.9.",
        "  class Profile(models.Model):",
    ),
)


def write(count, stream=None):
    stream = stream or sys.stderr
    for index in range(count):
        path, line, message, source = SAMPLES[index % len(SAMPLES)]
        stream.write(f"{path}:{line + index}: RemovedInDjango19Warning: {message}\n{source}\n")
    stream.flush()
