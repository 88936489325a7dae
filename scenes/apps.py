from django.apps import AppConfig


class ScenesConfig(AppConfig):
    name = "scenes"
    verbose_name = "Scenes, flashbacks and letters"

    def ready(self):
        from iwojima_site import caching, horizon
        from scenes import prominence, search
        from scenes.models import Appearance, Flashback, Letter, Location, Scene

        search.register()
        caching.track(Location, Scene, Appearance, Flashback, Letter)
        prominence.connect(Appearance, Flashback)
        horizon.last_scene_number = Scene.objects.last_number
