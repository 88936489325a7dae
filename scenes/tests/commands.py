"""Helpers for the tests of the content commands: run one, see the content, edit a fixture file."""

import json
from io import StringIO

from django.core.management import call_command

from scenes.content import content_models


def run(*args):
    """Run a management command; returns what it printed."""
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def snapshot():
    """Everything a reader could see, as plain data, to compare before and after a command."""
    return {model.__name__: sorted(map(str, model.objects.values_list())) for model in content_models()}


def edit_json(path, change):
    """Load a fixture file, let `change(data)` edit it, write it back."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
