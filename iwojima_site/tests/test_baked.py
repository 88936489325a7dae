"""Baked queries give exactly what their QuerySet gives, for every value, and refuse what they cannot bake."""

import copy
import tempfile

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models.expressions import RawSQL

from characters.models import Character
from iwojima_site.baked import SQL, BakedQuery, ReadAhead, run_together
from scenes.models import Appearance, Letter, Scene, presence_pairs

pytestmark = pytest.mark.django_db


def fields(obj, *related):
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    return values, [fields(getattr(obj, name))[0] if getattr(obj, name) else None for name in related]


def test_model_instances_with_related_records_and_annotations_match_the_queryset():
    def build(slug):
        return Scene.objects.select_related("location").filter(slug=slug).with_counts()

    baked = BakedQuery(build, str)
    for scene in Scene.objects.all():
        (got,), (expected,) = baked(scene.slug), list(build(scene.slug))
        assert fields(got, "location") == fields(expected, "location")
        assert (got.letter_count, got.flashback_count) == (expected.letter_count, expected.flashback_count)
    assert baked("no-such-scene") == []


def test_deferred_fields_nullable_relations_and_many_to_many_filters_match():
    def build(pk):
        return (
            Letter.objects.filter(scenes=pk)
            .select_related("writer", "recipient")
            .only("slug", "writer__name", "recipient__name")
        )

    baked = BakedQuery(build, int)
    for scene in Scene.objects.all():
        got, expected = baked(scene.pk), list(build(scene.pk))
        assert [(x.slug, x.writer and x.writer.name) for x in got] == [
            (x.slug, x.writer and x.writer.name) for x in expected
        ]


def test_values_list_and_several_values_of_both_kinds():
    def build(slug, number):
        return Appearance.objects.filter(character__slug=slug, scene__number__gte=number).values_list(
            "scene__number", "on_screen"
        )

    baked = BakedQuery(build, str, int)
    for person in Character.objects.filter(principal=True):
        for number in (1, 20, 40):
            assert baked(person.slug, number) == list(build(person.slug, number))


def test_lists_of_every_length_each_get_their_own_statement():
    def build(pks, slug, numbers):
        return (
            Appearance.objects.filter(scene__in=pks, character__slug=slug)
            .exclude(scene__number__in=numbers)
            .order_by("scene__number")
            .values_list("scene__number", "character__name")
        )

    baked = BakedQuery(build, [int], str, [int])
    pks = list(Scene.objects.order_by("number").values_list("pk", flat=True))
    for person in Character.objects.filter(principal=True):
        for length in (1, 2, 7, len(pks)):
            chosen, skipped = pks[:length], list(range(1, length + 1, 3))
            assert baked(chosen, person.slug, skipped) == list(build(chosen, person.slug, skipped))
            assert baked(tuple(chosen), person.slug, skipped) == list(build(chosen, person.slug, skipped))
    assert copy.deepcopy({"query": baked})["query"] is baked  # shared by a FilterSet's copies of its filters


def test_subqueries_go_where_the_build_puts_them_with_their_parameters():
    def build(slug, keys, number):
        return (
            Appearance.objects.filter(character__slug=slug, scene__in=keys, scene__number__gte=number)
            .order_by("scene__number")
            .values_list("scene__number", "on_screen")
        )

    baked = BakedQuery(build, str, SQL, int)
    union = BakedQuery(lambda keys: presence_pairs(None, scenes=keys).order_by("scene_id", "character_id"), SQL)
    for person in Character.objects.filter(principal=True):
        for last, period in ((10, "1944"), (45, "1945"), (0, "1945")):
            keys = Scene.objects.filter(number__lte=last, period=period).values("pk").query.get_compiler("default")
            keys = SQL(*keys.as_sql())
            assert baked(person.slug, keys, 3) == list(build(person.slug, RawSQL(*keys), 3))
            assert baked.statement(person.slug, keys, 3).params == [person.slug, last, period, 3]
            assert union(keys) == list(presence_pairs(None, scenes=RawSQL(*keys)).order_by("scene_id", "character_id"))
    with pytest.raises(TypeError):
        baked("saigo", ("SELECT 1", ()), 3)  # a plain tuple is not taken for SQL


