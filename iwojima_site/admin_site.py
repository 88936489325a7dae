"""The admin site: Django's own, plus a "Recent changes" page for staff, built from the admin's log.

Installed as `iwojima_site.admin_site.SiteAdminConfig` in place of "django.contrib.admin", so `admin.site` and every
`@admin.register` use SiteAdmin. Settings import this module before any model is ready: models are imported inside
the methods.
"""

from math import ceil

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import path, reverse


class SiteAdmin(admin.AdminSite):
    """The admin, with /admin/recent-changes/ (named "admin:recent_changes") linked from its index."""

    index_template = "admin/site_index.html"
    changes_per_page = 50

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
