from django.apps import AppConfig


class CharactersConfig(AppConfig):
    name = "characters"
    verbose_name = "People"

    def ready(self):
        from characters import search
        from characters.models import Character
        from iwojima_site import caching

        search.register()
        caching.track(Character)
