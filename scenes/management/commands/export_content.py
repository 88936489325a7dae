from django.core.management.base import BaseCommand, CommandError

from scenes.content import (
    FIXTURE_MODELS,
    ContentError,
    EmptyContent,
    changed_in_files,
    export_content,
    is_fixtures_dir,
    named_in_brief,
    shown,
)


class Command(BaseCommand):
    help = "Write all content from the database back to the fixtures, in their stable form."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", metavar="DIR", help="Write to DIR instead of fixtures/.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Export even an empty database (empties the files), or over records the files changed since.",
        )

    def handle(self, *args, fixtures=None, force=False, **options):
        if not force and is_fixtures_dir(fixtures):
            self.refuse_to_write_over_the_files_changes(fixtures)
        try:
            changed = export_content(fixtures, allow_empty=force)
        except EmptyContent as error:
            raise CommandError(f"Nothing was written. {error} Pass --force to do it anyway.") from error
        except ContentError as error:
            raise CommandError(f"Nothing was written. {error}") from error
        if changed:
            for path in changed:
                self.stdout.write(f"Wrote {shown(path)}")
        else:
            self.stdout.write(f"The {len(FIXTURE_MODELS)} fixture files already match the database.")

    def refuse_to_write_over_the_files_changes(self, fixtures):
        """Stop before writing when fixtures/ changed since the last sync (a colleague's pulled commit) in records the
        database holds otherwise: the export would replace them with the database's version without a word."""
        try:
            changed = changed_in_files(fixtures)
        except ContentError:  # files that cannot be read are what an export is there to write again
            return
        if changed:
            named = named_in_brief(changed)
            raise CommandError(
                f"Nothing was written: since the last reload or export the fixtures changed {len(changed)} record(s) "
                f"that the database holds otherwise ({named}), and an export would write the database's "
                "version over them. Run `python manage.py reload_content` to bring them in first (it refuses, "
                "naming them, if that would undo an edit of the database's), or pass --force to write over them."
            )
