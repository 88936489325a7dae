"""Full-text search in the database's own engine: SQLite's FTS5, or PostgreSQL's tsvector with a GIN index.

Knows no model of the film. Each app registers what of its records is searchable (`register`: the texts of a
record, as `Document`s, and the `Link`s that tie it to records a query may name, e.g. a scene to the people in
it); saving or deleting a registered record updates its entries in the index (iwojima_site.models.SearchEntry)
in the same transaction. A `Search` reads a visitor's query once and filters any registered QuerySet by it.

How a query is read:
- Text is folded the same way for the index and the query (`fold`): case, accents, full-width forms and every
  kind of apostrophe ("Sam’s mother" is "sam mother"), for any Unicode text.
- Whole words in any form: every word of the index and of a query is reduced to its English stem here, in
  Python (`stem`: Snowball's Porter2, "spies" and "spy" are "spi", "buries" and "burying" are "buri"), and the
  engines match the stems as they are, so SQLite and PostgreSQL find the same ("Sam" never finds "same"). A word
  the site holds in no form ("kuriba") is completed from the vocabulary (SearchTerm) to the words that begin
  with it; a misspelt one gets suggestions (`Search.suggestions`).
- Every word must be found in the record, or in a name of a record linked to it (a scene is found by the names
  of the people in it). Visitors' words reach the engine only as quoted FTS5 strings or plainto_tsquery
  arguments, so FTS syntax typed into the box is text.
- Relevance: for each word, the weight of the best field it is found in (a name over a title over a summary)
  plus the weight of the best link (on screen over a memory over a mention), and a bonus when the whole query
  is a record's name, title or description.
"""

import difflib
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial, reduce
from itertools import islice
from operator import or_

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections, transaction
from django.db.models import Case, ExpressionWrapper, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length
from django.db.models.signals import post_delete, post_save
from snowballstemmer import stemmer

from iwojima_site.models import SearchEntry, SearchTerm

# The name of the annotation that `Search.filter` adds and OrderFilter's best-match order reads.
RELEVANCE = "relevance"


class Weight:
    """How much a word found in each kind of text counts."""

    NAME = 10  # the name a record goes by
    OTHER_NAME = 8  # a full name, an alias, a source's spelling, the actor
    TITLE = 6
    DESCRIPTION = 4  # a rank, a role, a source's description of a person ("Saigo's commanding officer")
    TEXT = 2  # a summary, a place's description
    STORY = 1  # a scene-stamped part of a biography or fate note


# Added when the whole query is a record's name, title or description ("the general"): any text weighing at
# least Weight.DESCRIPTION, not a summary or a part of a story.
EXACT = 100
# Words the engines leave out: PostgreSQL's english stop words, left out on SQLite too so both find the same.
STOPWORD_LIST = """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
    hers herself it its itself they them their theirs themselves what which who whom this that these those am is are
    was were be been being have has had having do does did doing a an the and but if or because as until while
    of at by for with about against between into through during before after above below to from up down in out
    on off over under again further then once here there when where why how all any both each few more most
    other some such no nor not only own same so than too very s t can will just don should now"""
STOPWORDS = frozenset(STOPWORD_LIST.split())
MAX_WORDS = 8  # a longer query searches its first eight words and says so
MAX_WORD_LENGTH = 60  # longer "words" are not words: left out of the vocabulary and the query
MIN_PREFIX = 3  # shorter words are never completed ("it" would complete to everything)
COMPLETIONS = 8  # at most this many words complete one typed in part
VOCABULARY_ROWS = 400  # at most this many vocabulary rows are read to complete a query
SUGGESTION_CANDIDATES = 5000  # at most this many to correct one (the whole vocabulary at today's size)
BATCH = 500  # records per query when the index is written in bulk
STEMS_KEPT = 50_000  # words whose stems a process remembers (the content holds about 1,100; visitors type others)

APOSTROPHES = "'\u2018\u2019\u201b\u02bc\u02b9\u0060\u00b4\u2032\uff07"
POSSESSIVE = re.compile(rf"[{APOSTROPHES}]s\b")
APOSTROPHE = re.compile(rf"[{APOSTROPHES}]")
WORD = re.compile(r"[^\W_]+")


