from django.core.management.base import BaseCommand, CommandError

from scenes.content import (
    ContentError,
    UnsavedEdits,
    changed_in_files,
    has_content,
    load_content,
    named_in_brief,
    unsaved_edits,
)

# How many of the records a reload would lose are named before the rest are counted.
NAMED_LOSSES = 20


class Command(BaseCommand):
    help = (
        "Sync the content (locations, characters, scenes, flashbacks, letters) to the fixtures by natural key, in "
        "one transaction: records that stay keep their ids. Refuses when the database was edited since its last "
        "reload or export, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Validate the fixtures; write nothing.")
        parser.add_argument("--dry-run", action="store_true", help="Print what a reload would change; write nothing.")
        parser.add_argument("--force", action="store_true", help="Discard database edits the fixtures lack.")
        parser.add_argument("--fixtures", metavar="DIR", help="Read the fixtures from DIR instead of fixtures/.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Load only into a database that holds no content yet."
        )

    def handle(self, *args, check=False, dry_run=False, force=False, fixtures=None, if_empty=False, **options):
        if if_empty and has_content():
            self.stdout.write("The database already holds content; it was left as it is.")
            return
        writes = not (check or dry_run)
        try:
            # The fixtures are checked first, so a broken file is never mistaken for an edit in the database.
            report = load_content(fixtures, commit=False)
            # Edits a reload would undo: a real one refuses (weighed inside its transaction), a dry run says it would.
            lost = unsaved_edits(fixtures) if dry_run and not force else []
            if writes:
                report = load_content(fixtures, keep_edits=not force)
        except UnsavedEdits as error:
            named = "\n".join(f"  - {name}" for name in error.lines[:NAMED_LOSSES])
            more = f"\n  … and {len(error.lines) - NAMED_LOSSES} more" if len(error.lines) > NAMED_LOSSES else ""
            raise CommandError(
                f"Not reloaded: the database was edited since its last reload or export, and a reload would "
                f"undo {len(error.lines)} of those edits:\n{named}{more}\n"
                "Run `python manage.py export_content` to save them to the fixtures first, or "
                f"`reload_content --force` to discard them.{overwrite_warning(fixtures)}"
            ) from error
        except ContentError as error:
            raise CommandError(f"Nothing was changed. {error}") from error
        if check:
            self.stdout.write(self.style.SUCCESS(f"The fixtures are valid: {report}. Nothing was written."))
        elif dry_run:
            self.stdout.write(f"A reload would make {report.diff.summary()}. Nothing was written.")
            for line in report.diff.lines():
                self.stdout.write(f"  {line}")
            if lost:
                self.stdout.write(
                    "The database was edited since its last reload or export, so a reload would refuse to undo those "
                    "edits without --force; run `python manage.py export_content` first to keep them."
                )
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded {report}: {report.diff.summary()}."))


def overwrite_warning(fixtures):
    """What an export would also overwrite: the records the files changed since the last sync and the database
    holds otherwise (a record changed on both sides included), if any."""
    changed = changed_in_files(fixtures)
    if not changed:
        return ""
    named = named_in_brief(changed, NAMED_LOSSES)
    return (
        f"\nThe fixtures changed too since then, in {len(changed)} record(s) the database holds otherwise ({named}): "
        "an export would write the database's version over them, so it refuses without --force; with it, keep the "
        "files' side of them afterwards (see `git diff fixtures/`)."
    )