def test_what_cannot_be_baked_is_refused():
    with pytest.raises(TypeError):
        BakedQuery(lambda when: Scene.objects.filter(number__lt=when), float)
    by_number = BakedQuery(lambda number: Scene.objects.filter(number=number), int)
    with pytest.raises(TypeError):
        by_number("3")  # a value of another kind
    shape_changes = BakedQuery(lambda n: Scene.objects.filter(number__in=range(n % 3)), int)
    with pytest.raises(ValueError):
        shape_changes(2)
    unused = BakedQuery(lambda slug: Scene.objects.all(), str)
    with pytest.raises(ValueError):
        unused("x")
    by_numbers = BakedQuery(lambda numbers: Scene.objects.filter(number__in=numbers), [int])
    with pytest.raises(ValueError):
        by_numbers([])  # an empty list selects nothing
    with pytest.raises(TypeError):
        by_numbers([1, "2"])
    with pytest.raises(TypeError):
        by_numbers(3)
    with pytest.raises(ValueError):
        by_numbers(list(range(1, 2_000)))  # more values than there are markers
    prefetching = BakedQuery(lambda slug: Scene.objects.filter(slug=slug).prefetch_related("letters"), str)
    with pytest.raises(ValueError):
        prefetching("x")


def test_queries_sent_together_give_what_each_gives_alone_and_a_failing_one_raises(monkeypatch):
    """run_together() sends its statements at once (on PostgreSQL in one pipeline: the server is waited for once)
    and hands back what each baked query would give by itself, in order; a statement that fails raises Django's
    DatabaseError, and the transaction can go on after a rollback to a savepoint, as after any failing statement."""
    by_slug = BakedQuery(lambda slug: Scene.objects.select_related("location").filter(slug=slug), str)
    letters_in = BakedQuery(lambda pk: Letter.objects.filter(scenes=pk).values_list("slug"), int)
    people_in = BakedQuery(lambda pks: Appearance.objects.filter(scene__in=pks).values_list("character__slug"), [int])
    scenes = list(Scene.objects.order_by("number")[:3])
    calls = [(by_slug, scenes[0].slug), (letters_in, scenes[1].pk), (people_in, [s.pk for s in scenes])]
    if connection.vendor == "postgresql":
        # What the client says to the server (libpq's trace): the statements, then one Sync for all of them.
        with tempfile.TemporaryFile() as trace:
            connection.connection.pgconn.trace(trace.fileno())
            try:
                got = run_together(*calls)
            finally:
                connection.connection.pgconn.untrace()
            trace.seek(0)
            said = [line.split("\t")[3] for line in trace.read().decode().splitlines() if line.split("\t")[1] == "F"]
        assert said.count("Execute") == len(calls) and said.count("Sync") == 1, said
    else:
        got = run_together(*calls)
    alone = [query(*values) for query, *values in calls]
    assert [fields(scene, "location") for scene in got[0]] == [fields(scene, "location") for scene in alone[0]]
    assert got[1:] == alone[1:] and all(got)
    failing = BakedQuery(lambda pk: Scene.objects.filter(pk=pk).extra(where=["no_such_column = 1"]), int)
    with pytest.raises(DatabaseError), transaction.atomic():
        run_together((letters_in, scenes[0].pk), (failing, scenes[0].pk))
    assert run_together((letters_in, scenes[1].pk)) == [alone[1]]


def test_a_read_ahead_goes_with_the_next_statements_sent_or_else_by_itself(django_assert_num_queries):
    """A ReadAhead call is read with the next run_together() (its statements one more of theirs), or alone when its
    result is asked for first; one cancelled is never read."""
    letters_in = BakedQuery(lambda pk: Letter.objects.filter(scenes=pk).values_list("slug"), int)
    first, second = Scene.objects.order_by("number")[:2]
    alone = [letters_in(first.pk), letters_in(second.pk)]
    ahead = ReadAhead((letters_in, first.pk))
    with django_assert_num_queries(2):
        assert run_together((letters_in, second.pk)) == [alone[1]]  # its own results only
    with django_assert_num_queries(0):
        assert ahead.result() == alone[0]
    ahead = ReadAhead((letters_in, second.pk))
    with django_assert_num_queries(1):
        assert ahead.result() == alone[1] and ahead.result() == alone[1]
    ReadAhead((letters_in, first.pk)).cancel()
    with django_assert_num_queries(1):
        assert run_together((letters_in, second.pk)) == [alone[1]]