def fold(text):
    """Text as the index holds it and queries are compared with it: lowercase words without accents,
    apostrophes or punctuation, separated by single spaces. "Sam’s Mother, Itō!" → "sam mother ito"."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    # A possessive is the name ("Saigo's" is found by "Saigo"); other apostrophes join ("don't" is "dont").
    text = APOSTROPHE.sub("", POSSESSIVE.sub("", text))
    return " ".join(WORD.findall(text))


_stemmers = threading.local()  # a Snowball stemmer keeps its word in hand while it works: one per thread


@lru_cache(maxsize=STEMS_KEPT)
def stem(word):
    """The form every form of a folded word shares, as the index holds it and queries are matched with it:
    English's Snowball (Porter2) stem. "spies", "spy" → "spi"; "horses" → "hors"; names stay ("saigo")."""
    if not hasattr(_stemmers, "english"):
        _stemmers.english = stemmer("english")
    return _stemmers.english.stemWord(word)


def stems(text):
    """The stem of each word of a folded text, in order: what the engines index ("talking horses" → "talk hors")."""
    return " ".join(map(stem, text.split()))


def searchable_words(text):
    """The words of a query that are searched: folded, each once, without stop words. ("The letters" → ["letters"])"""
    words = dict.fromkeys(fold(text).split())
    return [word for word in words if word not in STOPWORDS and len(word) <= MAX_WORD_LENGTH]


def validate_query(text):
    """A query needs a word (letters or digits) to search for; raises ValidationError saying so. (A query of
    words too common to search, "the", is valid and finds nothing, on either database.)"""
    if text and not fold(text):
        raise ValidationError("Type a word or a name to search for: “%(text)s” has none.", params={"text": text[:60]})


# Registration: what of each model is searchable


@dataclass(frozen=True)
class Document:
    """One searchable text of a record."""

    source: str  # the field it comes from
    text: str
    weight: int
    names: bool = False  # a name of the record: a query naming it finds the records linked to it
    from_scene: int | None = None  # the scene from which it may be shown


@dataclass(frozen=True)
class Link:
    """How records of the registered kind are tied to records of another kind that a query may name.

    `rows()` gives the rows that tie them, `record` the path from a row to the record searched and `named`
    the path to the named record, of kind `kind`. A scene and the people on screen in it:
    Link("person", lambda: Appearance.objects.filter(on_screen=True), record="scene", named="character", weight=4).
    """

    kind: str
    rows: Callable
    record: str
    named: str
    weight: int


@dataclass
class Searchable:
    model: type
    kind: str
    documents: Callable  # record -> [Document]
    weights: tuple  # every weight its documents have, heaviest first
    queryset: Callable | None = None  # -> every record, fetched as `documents` reads them
    links: list = field(default_factory=list)
    dependents: Callable | None = None  # record -> the records whose documents read it

    def records(self):
        return self.queryset() if self.queryset else self.model._default_manager.all()


REGISTRY = {}


def register(model, kind, documents, weights, **options):
    """Make a model searchable as `kind`, and keep its entries current on every save and delete.

    `documents(record)` gives its texts ([Document]), each weighing one of `weights`; `queryset()` every record
    as `documents` reads them; `links` the Links to records a query may name; `dependents(record)` the records
    whose documents read this one."""
    REGISTRY[model] = Searchable(model, kind, documents, tuple(sorted(set(weights), reverse=True)), **options)
    post_save.connect(_saved, sender=model, dispatch_uid=f"search-saved-{kind}")
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"search-deleted-{kind}")


def searchable(model):
    try:
        return REGISTRY[model]
    except KeyError:
        raise ImproperlyConfigured(f"{model.__name__} is not registered with iwojima_site.search.") from None


# Keeping the index current

_deferred = threading.local()


def _saved(sender, instance, **kwargs):
    dependents = REGISTRY[sender].dependents
    index([instance, *(dependents(instance) if dependents else [])])


def _deleted(sender, instance, **kwargs):
    unindex([instance])


@contextmanager
def deferred():
    """Index the records saved or deleted inside the block once, in bulk, when it ends (without an error):
    for loads and copies of many records. Records created with bulk_create send no signal: pass them to
    `index` yourself."""
    if getattr(_deferred, "pending", None) is not None:  # already deferred by an outer block
        yield
        return
    _deferred.pending = defaultdict(set)
    try:
        yield
        pending = _deferred.pending
    finally:
        _deferred.pending = None
    changes = Counter()
    for model, pks in pending.items():
        for batch in batches(sorted(pks)):
            kept = list(REGISTRY[model].records().filter(pk__in=batch))
            changes.update(_replace(REGISTRY[model], batch, kept))
    count_words(changes)


