from django.apps import AppConfig


class ScenesConfig(AppConfig):
    name = "scenes"
    verbose_name = "Scenes, flashbacks and letters"
