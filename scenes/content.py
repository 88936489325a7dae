"""Reading and writing the content fixtures: the site's content lives in fixtures/, one JSON file per model.

`export_content` writes the database in a stable form (natural keys, no ids, every list sorted in Python,
indented, UTF-8), so that reloading and exporting again reproduces the files byte for byte on any database and
collation, and an admin edit is a small diff. `reload_content` syncs the database to the files by natural key
in one transaction: records that still exist keep their ids, and any error names the file and the record.
"""

import hashlib
import json
import os
import stat
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.dispatch import Signal

from iwojima_site.rules import broken_rules

# Which models each fixture file holds, in load order; each file refers only to the ones before it (except a
# person's fate scene, an optional link that is filled in once the scenes are in).
FIXTURE_MODELS = {
    "locations": ["scenes.location"],
    "characters": ["characters.character"],
    "scenes": ["scenes.scene", "scenes.appearance"],
    "flashbacks": ["scenes.flashback"],
    "letters": ["scenes.letter"],
}

# Unique fields other than the natural key: a sync that swaps two scenes' numbers moves them out of the way first.
UNIQUE_FIELDS = {"scenes.scene": ["number"], "characters.character": ["credit_order"]}

# A fixture larger than this is refused before it is parsed (the real files are well under 1 MB).
MAX_FIXTURE_BYTES = 20_000_000


class ContentError(Exception):
    """A fixture that cannot be loaded or written; the message names the file (and the object, if it is one)."""


class EmptyContent(ContentError):
    """The database holds no content, so an export would empty every fixture file."""


class UnsavedEdits(ContentError):
    """The database was edited since its last sync, and a reload would undo `lines` (unsaved_edits())."""

    def __init__(self, lines):
        super().__init__(f"{len(lines)} edit(s) in the database would be undone.")
        self.lines = lines


@dataclass
class ContentDiff:
    """How the fixtures differ from the database, by natural key: {model label: [record names]} each."""

    added: dict = field(default_factory=lambda: defaultdict(list))  # in the files, not in the database
    changed: dict = field(default_factory=lambda: defaultdict(list))  # in both, differently
    removed: dict = field(default_factory=lambda: defaultdict(list))  # in the database, not in the files

    def __bool__(self):
        return any(self.added.values()) or any(self.changed.values()) or any(self.removed.values())

    def summary(self):
        """“2 scenes changed, 1 letter removed”, or “no differences”."""
        parts = []
        for verb, groups in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            for label, names in groups.items():
                if names:
                    parts.append(f"{count_of(label, len(names))} {verb}")
        return ", ".join(parts) or "no differences"

    def lines(self):
        """One line a record: “changed: scenes.scene “digging-trenches””."""
        return [
            f"{verb}: {name}"
            for verb, groups in (("added", self.added), ("changed", self.changed), ("removed", self.removed))
            for names in groups.values()
            for name in names
        ]


@dataclass
class LoadReport:
    counts: dict  # model label -> number of records in the fixtures
    diff: ContentDiff

    def __str__(self):
        return ", ".join(count_of(label, count) for label, count in self.counts.items())


def count_of(label, count):
    meta = apps.get_model(label)._meta
    return f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"


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


# --- Export -------------------------------------------------------------------------------------------


def scene_numbers():
    scene_model = apps.get_model("scenes.scene")
    return dict(scene_model._default_manager.values_list("slug", "number"))


def export_objects(name, numbers=None):
    """The records of one fixture file as Python data, in an order that no database or collation decides:
    scenes by number, appearances by scene number and person, everything else by natural key."""
    numbers = scene_numbers() if numbers is None else numbers
    objects = []
    for label in FIXTURE_MODELS[name]:
        model = apps.get_model(label)
        json_fields = {f.name for f in model._meta.fields if isinstance(f, models.JSONField)}
        scene_lists = {f.name for f in model._meta.many_to_many if f.related_model._meta.label_lower == "scenes.scene"}
        queryset = model._default_manager.order_by("pk")
        records = []
        for obj in serializers.serialize(
            "python", queryset, use_natural_foreign_keys=True, use_natural_primary_keys=True
        ):
            fields = {}
            for field_name, value in obj["fields"].items():
                if field_name in json_fields:
                    value = sorted_keys(value)
                elif field_name in scene_lists:  # scenes in screen order
                    value = sorted(value, key=lambda key: (numbers.get(key[0], 0), key))
                elif isinstance(value, list):  # other many-to-many lists by natural key, in code-point order
                    value = sorted(value)
                fields[field_name] = value
            if "former_slugs" in fields:  # after the slug, as people read a record
                former = fields.pop("former_slugs")
                fields = dict(insert_after(fields, "slug", "former_slugs", former))
            records.append({"model": obj["model"], "fields": fields})
        objects += sorted(records, key=lambda item: record_order(item, numbers))
    return objects