def index(records):
    """Replace the entries of these records (of any registered models) with what they say now."""
    by_model = defaultdict(list)
    for record in records:
        by_model[type(record)].append(record)
    for model, group in by_model.items():
        if getattr(_deferred, "pending", None) is not None:
            _deferred.pending[model].update(record.pk for record in group)
            continue
        for batch in batches(group):
            count_words(_replace(searchable(model), [record.pk for record in batch], batch))


def unindex(records):
    """Remove the entries of these records."""
    by_model = defaultdict(list)
    for record in records:
        by_model[type(record)].append(record.pk)
    for model, pks in by_model.items():
        if getattr(_deferred, "pending", None) is not None:
            _deferred.pending[model].update(pks)
            continue
        for batch in batches(pks):
            count_words(_replace(searchable(model), batch, []))


def batches(items, size=BATCH):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def entries_of(registration, record):
    """The SearchEntry rows for one record (unsaved): one per document with any word in it."""
    entries = []
    for document in registration.documents(record):
        if document.weight not in registration.weights:
            raise ImproperlyConfigured(
                f"{registration.kind} {document.source}: weight {document.weight} not registered."
            )
        text = fold(document.text or "")
        if text:
            entries.append(
                SearchEntry(
                    kind=registration.kind,
                    record=record.pk,
                    source=document.source,
                    weight=document.weight,
                    names=document.names,
                    from_scene=document.from_scene,
                    text=text,
                    stems=stems(text),
                )
            )
    return entries


def _replace(registration, pks, records):
    """Replace the entries of the records `pks` with those of `records`; returns the change in word counts."""
    old = SearchEntry.objects.filter(kind=registration.kind, record__in=pks)
    removed = word_counts(old.values_list("text", flat=True))
    old.delete()
    new = [entry for record in records for entry in entries_of(registration, record)]
    SearchEntry.objects.bulk_create(new)
    changes = word_counts(entry.text for entry in new)
    changes.subtract(removed)
    return changes


def word_counts(texts):
    """Counter {word: number of the texts that hold it}."""
    counts = Counter()
    for text in texts:
        counts.update(word for word in set(text.split()) if len(word) <= MAX_WORD_LENGTH)
    return counts


def count_words(changes):
    """Apply {word: change in the number of entries holding it} to the vocabulary; a word no entry holds goes."""
    changes = {word: change for word, change in changes.items() if change}
    for batch in batches(sorted(changes)):
        terms = {term.word: term for term in SearchTerm.objects.filter(word__in=batch)}
        changed, gone = [], []
        for word in batch:
            term = terms.get(word) or SearchTerm(word=word, stem=stem(word), entries=0)
            term.entries += changes[word]
            (changed if term.entries > 0 else gone).append(term)
        SearchTerm.objects.bulk_update([term for term in changed if term.pk], ["entries"])
        # Two saves at once may both add a word: the second keeps the first one's count. The vocabulary only
        # steers completions and suggestions, and rebuild_search_index counts it afresh.
        SearchTerm.objects.bulk_create([term for term in changed if not term.pk], ignore_conflicts=True)
        SearchTerm.objects.filter(pk__in=[term.pk for term in gone if term.pk]).delete()


def rebuild(using=DEFAULT_DB_ALIAS):
    """Index every registered record afresh; returns the number of entries."""
    SearchEntry.objects.using(using).all().delete()
    SearchTerm.objects.using(using).all().delete()
    counts = Counter()
    total = 0
    for registration in REGISTRY.values():
        for batch in batches(registration.records().using(using).order_by("pk").iterator(chunk_size=BATCH)):
            entries = [entry for record in batch for entry in entries_of(registration, record)]
            SearchEntry.objects.using(using).bulk_create(entries)
            counts.update(word_counts(entry.text for entry in entries))
            total += len(entries)
    for batch in batches(sorted(counts)):
        terms = (SearchTerm(word=word, stem=stem(word), entries=counts[word]) for word in batch)
        SearchTerm.objects.using(using).bulk_create(terms)
    return total


