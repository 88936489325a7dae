"""Reading and writing the content fixtures: the site's content lives in fixtures/, one JSON file per model.

`export_content` writes the database in a stable form (natural keys, no ids, sorted, indented, UTF-8), so
that reloading and exporting again reproduces the files byte for byte and an admin edit is a small diff.
`reload_content` loads them in one transaction and names the file and object of any error.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, models, transaction

# Which models each fixture file holds, in load order; each file refers only to the ones before it.
FIXTURE_MODELS = {
    "locations": ["scenes.location"],
    "characters": ["characters.character"],
    "scenes": ["scenes.scene", "scenes.appearance"],
    "flashbacks": ["scenes.flashback"],
    "letters": ["scenes.letter"],
}

# A total order for each model, so the export never depends on insertion order.
EXPORT_ORDER = {
    "scenes.location": ["slug"],
    "characters.character": ["slug"],
    "scenes.scene": ["number"],
    "scenes.appearance": ["scene__number", "character__slug"],
    "scenes.flashback": ["slug"],
    "scenes.letter": ["slug"],
}


class ContentError(Exception):
    """A fixture that cannot be loaded; the message names the file and the object."""


@dataclass
class LoadReport:
    counts: dict  # model label -> number of objects loaded

    def __str__(self):
        return ", ".join(
            f"{count} {apps.get_model(label)._meta.verbose_name_plural}" for label, count in self.counts.items()
        )


def fixtures_dir():
    return Path(settings.FIXTURE_DIRS[0])


def shown(path):
    """A fixture's path as people know it: relative to the project when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def content_models():
    return [apps.get_model(label) for labels in FIXTURE_MODELS.values() for label in labels]


def has_content():
    return any(model._default_manager.exists() for model in content_models())


def render_fixture(name):
    """The text `export_content` writes for one fixture file, from the database."""
    objects = []
    for label in FIXTURE_MODELS[name]:
        model = apps.get_model(label)
        json_fields = {field.name for field in model._meta.fields if isinstance(field, models.JSONField)}
        queryset = model._default_manager.order_by(*EXPORT_ORDER[label])
        for obj in serializers.serialize(
            "python", queryset, use_natural_foreign_keys=True, use_natural_primary_keys=True
        ):
            fields = {
                name: sorted_keys(value) if name in json_fields else value for name, value in obj["fields"].items()
            }
            if "former_slugs" in fields:  # after the slug, as people read a record
                fields = {name: value for name, value in fields.items() if name != "former_slugs"}
                fields = dict(insert_after(fields, "slug", "former_slugs", obj["fields"]["former_slugs"]))
            objects.append({**obj, "fields": fields})
    return to_json(objects) + "\n"


def sorted_keys(value):
    """A JSON value with every object's keys in alphabetical order, as the files keep them: PostgreSQL's jsonb
    returns keys in an order of its own, SQLite in the order they were saved."""
    if isinstance(value, dict):
        return {key: sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [sorted_keys(item) for item in value]
    return value


def insert_after(mapping, after, key, value):
    for name, item in mapping.items():
        yield name, item
        if name == after:
            yield key, value


def to_json(value, depth=0):
    """JSON indented by two spaces, except that a list of plain values (a natural key, paragraph numbers)
    stays on one line: the files read like the records they hold, and an edit changes one line."""
    pad = "  " * depth
    if isinstance(value, dict) and value:
        items = (
            f"{pad}  {json.dumps(key, ensure_ascii=False)}: {to_json(item, depth + 1)}" for key, item in value.items()
        )
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        items = (f"{pad}  {to_json(item, depth + 1)}" for item in value)
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)


def export_content(directory=None):
    """Write every fixture file from the database; returns the paths that changed."""
    directory = Path(directory or fixtures_dir())
    directory.mkdir(parents=True, exist_ok=True)
    changed = []
    for name in FIXTURE_MODELS:
        path = directory / f"{name}.json"
        text = render_fixture(name)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def describe(data):
    """How an object in a fixture is named in messages: its model and its slug (or natural key)."""
    if not isinstance(data, dict):
        return repr(data)[:60]
    fields = data.get("fields") if isinstance(data.get("fields"), dict) else {}
    model = data.get("model", "?")
    if "slug" in fields:
        return f"{model} “{fields['slug']}”"
    if model == "scenes.appearance":
        return f"{model} of {fields.get('character')} in {fields.get('scene')}"
    return f"{model} {json.dumps(fields, ensure_ascii=False)[:80]}"


def natural_key_of(data):
    fields = data.get("fields") or {}
    if data.get("model") == "scenes.appearance":
        return (json.dumps(fields.get("scene")), json.dumps(fields.get("character")))
    return (fields.get("slug"),)


