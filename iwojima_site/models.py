"""What the site itself stores, apart from the film's content: the search index and readers' suggested corrections."""

from django.db import models
from django.utils import timezone


class SearchEntry(models.Model):
    """One searchable text of one record: a person's name or alias, a scene's title or summary, one
    scene-stamped part of a biography. Knows no model of the film: each app registers what of its records is
    searchable (`iwojima_site.search.register`).

    The text is stored folded (`iwojima_site.search.fold`: lowercase, without accents or apostrophes), and beside
    it the stem of each of its words (`iwojima_site.search.stems`: "spies" and "spy" are "spi"), which the database
    indexes word by word without stemming again: SQLite through an FTS5 table that triggers keep in step with this
    one, PostgreSQL through a generated `tsvector` column with a GIN index (both made by migration 0008, outside the
    model because each exists on one database only). Python stems for both, so both find the same.
    """

    kind = models.CharField(max_length=20, help_text="Which kind of record: “scene”, “person”, as registered.")
    record = models.PositiveBigIntegerField(help_text="The record's primary key.")
    source = models.CharField(max_length=40, help_text="The field the text comes from, e.g. “aliases”.")
    weight = models.PositiveSmallIntegerField(help_text="How much a match here counts: a name over a summary.")
    names = models.BooleanField(default=False, help_text="The text is a name of the record.")
    from_scene = models.PositiveIntegerField(
        null=True, blank=True, help_text="The scene number from which the text may be shown (watch-along mode)."
    )
    text = models.TextField()
    stems = models.TextField(editable=False, help_text="The text's words, each stemmed: what the engine matches.")

    class Meta:
        verbose_name_plural = "search entries"
        ordering = ["kind", "record", "-weight"]
        indexes = [models.Index(fields=["kind", "record"], name="iwojima_sit_kind_dba4b6_idx")]

    def __str__(self):
        return f"{self.kind} {self.record} {self.source}: {self.text[:60]}"


class SearchTerm(models.Model):
    """A word the index holds, folded, with the number of entries that hold it: the vocabulary that completes
    a word typed in part ("kuriba") and suggests the nearest word for a misspelt one ("Kuribayshi"). Its stem
    tells that a query's word is held in another form ("horse": "horses")."""

    word = models.CharField(max_length=60, unique=True)
    stem = models.CharField(max_length=60, db_index=True, editable=False)
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["word"]

    def __str__(self):
        return self.word


class SuggestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class Suggestion(models.Model):
    """A correction a reader suggested for a page of the site, waiting for an editor (no account needed)."""

    page = models.CharField(
        max_length=500,
        blank=True,
        help_text="The path on this site it was suggested from, e.g. /scenes/the-letter/; empty if not known.",
    )
    text = models.TextField("what is wrong", max_length=2000)
    source = models.CharField(max_length=500, blank=True, help_text="Where the reader says the right answer is.")
    email = models.EmailField(blank=True, help_text="Only to answer the reader; never shown on the site.")
    created = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN)
    # A keyed hash of the sender's address (never the address itself): how many they sent in the last hour.
    client = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["status", "-created"], name="suggestion_status_created")]

    def __str__(self):
        words = " ".join(self.text.split())
        return f"On {self.page or 'the site'}: {words[:60]}{'…' if len(words) > 60 else ''}"


class ContentRevision(models.Model):
    """One row: a number that goes up whenever the content changes (an admin save or delete, a reload), and when.

    Every app server reads it from the shared database, so the ETag and Last-Modified of every page change on all
    of them at once (iwojima_site.caching).
    """

    number = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)
    previous_changed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the revision before this one was made (Last-Modified's whole seconds)."
    )

    def __str__(self):
        return f"Revision {self.number} of {self.changed_at:%Y-%m-%d %H:%M:%S}"


class ThrottleCount(models.Model):
    """How many API requests one client made in one fixed window of the API's rate (iwojima_site.throttling):
    written by one upsert a request, on every worker and app server alike."""

    key = models.CharField(
        max_length=200, help_text="Who is counted: the throttle's key, e.g. “throttle_anon_203.0.113.7”."
    )
    window_start = models.BigIntegerField(
        db_index=True,  # the occasional delete of old windows finds them by it
        help_text="When the window starts: whole seconds since 1970-01-01 UTC, a multiple of the rate's duration.",
    )
    hits = models.PositiveIntegerField(default=1, help_text="Requests counted in the window, refused ones included.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="throttle_count_key_window")]

    def __str__(self):
        return f"{self.key} from {self.window_start}: {self.hits}"
