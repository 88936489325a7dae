"""The rules that span records, in one place for every path that writes content: a reload checks them once all
files are in, and every admin save and delete checks them before it commits.

A model takes part by defining `rule_errors()`, which returns the messages for what the rest of the content
contradicts in that record (empty when all is well). This module knows no model of the film.
"""

from django.apps import apps
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect


def ruled_models():
    return [model for model in apps.get_models() if hasattr(model, "rule_errors")]


def broken_rules():
    """Yield (record, [messages]) for every record that breaks a rule, in model order."""
    for model in ruled_models():
        for record in model._default_manager.all():
            errors = record.rule_errors()
            if errors:
                yield record, errors


def first_broken_rule():
    """“Okubo: fate_scene: …” for the first record that breaks a rule, or None."""
    for record, errors in broken_rules():
        return f"{record._meta.verbose_name} “{record}”: {'; '.join(errors)}"
    return None


class RuleCheckedAdmin(admin.ModelAdmin):
    """An admin whose every write (save, delete, bulk action) is undone, with a message, if it leaves the content
    breaking a rule that a reload would refuse: an edit either holds everywhere or is not made at all."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._checked(request, super().changeform_view, request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._checked(request, super().delete_view, request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        return self._checked(request, super().changelist_view, request, extra_context)

    def _checked(self, request, view, *args):
        if request.method != "POST":
            return view(*args)
        with transaction.atomic():
            response = view(*args)
            broken = first_broken_rule()
            if broken is None:
                return response
            transaction.set_rollback(True)
        list(messages.get_messages(request))  # drop the "changed successfully" that no longer holds
        self.message_user(request, f"Nothing was saved: the change would leave {broken}", messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())
