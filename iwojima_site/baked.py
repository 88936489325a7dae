"""Baked queries: a QuerySet the ORM builds and compiles once per process and database, then runs with new values.

Building and compiling a QuerySet costs Django's ORM 0.15–0.4 ms of CPU per query, ten times what SQLite then
takes to run it; a record page makes half a dozen of the same shape on every request. A baked query asks the ORM
once, with marker values, keeps the SQL, and puts each request's values where the markers were. Rows become model
instances (or tuples) the way QuerySet iteration makes them. Nothing is cached but the SQL text: every call runs
it against the database. The name and the idea are SQLAlchemy's ("Baked Queries", sqlalchemy.ext.baked).

Only plain str and int values can be baked (slugs, numbers, primary keys), lists of them, and subqueries (SQL): they
reach the SQL parameters unchanged, or, for a subquery, its SQL goes where the build put it. A list (for `__in`)
gives SQL of its length, so a baked query keeps one statement for each length it is given. A query whose shape
depends on the values otherwise is not a baked query; the bake compiles the query twice, with two sets of markers,
and refuses one whose SQL differs between them.
"""

import re
import threading
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Value
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators

# Two sets of marker values, one for each of up to MAX_MARKERS values (a list's items counted one by one), within
# every integer field's range: the parameters that differ between the two compiled queries are where the values go
# (so a constant in the query that equals a marker misleads nothing).
MARKERS = ({str: "baked-a-{}", int: 30_000}, {str: "baked-b-{}", int: 31_000})
MAX_MARKERS = 1_000


# A parameter's place in Django's SQL (both backends write "%s"; "%%" is a literal percent sign).
PLACEHOLDER = re.compile(r"%%|%s")


class SQL(NamedTuple):
    """A subquery as SQL text and its parameters (what a compiler's as_sql() gives): a kind of baked value. The
    build is given a RawSQL to put where the subquery goes, e.g. `Scene.objects.filter(pk__in=keys)`."""

    sql: str
    params: tuple


def marker(kind, marks, k):
    """The marker of the k-th value (0-based, lists' items counted one by one) in one set of MARKERS."""
    return marks[str].format(k) if kind is str else marks[int] + k


class BakedQuery:
    """`BakedQuery(build, str, int, [int], SQL)` where `build(slug, number, pks, keys)` returns a QuerySet (of model
    instances, or a `values_list()` of tuples) and the types say what each value is: str, int, a list of one of
    them ([int]: a list of ints, not empty, for `pk__in`), or SQL (a subquery). Calling it with the values returns
    the list the QuerySet would give; `statement()` gives its SQL instead, to use in another query. Raises
    TypeError for a value of another type, ValueError for an empty list, and ValueError at the bake if a value
    leaves no trace in the SQL (the QuerySet changed it, or did not use it).

    A BakedQuery is shared, not copied (`copy.deepcopy` gives it back): a FilterSet's filters are deep-copied for
    every request, and each copy would otherwise compile its SQL again."""

    def __init__(self, build, *types):
        if not all(kind in (str, int, SQL) or kind in ([str], [int]) for kind in types):
            raise TypeError("Only str and int values, lists of them and SQL can be baked.")
        self.build, self.types = build, types
        self._baked = {}  # (alias, vendor, length of each list) -> _Baked

    def __deepcopy__(self, memo):
        return self

    def __call__(self, *values, using=DEFAULT_DB_ALIAS):
        connection = connections[using]
        return self.baked(values, using, connection).run(values, connection)

    def statement(self, *values, using=DEFAULT_DB_ALIAS):
        """The SQL the call would run with these values, as SQL(sql, params)."""
        return self.baked(values, using, connections[using]).statement(values)

    def baked(self, values, using, connection):
        lengths = []
        for value, kind in zip(values, self.types, strict=True):
            if isinstance(kind, list):
                if type(value) not in (list, tuple) or not all(type(item) is kind[0] for item in value):
                    raise TypeError(f"A baked list of {kind[0].__name__} values was given {value!r}.")
                if not value:
                    raise ValueError("A baked list cannot be empty: its SQL would select nothing.")
                lengths.append(len(value))
            elif type(value) is not kind:
                raise TypeError(f"A baked {kind.__name__} value was given {value!r}.")
        key = (using, connection.vendor, *lengths)
        baked = self._baked.get(key)
        if baked is None:
            baked = self._baked.setdefault(key, _Baked(self.build, self.types, lengths, using))
        return baked


