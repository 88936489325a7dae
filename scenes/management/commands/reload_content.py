from django.core.management.base import BaseCommand, CommandError

from scenes.content import ContentError, has_content, load_content, unsaved_edits

# How many of the records a reload would lose are named before the rest are counted.
NAMED_LOSSES = 20


class Command(BaseCommand):
    help = (
        "Replace all content (locations, characters, scenes, flashbacks, letters) with the fixtures, in one "
        "transaction. Refuses when the database holds edits the fixtures lack, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Validate the fixtures; write nothing.")
        parser.add_argument("--force", action="store_true", help="Discard database edits the fixtures lack.")
        parser.add_argument("--fixtures", metavar="DIR", help="Read the fixtures from DIR instead of fixtures/.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Load only into a database that holds no content yet."
        )

    def handle(self, *args, check=False, force=False, fixtures=None, if_empty=False, **options):
        if if_empty and has_content():
            self.stdout.write("The database already holds content; it was left as it is.")
            return
        try:
            if not (check or force):
                lost = unsaved_edits(fixtures)
                if lost:
                    named = "\n".join(f"  - {name}" for name in lost[:NAMED_LOSSES])
                    more = f"\n  … and {len(lost) - NAMED_LOSSES} more" if len(lost) > NAMED_LOSSES else ""
                    raise CommandError(
                        f"Not reloaded: the database holds {len(lost)} record(s) the fixtures lack or hold "
                        f"differently, and a reload would lose them:\n{named}{more}\n"
                        "Run `python manage.py export_content` to save them to the fixtures first, or "
                        "`reload_content --force` to discard them (e.g. when the fixtures are newer)."
                    )
            report = load_content(fixtures, commit=not check)
        except ContentError as error:
            raise CommandError(f"Nothing was changed. {error}") from error
        if check:
            self.stdout.write(self.style.SUCCESS(f"The fixtures are valid: {report}. Nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded {report}."))
