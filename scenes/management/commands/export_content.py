from django.core.management.base import BaseCommand, CommandError

from scenes.content import FIXTURE_MODELS, ContentError, EmptyContent, export_content, shown


class Command(BaseCommand):
    help = "Write all content from the database back to the fixtures, in their stable form."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", metavar="DIR", help="Write to DIR instead of fixtures/.")
        parser.add_argument("--force", action="store_true", help="Export even an empty database (empties the files).")

    def handle(self, *args, fixtures=None, force=False, **options):
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