def record_order(item, numbers):
    fields = item["fields"]
    if item["model"] == "scenes.scene":
        return (fields["number"],)
    if item["model"] == "scenes.appearance":
        return (numbers.get(fields["scene"][0], 0), fields["character"][0])
    return (fields["slug"],)


def render_fixture(name, numbers=None):
    """The text `export_content` writes for one fixture file, from the database."""
    return to_json(export_objects(name, numbers)) + "\n"


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


def export_texts():
    """{file name: text} for every fixture file, read in one transaction so the files agree with each other."""
    with transaction.atomic():
        numbers = scene_numbers()
        return {name: render_fixture(name, numbers) for name in FIXTURE_MODELS}


def export_content(directory=None, *, allow_empty=False):
    """Write every fixture file from the database; returns the paths that changed.

    All files are rendered, then every changed one is written to a temporary file beside it, and only then are
    they renamed over the old ones: an export killed part-way leaves every file whole, and one that cannot write
    a file (the folder is a file, a fixture's name is a folder's, the disk is full) replaces none. A replaced file
    keeps its mode; a new one gets the mode the umask gives. Raises EmptyContent for an empty database unless
    `allow_empty`, since that would empty every fixture, and ContentError naming a path that cannot be written.
    """
    if not allow_empty and not has_content():
        raise EmptyContent("The database holds no content; exporting it would empty every fixture file.")
    directory = Path(directory or fixtures_dir())
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ContentError(f"{shown(directory)}: is a file, not a folder to write the fixtures in.") from None
    except OSError as error:
        raise ContentError(f"{shown(directory)}: cannot be made a folder for fixtures ({error.strerror}).") from None
    texts = export_texts()
    staged = {}  # fixture path -> the temporary file that replaces it
    try:
        for name, text in texts.items():
            path = directory / f"{name}.json"
            if path.exists() and not path.is_file():
                kind = "a folder" if path.is_dir() else "not a regular file"
                raise ContentError(f"{shown(path)}: is {kind}, so the fixture cannot be written there.")
            data = text.encode()
            try:
                if path.exists() and path.read_bytes() == data:
                    continue
                mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else new_file_mode()
                staged[path] = write_beside(path, data, mode)
            except OSError as error:
                raise ContentError(f"{shown(path)}: cannot be written ({error.strerror}).") from None
        for path, temporary in staged.items():
            os.replace(temporary, path)
    finally:
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)  # those not renamed, after a failure
    if is_fixtures_dir(directory):
        remember_sync(texts)
    return list(staged)


def write_beside(path, data, mode):
    """A new temporary file beside `path` holding `data` (bytes) with `mode`, flushed to disk; returns its path.
    Nothing is left behind if it fails."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            os.fchmod(file.fileno(), mode)  # mkstemp's private 0o600 would outlive the rename
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def new_file_mode():
    """The mode a file created now gets: 0o666 less the process umask (0o644 under the usual 022).

    The umask can only be read by setting it: it is set to a strict one for that instant, not to 0, so that a file
    another thread creates meanwhile is not left open to everyone."""
    umask = os.umask(0o077)
    os.umask(umask)
    return 0o666 & ~umask


# --- Reading and checking the files -------------------------------------------------------------------


def describe(data):
    """How an object in a fixture is named in messages: its model and its slug (or natural key)."""
    if not isinstance(data, dict):
        return repr(data)[:60]
    fields = data.get("fields") if isinstance(data.get("fields"), dict) else {}
    model = data.get("model", "?")
    slug = fields.get("slug")
    if isinstance(slug, str) and not holds_nul(slug):  # else the fields, as JSON, show where the NUL is
        return f"{model} “{slug}”"
    if model == "scenes.appearance":
        return f"{model} of {short(fields.get('character'))} in {short(fields.get('scene'))}"
    return f"{model} {short(fields)}"


def short(value):
    return json.dumps(value, ensure_ascii=False, default=str)[:80]


def natural_key_of(data):
    """The record's natural key as a tuple of strings (its identity across databases)."""
    fields = data["fields"]
    if data["model"] == "scenes.appearance":
        return (fields["scene"][0], fields["character"][0])
    return (fields["slug"],)


