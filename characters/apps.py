from django.apps import AppConfig


class CharactersConfig(AppConfig):
    name = "characters"
    verbose_name = "People"

    def ready(self):
        from characters import search

        search.register()
