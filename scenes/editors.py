"""The Editors group: people who correct the content in the admin, and may do nothing else there."""

EDITORS_GROUP = "Editors"
CONTENT_MODELS = {
    "characters": ["character"],
    "scenes": ["location", "scene", "appearance", "flashback", "letter"],
}
ACTIONS = ["view", "add", "change", "delete"]
# Readers' suggested corrections: editors read them, mark them done and delete them; readers add them.
REVIEW_MODELS = {"iwojima_site": ["suggestion"]}
REVIEW_ACTIONS = ["view", "change", "delete"]


def create_editors_group(apps):
    """Create (or complete) the Editors group; `apps` is a migration's app registry or django.apps.apps."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    wanted = [(CONTENT_MODELS, ACTIONS), (REVIEW_MODELS, REVIEW_ACTIONS)]
    permissions = Permission.objects.none()
    for models_by_app, actions in wanted:
        codenames = [f"{action}_{model}" for models in models_by_app.values() for model in models for action in actions]
        permissions |= Permission.objects.filter(content_type__app_label__in=models_by_app, codename__in=codenames)
    group.permissions.set(permissions)
    return group