def read_fixture(path):
    """The list of objects in one fixture file, or a ContentError saying what is wrong with the file."""
    try:
        if path.stat().st_size > MAX_FIXTURE_BYTES:
            raise ContentError(f"{shown(path)}: the file is larger than {MAX_FIXTURE_BYTES:,} bytes.")
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
    except RecursionError:
        raise ContentError(f"{shown(path)}: a value is nested too deeply to be content.") from None
    if not isinstance(data, list):
        raise ContentError(f"{shown(path)}: expected a JSON list of objects.")
    allowed = set(FIXTURE_MODELS[path.stem]) if path.stem in FIXTURE_MODELS else None
    seen = set()
    for item in data:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("model"), str)
            or not isinstance(item.get("fields"), dict)
        ):
            raise ContentError(f"{shown(path)}: {describe(item)} is not an object with “model” and “fields”.")
        if set(item) - {"model", "fields"}:
            extra = ", ".join(sorted(set(item) - {"model", "fields"}))
            raise ContentError(f"{shown(path)}: {describe(item)}: unexpected {extra}; records have no ids here.")
        if allowed is not None and item["model"] not in allowed:
            raise ContentError(
                f"{shown(path)}: {describe(item)}: unknown model “{item['model']}” here; "
                f"this file holds {', '.join(sorted(allowed))}."
            )
        errors = shape_errors(item)
        if errors:
            raise ContentError(f"{shown(path)}: {describe(item)}: {'; '.join(errors)}")
        key = (item["model"], natural_key_of(item))
        if key in seen:
            raise ContentError(
                f"{shown(path)}: {describe(item)}: duplicate; it is already defined earlier in the file."
            )
        seen.add(key)
    return data


def read_all(directory=None):
    """{fixture name: (its path, its records)} from `directory` (fixtures/ by default); a ContentError names a
    folder that is not there, or the file and the record that cannot be read."""
    directory = Path(directory or fixtures_dir())
    if not directory.is_dir():
        state = "is not a folder" if directory.exists() else "does not exist"
        raise ContentError(f"{shown(directory)}: {state}, so there are no fixtures to read there.")
    return {name: (directory / f"{name}.json", read_fixture(directory / f"{name}.json")) for name in FIXTURE_MODELS}


def is_natural_key(value):
    """A natural key of a slugged record as the fixtures write it: ["slug"]."""
    return isinstance(value, list) and len(value) == 1 and isinstance(value[0], str) and bool(value[0])


def shape_errors(item):
    """What is of the wrong shape in one fixture record, before anything is looked up: a list of messages.

    A relation must be a natural key (a list of strings, never an id), a many-to-many field a list of them;
    text must be a string, a flag true or false, a number a whole number; unknown and missing fields are named.
    No string anywhere holds a NUL character: PostgreSQL's text cannot store one, and SQLite would send it to
    every page.
    """
    model = apps.get_model(item["model"])
    errors = []
    for name, value in item["fields"].items():
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            errors.append(f"unknown field “{name}”")
            continue
        if holds_nul(value):
            errors.append(f"{name}: a NUL character (\\u0000) is not allowed in text")
        elif model_field.auto_created or not model_field.concrete and not model_field.many_to_many:
            errors.append(f"“{name}” is not stored in the fixtures")
        elif model_field.many_to_many:
            if not isinstance(value, list) or not all(is_natural_key(key) for key in value):
                errors.append(f"{name}: expected a list of natural keys like [[“slug”]], got {short(value)}")
        elif model_field.is_relation:
            if value is None and model_field.null:
                continue
            if not is_natural_key(value):
                errors.append(f"{name}: expected a natural key like [“slug”], got {short(value)}")
        elif isinstance(model_field, models.JSONField):
            continue  # the field's validators judge the value
        elif isinstance(model_field, models.BooleanField):
            if not isinstance(value, bool):
                errors.append(f"{name}: expected true or false, got {short(value)}")
        elif isinstance(model_field, models.IntegerField):
            if not (value is None and model_field.null) and (not isinstance(value, int) or isinstance(value, bool)):
                errors.append(f"{name}: expected a whole number, got {short(value)}")
        elif isinstance(model_field, models.CharField | models.TextField) and not isinstance(value, str):
            errors.append(f"{name}: expected text, got {short(value)}")
    if model._meta.label_lower == "scenes.appearance":
        if not (is_natural_key(item["fields"].get("scene")) and is_natural_key(item["fields"].get("character"))):
            errors.append("an appearance needs “scene” and “character”")
    elif not isinstance(item["fields"].get("slug"), str) or not item["fields"]["slug"]:
        errors.append("every record needs a “slug”")
    return errors


