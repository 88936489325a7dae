from django.contrib import admin

from characters.models import Character


@admin.register(Character)
class CharacterAdmin(admin.ModelAdmin):
    list_display = ["name", "full_name", "rank", "side", "fate", "historical", "principal", "actor"]
    list_filter = ["side", "fate", "historical", "principal"]
    # Aliases hold every spelling the plot summary uses, so "Kuribashi" finds Kuribayashi here too.
    search_fields = ["name", "full_name", "aliases", "slug", "actor"]
    prepopulated_fields = {"slug": ["name"]}
    show_facets = admin.ShowFacets.ALWAYS
    fieldsets = [
        (None, {"fields": ["name", "slug", "full_name", "rank", "aliases", "side", "role", "principal"]}),
        ("Story", {"fields": ["biography", "fate", "fate_detail"]}),
        ("From the credits", {"fields": ["actor", "historical"]}),
    ]
