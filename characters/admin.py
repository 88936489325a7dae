from django import forms
from django.contrib import admin

from characters.models import Character, names_in
from iwojima_site.admin import EditorFields
from iwojima_site.rules import RuleCheckedAdmin
from iwojima_site.story import StoryPartsField


class NamesField(forms.CharField):
    """An admin form field for names typed one a line or separated by commas, cleaned to one a line: each trimmed,
    empty ones dropped ("General Kuribayashi, the general" → "General Kuribayashi\nthe general"; ",," → "")."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 60})

    def to_python(self, value):
        return "\n".join(names_in(super().to_python(value)))


class CharacterForm(forms.ModelForm):
    """The admin's form for a person (the admin supplies the model and fields)."""

    aliases = NamesField(
        required=False,
        help_text="Names people use for them, one a line or separated by commas, e.g. “General Kuribayashi”. Shown "
        "as “also called”.",
    )
    biography = StoryPartsField(required=False)
    fate_detail = StoryPartsField(required=False, label="Fate note")

    def _post_clean(self):
        super()._post_clean()
        # The rules that span records (a part stamped with a scene that does not exist, a fate scene the person
        # is not in), which reload_content checks after loading everything.
        for message in self.instance.rule_errors() if not self.errors else []:
            field, _, text = message.partition(": ") if ": " in message else ("", "", message)
            self.add_error(field if field in self.fields else None, text or message)


@admin.register(Character)
class CharacterAdmin(EditorFields, RuleCheckedAdmin):
    form = CharacterForm
    list_display = ["name", "rank", "side", "is_group", "principal", "fate", "actor", "credit_order"]
    list_filter = ["principal", "is_group", "is_named", "side", "fate", "historical", "credited_only"]
    # Source names hold every spelling the plot summary uses, so "Kuribashi" finds Kuribayashi here too.
    search_fields = ["name", "full_name", "aliases", "source_names", "slug", "actor"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["fate_scene"]
    show_facets = admin.ShowFacets.ALWAYS
    fieldsets = [
        (None, {"fields": ["name", "slug", "full_name", "rank", "role", "side"]}),
        ("Names", {"fields": ["aliases", "source_names", "former_slugs"]}),
        ("Kind of record", {"fields": ["principal", "is_group", "is_named"]}),
        ("Story", {"fields": ["biography", "fate", "fate_scene", "fate_detail"]}),
        ("From the credits", {"fields": ["actor", "credit_order", "credited_only", "historical"]}),
    ]