def holds_nul(value):
    """Whether any string in a JSON value, a key of an object included, holds a NUL character.

    Walked with a stack, not by recursion: a value may be nested as deeply as the JSON parser allows."""
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, str) and "\x00" in value:
            return True
        if isinstance(value, dict):
            stack += [*value.keys(), *value.values()]
        elif isinstance(value, list):
            stack += value
    return False


def missing_references(item):
    """The relations in a fixture object whose natural keys match nothing: “location: no location “x””."""
    model = apps.get_model(item["model"])
    missing = []
    for name, value in item["fields"].items():
        model_field = model._meta.get_field(name)
        if not model_field.is_relation or value is None:
            continue
        target = model_field.related_model
        for key in value if model_field.many_to_many else [value]:
            try:
                target._default_manager.get_by_natural_key(*key)
            except (ObjectDoesNotExist, TypeError):
                missing.append(f"{name}: there is no {target._meta.verbose_name} “{'/'.join(map(str, key))}”")
    return missing


# --- Comparing the files with the database ------------------------------------------------------------


def canonical(item):
    return json.dumps(item, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)


def content_diff(fixtures):
    """How the files (as read by `read_all`) differ from the database, record by record, by natural key.

    A record whose former slugs name a record of the database that the files no longer hold is that record,
    renamed. Returns (ContentDiff for people, SyncPlan for `load_content`).
    """
    diff, plan = ContentDiff(), SyncPlan()
    numbers = scene_numbers()
    exported = {name: export_objects(name, numbers) for name in fixtures}
    renamed = renames(fixtures, exported)  # {(label, old slug): new slug}
    for name, (_path, file_objects) in fixtures.items():
        in_database = {}  # (label, natural key as the files now name it) -> (exported record, pk)
        for label in FIXTURE_MODELS[name]:
            pks = {obj.natural_key(): obj.pk for obj in database_records(apps.get_model(label))}
            for item in exported[name]:
                if item["model"] == label:
                    key = natural_key_of(item)
                    in_database[(label, renamed_key(label, key, renamed))] = (item, pks[key])
        for item in file_objects:
            key = (item["model"], natural_key_of(item))
            database_key = key if key in in_database else None
            if database_key is None:
                diff.added[item["model"]].append(describe(item))
                plan.save[key] = None
                continue
            database_item, pk = in_database[database_key]
            plan.keep[key] = pk
            if canonical(database_item) != canonical(item):
                diff.changed[item["model"]].append(describe(item))
                plan.save[key] = pk
        file_keys = {(item["model"], natural_key_of(item)) for item in file_objects}
        for key, (database_item, pk) in in_database.items():
            if key not in file_keys:
                diff.removed[key[0]].append(describe(database_item))
                plan.remove[key[0]].append(pk)
    return diff, plan


