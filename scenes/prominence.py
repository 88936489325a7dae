"""Keep each person's stored `seen_scene_count` true as appearances and memories change.

The count orders every people facet and the people list (the order of prominence). Counted on every request it
cost each such page a correlated subquery per person, 17 ms at a hundred times the content; stored, the order is
a plain ORDER BY. Every change that can move it recounts the people it touches, in the same transaction.
Records created with bulk_create send no signal: call `Character.objects.refresh_seen_scene_counts()` after.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from characters.models import Character


def recount(pks):
    pks = {pk for pk in pks if pk is not None}
    if pks:
        Character.objects.filter(pk__in=pks).refresh_seen_scene_counts()


def appearance_changing(sender, instance, raw=False, **kwargs):
    # The person an edited appearance belonged to before, who may have just left the scene.
    instance._previous_character_id = (
        sender._default_manager.filter(pk=instance.pk).values_list("character_id", flat=True).first()
        if instance.pk and not raw
        else None
    )


def appearance_changed(sender, instance, **kwargs):
    recount({instance.character_id, getattr(instance, "_previous_character_id", None)})


def person_loaded(sender, instance, raw=False, **kwargs):
    # A fixture may load someone after their appearances (loaddata defers its checks): count them then.
    if raw:
        recount({instance.pk})


def flashback_deleting(sender, instance, **kwargs):
    instance._remembered_ids = set(instance.characters.values_list("pk", flat=True))


def flashback_changed(sender, instance, **kwargs):
    # A memory moved to another scene moves its people with it; its own list changes come through m2m_changed.
    ids = getattr(instance, "_remembered_ids", None)
    recount(ids if ids is not None else instance.characters.values_list("pk", flat=True))


def memory_people_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear":
        instance._cleared_ids = {instance.pk} if reverse else set(instance.characters.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        recount({instance.pk} if reverse else pk_set)
    elif action == "post_clear":
        recount(getattr(instance, "_cleared_ids", ()))


def connect(appearance, flashback):
    """Connect the recounts to the Appearance and Flashback models (called from the app's ready())."""
    uid = "seen-scene-count"
    post_save.connect(person_loaded, sender=Character, dispatch_uid=f"{uid}-person")
    pre_save.connect(appearance_changing, sender=appearance, dispatch_uid=f"{uid}-appearance-pre")
    post_save.connect(appearance_changed, sender=appearance, dispatch_uid=f"{uid}-appearance-save")
    post_delete.connect(appearance_changed, sender=appearance, dispatch_uid=f"{uid}-appearance-delete")
    post_save.connect(flashback_changed, sender=flashback, dispatch_uid=f"{uid}-flashback-save")
    pre_delete.connect(flashback_deleting, sender=flashback, dispatch_uid=f"{uid}-flashback-pre-delete")
    post_delete.connect(flashback_changed, sender=flashback, dispatch_uid=f"{uid}-flashback-delete")
    m2m_changed.connect(memory_people_changed, sender=flashback.characters.through, dispatch_uid=f"{uid}-memory")
