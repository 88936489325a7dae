"""The admin site: Django's own, plus a "Recent changes" page for staff, built from the admin's log.

Installed as `iwojima_site.admin_site.SiteAdminConfig` in place of "django.contrib.admin", so `admin.site` and every
`@admin.register` use SiteAdmin. Settings import this module before any model is ready: models are imported inside
the methods.
"""

from functools import update_wrapper
from math import ceil

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import Truncator


class SiteAdmin(admin.AdminSite):
    """The admin, with /admin/recent-changes/ (named "admin:recent_changes") linked from its index, and lists that
    refuse a bulk action on keys that are not keys of their records."""

    index_template = "admin/site_index.html"
    changes_per_page = 50

    def admin_view(self, view, cacheable=False):
        """Django's, and a model's view (each ModelAdmin's, Django's and third parties' included) first checks the
        keys of the records selected for an action (`_selected_action`, only a list sends them). Django's
        response_action puts them straight into a QuerySet, and a key of the wrong kind ("x" for a number, only a
        hand-made request sends one) ended in a 500 there; now the list comes back with a message saying so."""
        model_admin = getattr(view, "__self__", None)  # ModelAdmin.get_urls() passes its own bound views
        if not isinstance(model_admin, admin.ModelAdmin):
            return super().admin_view(view, cacheable)

        def checked(request, *args, **kwargs):
            return refuse_bad_selection(request, model_admin) or view(request, *args, **kwargs)

        return super().admin_view(update_wrapper(checked, view), cacheable)

    def get_urls(self):
        return [
            path("recent-changes/", self.admin_view(self.recent_changes), name="recent_changes"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        from iwojima_site.models import Suggestion, SuggestionStatus

        extra_context = extra_context or {}
        if request.user.has_perm("iwojima_site.view_suggestion"):
            extra_context["open_suggestions"] = Suggestion.objects.filter(status=SuggestionStatus.OPEN).count()
        return super().index(request, extra_context)

    def recent_changes(self, request):
        """Every addition, change and deletion made in the admin, newest first, 50 a page.

        Each row says who, when and what, and links to the record's change page and its page on the site while
        the record exists. Staff see the changes to the kinds of record they may view (editors: the content and
        the suggestions; never users or groups).
        """
        from django.contrib.admin.models import LogEntry

        entries = LogEntry.objects.select_related("user", "content_type")
        if not request.user.is_superuser:
            entries = entries.filter(content_type__in=viewable_content_types(request.user))
        page = Paginator(entries, self.changes_per_page).get_page(request.GET.get("page"))
        context = {
            **self.each_context(request),
            "title": "Recent changes",
            "page_obj": page,
            "changes": changes_with_links(page.object_list),
        }
        return TemplateResponse(request, "admin/recent_changes.html", context)


class SiteAdminConfig(AdminConfig):
    """django.contrib.admin, with SiteAdmin as its default site."""

    default_site = "iwojima_site.admin_site.SiteAdmin"


def locked_out(request, original_response=None, credentials=None):
    """The answer to a sign-in while locked out (settings.AXES_LOCKOUT_CALLABLE): 429, and when to try again."""
    from axes.helpers import get_cool_off

    seconds = int(get_cool_off(request).total_seconds())
    context = {
        **admin.site.each_context(request),
        "title": "Too many attempts to sign in",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": ceil(seconds / 60),
    }
    response = TemplateResponse(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(seconds)
    return response.render()


def refuse_bad_selection(request, model_admin):
    """The list again with an error message when a POST selects a key that cannot be one of `model_admin`'s
    records (its primary key field refuses it: not a number, or too large for the database); None when every
    selected key can be."""
    if request.method != "POST":
        return None
    key_field, opts = model_admin.model._meta.pk, model_admin.opts
    for key in request.POST.getlist(ACTION_CHECKBOX_NAME):
        try:
            key_field.clean(key, None)
        except ValidationError:
            model_admin.message_user(
                request,
                f"Nothing was done: “{Truncator(key).chars(40)}” is not the key of any {opts.verbose_name}. "
                f"Tick the {opts.verbose_name_plural} in the list and choose the action again.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
    return None


def viewable_content_types(user):
    """The content types whose records `user` may view or change in the admin."""
    from django.contrib.contenttypes.models import ContentType

    return [
        content_type.pk
        for content_type in ContentType.objects.all()
        if user.has_perm(f"{content_type.app_label}.view_{content_type.model}")
        or user.has_perm(f"{content_type.app_label}.change_{content_type.model}")
    ]


def changes_with_links(entries):
    """[(entry, admin_url or None, site_url or None)] for LogEntry rows: links only to records that still exist.

    One query per kind of record on the page, to find which still exist.
    """
    ids_by_model = {}
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type else None
        if model is not None and not entry.is_deletion():
            ids_by_model.setdefault(model, set()).add(entry.object_id)
    existing = {
        (model, str(pk))
        for model, ids in ids_by_model.items()
        for pk in model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
    }
    changes = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type else None
        if (model, entry.object_id) not in existing:
            changes.append((entry, None, None))
            continue
        site_url = None
        if hasattr(model, "get_absolute_url"):
            site_url = reverse("admin:view_on_site", args=[entry.content_type_id, entry.object_id])
        changes.append((entry, entry.get_admin_url(), site_url))
    return changes