def renames(fixtures, exported):
    """{(label, database slug): files' slug} for every record renamed on one side only, the other side keeping the
    old slug among its former ones: the files renamed it (the database has it under the old slug, which the files
    no longer hold), or the database did, as the admin does (the files still have it under the old slug, and not
    under the new one). Either way it is one record, updated in place to the files' slug."""
    in_database = {
        (item["model"], item["fields"]["slug"])
        for items in exported.values()
        for item in items
        if "slug" in item["fields"]
    }
    in_files = {
        (item["model"], item["fields"]["slug"])
        for _path, items in fixtures.values()
        for item in items
        if "slug" in item["fields"]
    }
    found = {}
    for _path, items in fixtures.values():
        for item in items:
            label, slug = item["model"], item["fields"].get("slug")
            if (label, slug) in in_database:
                continue
            for former in item["fields"].get("former_slugs") or []:
                old = (label, former)
                if old in in_database and old not in in_files and old not in found:
                    found[old] = slug
                    break
    targets = {(label, slug) for (label, _old), slug in found.items()}
    for items in exported.values():
        for item in items:
            label, slug = item["model"], item["fields"].get("slug")
            if slug is None or (label, slug) in in_files or (label, slug) in found:
                continue
            for former in item["fields"].get("former_slugs") or []:
                back = (label, former)
                if back in in_files and back not in in_database and back not in targets:
                    found[(label, slug)] = former
                    targets.add(back)
                    break
    return found


def renamed_key(label, key, renamed):
    """A database record's natural key as the files name it after renames (an appearance names two records)."""
    if label == "scenes.appearance":
        scene, character = key
        return (
            renamed.get(("scenes.scene", scene), scene),
            renamed.get(("characters.character", character), character),
        )
    return (renamed.get((label, key[0]), key[0]),)


@dataclass
class SyncPlan:
    """What a sync does, by (model label, natural key): the records to save (with their database pk, or None
    for a new one), the pks of those kept, and the pks to remove per model label."""

    save: dict = field(default_factory=dict)
    keep: dict = field(default_factory=dict)
    remove: dict = field(default_factory=lambda: defaultdict(list))


def database_records(model):
    related = ["scene", "character"] if model._meta.label_lower == "scenes.appearance" else []
    return model._default_manager.select_related(*related).order_by("pk")


def named_in_brief(names, limit=20):
    """`names` joined by commas for a message, the first `limit` of them and how many more."""
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def unsaved_edits(directory=None):
    """The edits a reload would undo, as lines (“deleted in the database: scenes.letter “x””).

    After a reload from or an export to fixtures/ the database's state is remembered, record by record: a record
    the database changed since (changed, added or deleted) counts when the files hold it otherwise, while what only
    the files changed (a colleague's pulled edit) is what a reload is for, and never counts. So a database not
    changed since loads any files freely. Another folder (a scratch copy) is never remembered, so edits that
    reached only such a folder still count. A database filled some other way (loaddata) has no remembered state:
    then what it holds that the files lack or hold differently counts.
    """
    fixtures = read_all(directory)
    sync = last_sync()
    texts = export_texts()
    if sync is not None and sync.digest == content_digest(texts):
        return []
    diff, _plan = content_diff(fixtures)
    lines = [f"changed in the database: {name}" for names in diff.changed.values() for name in names]
    lines += [f"added in the database: {name}" for names in diff.removed.values() for name in names]
    if sync is not None:
        lines += [f"deleted in the database: {name}" for names in diff.added.values() for name in names]
        if sync.records:  # remembered record by record: only what the database itself changed
            edited = changed_names(sync.records, record_digests(texts))
            lines = [line for line in lines if line.split(": ", 1)[1] in edited]
    return lines


def changed_in_files(directory=None):
    """The records the files changed since the last sync (changed, added or deleted there) that the database does
    not hold as the files do, by name: what an export now would write the database's version over, conflicts
    (a record changed on both sides) included. Empty without a remembered sync."""
    sync = last_sync()
    if sync is None or not sync.records:
        return []
    fixtures = read_all(directory)
    in_files = record_digests({name: items for name, (_path, items) in fixtures.items()})
    in_database = record_digests(export_texts())

    def digest(records, key):
        return records.get(key, [None])[0]

    changed = {
        key
        for key in sync.records.keys() | in_files.keys()
        if digest(in_files, key) not in (digest(sync.records, key), digest(in_database, key))
    }
    return sorted((in_files.get(key) or sync.records[key])[1] for key in changed)


# --- The last sync: the database's content as it was when it last matched the files ------------------------


def content_digest(texts):
    return hashlib.sha256("".join(texts[name] for name in FIXTURE_MODELS).encode()).hexdigest()