def read_fixture(path):
    """The list of objects in one fixture file, or a ContentError saying what is wrong with the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(f"{shown(path)}: the file is missing.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(f"{shown(path)}: cannot be read ({error}).") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ContentError(
            f"{shown(path)}: malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}."
        ) from None
    if not isinstance(data, list):
        raise ContentError(f"{shown(path)}: expected a JSON list of objects.")
    allowed = set(FIXTURE_MODELS[path.stem]) if path.stem in FIXTURE_MODELS else None
    for item in data:
        if not isinstance(item, dict) or "model" not in item or not isinstance(item.get("fields"), dict):
            raise ContentError(f"{shown(path)}: {describe(item)} is not an object with “model” and “fields”.")
        if allowed is not None and item["model"] not in allowed:
            raise ContentError(
                f"{shown(path)}: {describe(item)}: unknown model “{item['model']}” here; "
                f"this file holds {', '.join(sorted(allowed))}."
            )
    return data


def read_all(directory=None):
    directory = Path(directory or fixtures_dir())
    return {name: (directory / f"{name}.json", read_fixture(directory / f"{name}.json")) for name in FIXTURE_MODELS}


def unsaved_edits(directory=None):
    """Objects in the database that the fixture files lack or hold differently: what a reload would lose.

    Compares what `export_content` would write with the files, object by object.
    """
    lost = []
    for name, (_path, file_objects) in read_all(directory).items():
        in_files = {json.dumps(item, sort_keys=True, ensure_ascii=False) for item in file_objects}
        for item in json.loads(render_fixture(name)):
            if json.dumps(item, sort_keys=True, ensure_ascii=False) not in in_files:
                lost.append(describe(item))
    return lost


def missing_references(item):
    """The relations in a fixture object whose natural keys match nothing: “location: no location “x””."""
    model = apps.get_model(item["model"])
    missing = []
    for name, value in item["fields"].items():
        field = model._meta.get_field(name)
        if not field.is_relation or value is None:
            continue
        target = field.related_model
        for key in value if field.many_to_many else [value]:
            if not isinstance(key, list):
                missing.append(f"{name}: {json.dumps(key)} is not a natural key; write it as [{json.dumps(key)}]")
                continue
            try:
                target._default_manager.get_by_natural_key(*key)
            except (ObjectDoesNotExist, TypeError):
                missing.append(f"{name}: there is no {target._meta.verbose_name} “{'/'.join(map(str, key))}”")
    return missing


def _error_text(error, item):
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
        return " ".join(error.messages)
    # The deserializer wraps the real cause: a natural key that matches nothing, or a bad value.
    if isinstance(error, (serializers.base.DeserializationError, ObjectDoesNotExist)):
        missing = missing_references(item)
        if missing:
            return "; ".join(missing)
        while error.__cause__ or error.__context__:
            error = error.__cause__ or error.__context__
    return str(error)


def _load_object(path, item):
    """Validate and save one fixture object; returns it, with any relation to a later file left to finish."""
    try:
        (deserialized,) = serializers.deserialize("python", [item], handle_forward_references=True)
        # Only an optional link may point at a record of a later file (a person's fate scene); any other
        # natural key that matches nothing is an error now.
        if any(not field.null for field in deserialized.deferred_fields or ()):
            raise ContentError(f"{shown(path)}: {describe(item)}: {'; '.join(missing_references(item))}")
        instance = deserialized.object
        instance.full_clean(
            validate_constraints=True, exclude=[field.name for field in deserialized.deferred_fields or ()]
        )
        deserialized.save()  # saves the many-to-many lists too
        return deserialized
    except LOAD_ERRORS as error:
        raise ContentError(f"{shown(path)}: {describe(item)}: {_error_text(error, item)}") from error


LOAD_ERRORS = (
    serializers.base.DeserializationError,
    FieldDoesNotExist,
    ValidationError,
    ObjectDoesNotExist,
    DatabaseError,
    ValueError,
    TypeError,
)


def _finish_object(path, item, deserialized):
    """Second pass, once every file is in: relations to later files, and the rules that span files."""
    try:
        if deserialized.deferred_fields:
            deserialized.save_deferred_fields()
            deserialized.object.full_clean(validate_constraints=True)
        errors = deserialized.object.story_errors() if hasattr(deserialized.object, "story_errors") else []
    except LOAD_ERRORS as error:
        raise ContentError(f"{shown(path)}: {describe(item)}: {_error_text(error, item)}") from error
    if errors:
        raise ContentError(f"{shown(path)}: {describe(item)}: {'; '.join(errors)}")


def clear_content():
    """Delete all content; links that would block a delete (a person's fate scene) are cut first."""
    for model in content_models():
        nullable = [f.name for f in model._meta.concrete_fields if f.is_relation and f.null]
        if nullable:
            model._default_manager.update(**dict.fromkeys(nullable))
    for model in reversed(content_models()):
        model._default_manager.all().delete()


def load_content(directory=None, *, commit=True):
    """Replace all content with the fixtures, in one transaction. Raises ContentError, changing nothing."""
    fixtures = read_all(directory)
    counts = {}
    with transaction.atomic():
        clear_content()
        loaded = []
        for path, objects in fixtures.values():
            seen = set()
            for item in objects:
                key = (item["model"], natural_key_of(item))
                if key in seen:
                    raise ContentError(
                        f"{shown(path)}: {describe(item)}: duplicate; it is already defined earlier in the file."
                    )
                seen.add(key)
                loaded.append((path, item, _load_object(path, item)))
                counts[item["model"]] = counts.get(item["model"], 0) + 1
        for path, item, deserialized in loaded:
            _finish_object(path, item, deserialized)
        if not commit:
            transaction.set_rollback(True)
    return LoadReport({label: counts.get(label, 0) for labels in FIXTURE_MODELS.values() for label in labels})
