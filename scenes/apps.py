from django.apps import AppConfig


class ScenesConfig(AppConfig):
    name = "scenes"
    verbose_name = "Scenes, flashbacks and letters"

    def ready(self):
        from scenes import search

        search.register()