def record_digests(files):
    """{record key: [digest of the record, its name in messages]} for fixtures given as {file name: its text, or
    its list of records}: what a sync remembers of each record, to tell later who changed it."""
    records = {}
    for content in files.values():
        for item in json.loads(content) if isinstance(content, str) else content:
            key = f"{item['model']} {json.dumps(natural_key_of(item), ensure_ascii=False)}"
            records[key] = [hashlib.sha256(canonical(item).encode()).hexdigest()[:16], describe(item)]
    return records


def changed_names(before, after):
    """The names of the records that differ between two record_digests(): changed, added or removed."""
    keys = {key for key in before.keys() | after.keys() if before.get(key, [None])[0] != after.get(key, [None])[0]}
    return {side[key][1] for key in keys for side in (before, after) if key in side}


def is_fixtures_dir(directory):
    """Whether `directory` (a path, or None for the default) is the project's fixtures/ folder, the one a sync
    is remembered for: an export to a scratch folder does not make the database's edits safe."""
    return directory is None or Path(directory).resolve() == fixtures_dir().resolve()


def remember_sync(texts=None):
    """Record that the database now matches the fixtures in fixtures/ (after a reload or an export there): the
    digest of all of it, and of each record (record_digests())."""
    sync_model = apps.get_model("scenes.contentsync")
    texts = texts or export_texts()
    defaults = {"digest": content_digest(texts), "records": record_digests(texts)}
    sync_model._default_manager.update_or_create(pk=1, defaults=defaults)


def last_sync():
    """The ContentSync of the last reload or export, or None if there was none."""
    return apps.get_model("scenes.contentsync")._default_manager.filter(pk=1).first()


# --- Loading ------------------------------------------------------------------------------------------


LOAD_ERRORS = (
    serializers.base.DeserializationError,
    FieldDoesNotExist,
    ValidationError,
    ObjectDoesNotExist,
    DatabaseError,
    ValueError,
    TypeError,
    OverflowError,
)


def _error_text(error, item):
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):  # by field; what no one field holds (a constraint's) without a name
            return "; ".join(
                " ".join(messages) if name == NON_FIELD_ERRORS else f"{name}: {' '.join(messages)}"
                for name, messages in error.message_dict.items()
            )
        return " ".join(error.messages)
    # The deserializer wraps the real cause: a natural key that matches nothing, or a bad value.
    if isinstance(error, (serializers.base.DeserializationError, ObjectDoesNotExist)):
        missing = missing_references(item)
        if missing:
            return "; ".join(missing)
        while error.__cause__ or error.__context__:
            error = error.__cause__ or error.__context__
    return str(error)


def _save_record(path, item, pk):
    """Validate and save one fixture record (as the database's record `pk`, or a new one); returns the
    deserialized object, with any link to a later file left for `_finish_record`."""
    try:
        (deserialized,) = serializers.deserialize("python", [{**item, "pk": pk}], handle_forward_references=True)
        # Only an optional link may point at a record of a later file (a person's fate scene); any other
        # natural key that matches nothing is an error now.
        if any(not deferred.null for deferred in deserialized.deferred_fields or ()):
            raise ContentError(f"{shown(path)}: {describe(item)}: {'; '.join(missing_references(item))}")
        # An existing record is validated as an update, so its own row is no conflict.
        deserialized.object._state.adding = deserialized.object.pk is None
        deserialized.object.full_clean(
            validate_constraints=True, exclude=[deferred.name for deferred in deserialized.deferred_fields or ()]
        )
        deserialized.save()  # saves the many-to-many lists too
        return deserialized
    except LOAD_ERRORS as error:
        raise ContentError(f"{shown(path)}: {describe(item)}: {_error_text(error, item)}") from error


def _finish_record(path, item, deserialized):
    """Second pass, once every file is in: links to later files."""
    if not deserialized.deferred_fields:
        return
    try:
        deserialized.save_deferred_fields()
        deserialized.object.full_clean(validate_constraints=True)
    except LOAD_ERRORS as error:
        raise ContentError(f"{shown(path)}: {describe(item)}: {_error_text(error, item)}") from error