class _Baked:
    def __init__(self, build, types, lengths, using):
        compiled = []
        for marks in MARKERS:
            values, markers = [], []  # the values to build with; every marker, lists' items one by one
            subqueries = set()  # which markers stand for SQL
            lengths_left = iter(lengths)
            for kind in types:
                if kind is SQL:
                    subqueries.add(len(markers))
                    markers.append(marker(int, marks, len(markers)))
                    values.append(RawSQL("%s", (markers[-1],)))
                elif isinstance(kind, list):
                    items = [marker(kind[0], marks, len(markers) + i) for i in range(next(lengths_left))]
                    values.append(items)
                    markers.extend(items)
                else:
                    markers.append(marker(kind, marks, len(markers)))
                    values.append(markers[-1])
            if len(markers) > MAX_MARKERS:
                raise ValueError(f"A baked query takes at most {MAX_MARKERS} values, lists' items included.")
            queryset = build(*values).using(using)
            compiler = queryset.query.get_compiler(using=using)
            try:
                compiled.append((markers, compiler, *compiler.as_sql()))
            except (EmptyResultSet, FullResultSet) as error:  # a shape decided by the markers' values
                raise ValueError("A baked query's SQL depends on its values.") from error
        if queryset._prefetch_related_lookups:
            raise ValueError("A baked query cannot prefetch; bake each query of its own.")
        (markers, compiler, self.sql, params), (_, _, other_sql, other_params) = compiled
        changed = [(i, p) for i, (p, q) in enumerate(zip(params, other_params, strict=True)) if p != q]
        if other_sql != self.sql or any(p not in markers for _, p in changed):
            raise ValueError("A baked query's SQL depends on its values, or changes them.")
        self.params, self.places = list(params), [(i, markers.index(p)) for i, p in changed]
        if {n for _, n in self.places} != set(range(len(markers))):
            raise ValueError("A baked value does not reach the SQL parameters.")
        # A subquery's parameter is where its SQL goes: the statement is cut there, and its parameters spliced in.
        self.subqueries = [(i, n) for i, n in self.places if n in subqueries]
        self.places = [(i, n) for i, n in self.places if n not in subqueries]
        if self.subqueries:
            cut_at = {i for i, _ in self.subqueries}
            self.parts, start, number = [], 0, 0
            for match in PLACEHOLDER.finditer(self.sql):
                if match.group() == "%s":
                    if number in cut_at:
                        self.parts.append(self.sql[start : match.start()])
                        start = match.end()
                    number += 1
            self.parts.append(self.sql[start:])
        self.using = using
        # Which columns need the ORM's converters (booleans, JSON, dates) depends only on the SQL's columns, so it is
        # worked out once here; asking the compiler on every call cost about a tenth of a record page's queries.
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise ValueError("A baked query cannot select a composite primary key.")
        self.converters = list(compiler.get_converters(columns).items())
        if queryset._iterable_class is ModelIterable:
            select, klass_info = compiler.select, compiler.klass_info
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            self.model, self.span = klass_info["model"], (start, end)
            self.init_list = [column[0].target.attname for column in select[start:end]]
            self.populators = get_related_populators(klass_info, select, using)
            self.annotations = list(compiler.annotation_col_map.items())
        elif queryset._iterable_class is ValuesListIterable:
            self.model = None
        else:
            raise ValueError("A baked query gives model instances or values_list() tuples.")

    def statement(self, values):
        flat = []
        for value in values:
            if type(value) in (list, tuple):
                flat.extend(value)
            else:
                flat.append(value)
        params = list(self.params)
        for index, n in self.places:
            params[index] = flat[n]
        if not self.subqueries:
            return SQL(self.sql, params)
        sql, spliced, start = [self.parts[0]], [], 0
        for part, (index, n) in zip(self.parts[1:], self.subqueries, strict=True):
            sql += [flat[n].sql, part]
            spliced += [*params[start:index], *flat[n].params]
            start = index + 1
        return SQL("".join(sql), [*spliced, *params[start:]])

    def run(self, values, connection):
        with connection.cursor() as cursor:
            cursor.execute(*self.statement(values))
            return self.result(cursor.fetchall(), connection)

    def result(self, rows, connection):
        """The statement's rows as the QuerySet gives them: model instances, or tuples."""
        if self.converters:
            rows = [self.convert(row, connection) for row in rows]
        if self.model is None:
            return [tuple(row) for row in rows]
        start, end = self.span
        objects = []
        for row in rows:
            obj = self.model.from_db(self.using, self.init_list, row[start:end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def convert(self, row, connection):
        """One row with the ORM's converters applied, as QuerySet iteration applies them."""
        row = list(row)
        for position, (converters, expression) in self.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        return row


def run_together(*calls, using=DEFAULT_DB_ALIAS):
    """[what each call gives] for `calls`, each `(baked_query, *values)`, or `(SQL(sql, params),)` for a statement of
    one's own (its rows as the driver gives them), their statements sent to the database at once: on PostgreSQL in
    one pipeline, so the page waits for the server once rather than once a statement (psycopg's pipeline mode,
    PostgreSQL's "pipeline mode" of libpq); elsewhere one after the other. Use it for statements that do not need
    each other's rows. A failing statement raises Django's DatabaseError, as a call does.
    """
    connection = connections[using]
    riders = PENDING.calls.pop(using, [])  # ReadAhead calls waiting for this trip
    baked = [
        (None, query) if isinstance(query, SQL) else (query.baked(values, using, connection), values)
        for query, *values in [*calls, *(rider.call for rider in riders)]
    ]
    rows = fetch_together(connection, [bake.statement(values) if bake else values for bake, values in baked])
    results = [bake.result(found, connection) if bake else found for (bake, _), found in zip(baked, rows, strict=True)]
    for rider, result in zip(riders, results[len(calls) :], strict=True):
        rider.value, rider.done = result, True
    return results[: len(calls)]


class Pending(threading.local):
    """This thread's ReadAhead calls not yet read, as {database alias: [ReadAhead]}."""

    def __init__(self):
        self.calls = {}


PENDING = Pending()


class ReadAhead:
    """A call, as run_together() takes it, read with the statements of the next run_together() on database `using`
    in this thread (on PostgreSQL in the same trip to the server), or by itself when result() is asked first.

    For a statement a request needs only at its end (e.g. the content revision for the response's ETag): it costs
    no trip of its own. Whoever makes one calls result() or cancel() before the request ends."""

    def __init__(self, call, using=DEFAULT_DB_ALIAS):
        self.call, self.using, self.value, self.done = call, using, None, False
        PENDING.calls.setdefault(using, []).append(self)

    def result(self):
        """What the call gives; read now if no run_together() has read it."""
        if not self.done:
            self.cancel()
            self.value, self.done = run_together(self.call, using=self.using)[0], True
        return self.value

    def cancel(self):
        """Leave the call unread (when its result is not wanted after all)."""
        waiting = PENDING.calls.get(self.using, [])
        if self in waiting:
            waiting.remove(self)


def pipelines(using=DEFAULT_DB_ALIAS):
    """Whether run_together() sends the statements to database `using` in one trip (PostgreSQL's pipeline mode).
    Elsewhere it runs them one after the other, so a statement that needs another's rows loses nothing by running
    after it, with its values, rather than beside it, repeating it as a subquery."""
    return connections[using].vendor == "postgresql"


def fetch_together(connection, statements):
    """[every row of each statement] for `statements`, [(sql, params)], run on a Django `connection`: on PostgreSQL
    in one pipeline, elsewhere one after the other."""
    if not pipelines(connection.alias) or len(statements) < 2:
        found = []
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(*statement)
                found.append(cursor.fetchall())
        return found
    cursors = [connection.cursor() for _ in statements]
    try:
        # Leaving the pipeline sends it and reads every answer; a statement that fails raises there.
        with connection.wrap_database_errors, connection.connection.pipeline():
            for cursor, statement in zip(cursors, statements, strict=True):
                cursor.execute(*statement)
        return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def counted(queryset, label, count=None):
    """One row, (label, how many): `count` (an aggregate; default Count("*")) over `queryset`, whatever its size (a
    constant is not grouped by). Several, joined with `union(all=True)`, make many counts one statement to bake."""
    return (
        queryset.order_by()
        .annotate(label=Value(label))
        .values_list("label")
        .annotate(count=count if count is not None else Count("*"))
    )