def build_if_missing(using=DEFAULT_DB_ALIAS, **kwargs):
    """After `migrate`: build the index if records exist that it holds nothing of (a database that held
    content before the index existed). Nothing to do before the index's own migration has run."""
    tables = connections[using].introspection.table_names()
    if SearchEntry._meta.db_table not in tables:
        return
    for registration in REGISTRY.values():
        model = registration.model
        if model._meta.db_table not in tables or not model._default_manager.using(using).exists():
            continue
        if not SearchEntry.objects.using(using).filter(kind=registration.kind).exists():
            with transaction.atomic(using=using):
                rebuild(using)
            return


# Searching


def matching_records(using, kind, words, *, every=False, min_weight=0, names=False, text=None, at=None):
    """The records of `kind` with an entry that holds any of the (folded) words in any form, or every one of
    them, as a subquery of their primary keys; narrowed to entries weighing at least `min_weight`, that are
    names, whose whole text is `text`, or that may be shown at scene `at`.

    Each word reaches the engine as a literal: an FTS5 string in double quotes, or an argument of
    plainto_tsquery, so nothing a visitor types is read as query syntax. The subquery does not depend on the
    outer row, so the database computes it once per query, however many records it is tested against."""
    connection = connections[using]
    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    conditions, params = ["e.kind = %s"], [kind]
    if min_weight:
        conditions.append("e.weight >= %s")
        params.append(min_weight)
    if names:
        conditions.append("e.names")
    if text is not None:
        conditions.append("e.text = %s")
        params.append(text)
    if at is not None:
        conditions.append("(e.from_scene IS NULL OR e.from_scene <= %s)")
        params.append(at)
    where = " AND ".join(conditions)
    words = list(dict.fromkeys(map(stem, words)))  # the engines match stems as they are ("spies": "spi")
    if connection.vendor == "sqlite":
        fts = connection.ops.quote_name(f"{SearchEntry._meta.db_table}_fts")
        match = (" " if every else " OR ").join('"{}"'.format(word.replace('"', '""')) for word in words)
        # CROSS JOIN keeps the full-text match as the outer loop: SQLite would otherwise scan every entry of
        # the kind and run the match once for each.
        sql = f"SELECT e.record FROM {fts} CROSS JOIN {table} e ON e.id = {fts}.rowid WHERE {fts} MATCH %s AND "
        return RawSQL(sql + where, [match, *params])
    if connection.vendor == "postgresql":
        tsquery = (" && " if every else " || ").join(["plainto_tsquery('simple'::regconfig, %s)"] * len(words))
        return RawSQL(f"SELECT e.record FROM {table} e WHERE e.vector @@ ({tsquery}) AND {where}", [*words, *params])
    raise NotSupportedError(f"Full-text search needs SQLite or PostgreSQL, not {connection.vendor}.")


def near_in_length(candidate, word):
    return candidate[:1] == word[:1] and abs(len(candidate) - len(word)) <= 2