def check_rules(fixtures):
    """The rules that span records, on the whole content once it is in: the first broken one, named by file and
    record (a flashback whose rememberer is not in its scene, a story part stamped with a missing scene)."""
    where = {
        (item["model"], natural_key_of(item)): (path, item) for path, objects in fixtures.values() for item in objects
    }
    for record, errors in broken_rules():
        path, item = where[(record._meta.label_lower, record.natural_key())]
        raise ContentError(f"{shown(path)}: {describe(item)}: {'; '.join(errors)}")


def make_room(plan):
    """Move the unique values (scene numbers, credit order) of every record about to change or go out of the
    way, so that a sync which swaps or shifts them never trips a unique constraint half-way."""
    for label, names in UNIQUE_FIELDS.items():
        pks = [pk for (model, _key), pk in plan.save.items() if model == label and pk] + plan.remove.get(label, [])
        model = apps.get_model(label)
        for name in names:
            if model._meta.get_field(name).null:
                model._default_manager.filter(pk__in=pks).update(**{name: None})
            else:
                offset = (model._default_manager.aggregate(top=models.Max(name))["top"] or 0) + 1
                model._default_manager.filter(pk__in=pks).update(**{name: models.F(name) + offset})


def remove_records(plan):
    """Delete the records the files no longer hold, those that refer to others first."""
    for model in reversed(content_models()):
        pks = plan.remove.get(model._meta.label_lower)
        if pks:
            try:
                model._default_manager.filter(pk__in=pks).delete()
            except DatabaseError as error:
                raise ContentError(
                    f"A {model._meta.verbose_name} the fixtures no longer hold cannot go: {error}"
                ) from error


# Sent after a reload that changed something has been committed, with the LoadReport as `report`.
content_reloaded = Signal()


def load_content(directory=None, *, commit=True, keep_edits=False):
    """Sync the database to the fixtures by natural key, in one transaction; returns a LoadReport.

    Unchanged records are left alone, changed ones updated in place (keeping their ids, so admin addresses keep
    working), new ones added and missing ones removed. Raises ContentError naming the file and the record,
    changing nothing. With commit=False everything is checked and then rolled back. With `keep_edits`, raises
    UnsavedEdits rather than undo edits made since the last sync, weighed inside the transaction, once no other
    writer can change the content (hold_writers()): an edit saved meanwhile waits, then lands on the new content.
    """
    fixtures = read_all(directory)
    counts = {label: 0 for labels in FIXTURE_MODELS.values() for label in labels}
    with transaction.atomic():
        hold_writers()
        if keep_edits and (lost := unsaved_edits(directory)):
            raise UnsavedEdits(lost)
        diff, plan = content_diff(fixtures)
        make_room(plan)
        saved = []
        for path, objects in fixtures.values():
            for item in objects:
                counts[item["model"]] += 1
                key = (item["model"], natural_key_of(item))
                if key in plan.save:
                    saved.append((path, item, _save_record(path, item, plan.save[key])))
        for path, item, deserialized in saved:
            _finish_record(path, item, deserialized)
        remove_records(plan)
        check_rules(fixtures)
        if not commit:
            transaction.set_rollback(True)
        elif is_fixtures_dir(directory):
            remember_sync()
    report = LoadReport(counts, diff)
    if commit and diff:
        content_reloaded.send(sender=LoadReport, report=report)
    return report


def hold_writers():
    """Keep every other writer out of the content until the current transaction ends; readers go on.

    SQLite's IMMEDIATE transactions (the settings') already hold its one write lock from their start. PostgreSQL's
    READ COMMITTED does not: SHARE ROW EXCLUSIVE on the content's tables (and their many-to-many tables) makes
    an INSERT, UPDATE or DELETE elsewhere wait, while plain reads go on (PostgreSQL's "Explicit Locking").
    """
    if connection.vendor != "postgresql":
        return
    tables = []
    for model in content_models():
        tables.append(model._meta.db_table)
        tables += [field.remote_field.through._meta.db_table for field in model._meta.local_many_to_many]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {', '.join(map(quote, tables))} IN SHARE ROW EXCLUSIVE MODE")


def clear_content():
    """Delete all content; links that would block a delete (a person's fate scene) are cut first."""
    for model in content_models():
        nullable = [f.name for f in model._meta.concrete_fields if f.is_relation and f.null]
        if nullable:
            model._default_manager.update(**dict.fromkeys(nullable))
    for model in reversed(content_models()):
        model._default_manager.all().delete()
