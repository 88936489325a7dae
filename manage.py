#!/usr/bin/env python
"""Django's command-line utility for the Letters from Iwo Jima site."""

import importlib
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iwojima_site.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])  # the settings read the environment
    except ImproperlyConfigured as error:
        # A variable the environment must give (the secret key with debug off): the sentence says which and what
        # to do; a traceback through Django's setup would only bury it.
        sys.exit(f"manage.py: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