class Search:
    """A visitor's query, read once per request.

    `words`: the folded words searched (at most MAX_WORDS, without stop words); `common` and `left_out`: the
    words not searched, as too common or past the limit. `groups`: for each word, the words any of which a
    record must hold in some form (the word, or its completions when the site holds it in no form). `filter(queryset)`
    narrows and ranks any registered QuerySet. `at`: a scene number, to search only what may be shown there.
    Reading the vocabulary costs one query (`groups`), suggestions another.
    """

    def __init__(self, text, at=None):
        self.text = text
        self.phrase = fold(text)
        words = searchable_words(text)
        self.words, self.left_out = words[:MAX_WORDS], words[MAX_WORDS:]
        self.common = [word for word in dict.fromkeys(self.phrase.split()) if word in STOPWORDS]
        self.at = at

    @cached_property
    def vocabulary(self):
        """[(word, stem)]: the known words that begin with any of the query's words (or are one of the short
        ones), and those that are a form of one ("horses" for "horse")."""
        if not self.words:
            return []
        wanted = reduce(
            or_, (Q(word__startswith=word) if len(word) >= MIN_PREFIX else Q(word=word) for word in self.words)
        )
        wanted |= Q(stem__in=sorted({stem(word) for word in self.words}))
        rows = SearchTerm.objects.filter(wanted).order_by(Length("word"), "-entries", "word")
        return list(rows.values_list("word", "stem")[:VOCABULARY_ROWS])

    @cached_property
    def known(self):
        """The query's words that the site holds in some form."""
        held = {term_stem for _word, term_stem in self.vocabulary}
        return {word for word in self.words if stem(word) in held}

    @cached_property
    def completions(self):
        """{word: [the known words that begin with it]} for each word the site does not hold in any form.
        None while watching along (`at`): the vocabulary counts words of the whole film, so a completion could
        name something still to come."""
        result = {}
        if self.at is not None:
            return result
        for word in self.words:
            if word not in self.known and len(word) >= MIN_PREFIX:
                found = [known for known, _stem in self.vocabulary if known.startswith(word) and known not in STOPWORDS]
                if found:
                    result[word] = found[:COMPLETIONS]
        return result

    @cached_property
    def groups(self):
        # The word itself stays first in its group, beside any completions (none while watching along).
        return [(word, *self.completions.get(word, [])) for word in self.words]

    def filter(self, queryset):
        """The records of the QuerySet that hold every word (or are linked to a record named by it), annotated
        with their RELEVANCE; no query runs until the QuerySet is read.

        Every condition and score is a subquery of primary keys that does not depend on the outer row, so the
        database runs each once per query: a best weight is found by asking, weight by weight from the top,
        whether the record has an entry that heavy."""
        registration = searchable(queryset.model)
        if not self.groups:
            return queryset.none().annotate(**{RELEVANCE: Value(0)})
        records = partial(matching_records, queryset.db, at=self.at)
        kind = registration.kind
        exact = records(kind, self.phrase.split(), every=True, min_weight=Weight.DESCRIPTION, text=self.phrase)
        relevance = Case(When(pk__in=exact, then=Value(EXACT)), default=Value(0))
        for words in self.groups:
            found = records(kind, words)
            condition = Q(pk__in=found)
            best = [When(pk__in=records(kind, words, min_weight=w), then=Value(w)) for w in registration.weights[:-1]]
            relevance += Case(*best, When(pk__in=found, then=Value(registration.weights[-1])), default=Value(0))
            ties = []
            for link in sorted(registration.links, key=lambda link: -link.weight):
                named = records(link.kind, words, names=True)
                tied = link.rows().filter(**{f"{link.named}__in": named}).values(link.record)
                condition |= Q(pk__in=tied)
                ties.append(When(pk__in=tied, then=Value(link.weight)))
            if ties:
                relevance += Case(*ties, default=Value(0))
            queryset = queryset.filter(condition)
        return queryset.annotate(**{RELEVANCE: ExpressionWrapper(relevance, output_field=IntegerField())})

    def suggestions(self, limit=3):
        """Queries to try instead, the nearest first: each word the site does not hold (and could not
        complete) replaced by a near word it does hold. ["kuribayashi letter"]; [] when there is none.

        One query: the vocabulary's words about as long as the unknown ones (at most SUGGESTION_CANDIDATES);
        nearness is difflib's similarity ratio, in Python."""
        unknown = [word for word in self.words if word not in self.known and word not in self.completions]
        if not unknown or self.at is not None:  # the vocabulary is the whole film's (see `completions`)
            return []
        shortest, longest = min(map(len, unknown)), max(map(len, unknown))
        # A misspelling seldom gets the first letter wrong ("Suribachi" is not "Kuribachi").
        initials = reduce(or_, (Q(word__startswith=word[0]) for word in unknown))
        candidates = list(
            SearchTerm.objects.annotate(length=Length("word"))
            .filter(initials, length__gte=shortest - 2, length__lte=longest + 2)
            .exclude(word__in=STOPWORDS)
            .order_by("-entries", "word")
            .values_list("word", flat=True)[:SUGGESTION_CANDIDATES]
        )
        nearest = {
            word: difflib.get_close_matches(word, [c for c in candidates if near_in_length(c, word)], limit, 0.75)
            for word in unknown
        }
        if not all(nearest.values()):
            return []
        first, *others = unknown
        suggestions = []
        for choice in nearest[first]:
            words = [choice if word == first else nearest[word][0] if word in others else word for word in self.words]
            suggestions.append(" ".join(words))
        return suggestions
