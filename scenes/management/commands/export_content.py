from django.core.management.base import BaseCommand

from scenes.content import FIXTURE_MODELS, export_content, shown


class Command(BaseCommand):
    help = "Write all content from the database back to the fixtures, in their stable form."

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", metavar="DIR", help="Write to DIR instead of fixtures/.")

    def handle(self, *args, fixtures=None, **options):
        changed = export_content(fixtures)
        if changed:
            for path in changed:
                self.stdout.write(f"Wrote {shown(path)}")
        else:
            self.stdout.write(f"The {len(FIXTURE_MODELS)} fixture files already match the database.")
