"""What every content admin shares (fields typed as editors think of them), and readers' suggestions."""

from django.contrib import admin
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst

from iwojima_site.models import Suggestion, SuggestionStatus
from iwojima_site.records import SlugListField
from iwojima_site.source import SourceParagraphsField


class EditorFields:
    """For a ModelAdmin or inline of the content: `source_paragraphs` typed as "3, 4", with each paragraph's first
    words as help, `former_slugs` typed one a line or separated by commas, instead of raw JSON, and numbers that
    start where their model's validators say."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "source_paragraphs":
            return SourceParagraphsField(label=capfirst(db_field.verbose_name), required=not db_field.blank)
        if db_field.name == "former_slugs":
            return SlugListField(label=capfirst(db_field.verbose_name), required=False)
        if isinstance(db_field, models.IntegerField):
            # A number counted from 1 (a scene's, a credit's) is refused below 1 at once, in the model's words: a
            # positive field's form field says "≥ 0" to −1 first, and only the model then "≥ 1" to 0.
            floors = [v for v in db_field.validators if isinstance(v, MinValueValidator)]
            if floors:
                floor = max(floors, key=lambda validator: validator.limit_value)
                kwargs.setdefault("min_value", floor.limit_value)
                kwargs.setdefault("error_messages", {"min_value": floor.message})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        """The change form; a record renamed back to one of its own former slugs takes it back from that list
        (its model would refuse a slug that is also one of its former slugs)."""
        form = super().get_form(request, obj, **kwargs)
        if not {"slug", "former_slugs"} <= set(form.base_fields):
            return form

        class TakesBackFormerSlug(form):
            def clean(self):
                cleaned = super().clean()
                slug, former = cleaned.get("slug"), cleaned.get("former_slugs") or []
                if self.instance.pk and "slug" in self.changed_data and slug in former:
                    cleaned["former_slugs"] = [old for old in former if old != slug]
                return cleaned

        return TakesBackFormerSlug

    def save_model(self, request, obj, form, change):
        # A renamed record keeps its old address: the slug it had joins its former slugs, which redirect for good.
        # (Nothing else can hold that slug: slugs are unique, and a former slug may not be another's slug.)
        old = form.initial.get("slug")
        if change and "slug" in form.changed_data and old and old not in (obj.former_slugs or []):
            obj.former_slugs = [*(obj.former_slugs or []), old]
        super().save_model(request, obj, form, change)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """Readers' suggestions, newest first: editors read them, mark them done, delete them; only readers add them."""

    list_display = ["created", "status", "page_link", "summary", "email"]
    list_filter = ["status"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["text", "source", "page", "email"]
    fields = ["status", "page_link", "created", "text", "source", "email"]
    readonly_fields = ["page_link", "created", "text", "source", "email"]
    actions = ["mark_done"]

    def has_add_permission(self, request):
        return False

    def view_on_site(self, obj):
        # "View on site" opens the page the suggestion is about (a path on this site, checked when it was sent).
        return obj.page or None

    @admin.display(description="page", ordering="page")
    def page_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.page, obj.page) if obj.page else "—"

    @admin.display(description="what is wrong")
    def summary(self, obj):
        return Truncator(" ".join(obj.text.split())).chars(100)

    @admin.action(description="Mark the selected suggestions done", permissions=["change"])
    def mark_done(self, request, queryset):
        changed = 0
        for suggestion in queryset.filter(status=SuggestionStatus.OPEN):
            suggestion.status = SuggestionStatus.DONE
            suggestion.save(update_fields=["status"])
            self.log_change(request, suggestion, [{"changed": {"fields": ["Status"]}}])
            changed += 1
        self.message_user(request, f"{changed} suggestion{'s' if changed != 1 else ''} marked done.")
