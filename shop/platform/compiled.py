"""Reads on the public pages' hot paths whose SQL the ORM compiles once per process.

Building and compiling a queryset costs the worker far more CPU than the database takes to
run it: the catalogue's cards are 2.7 ms of ORM for 0.2 ms of SQL. A ``CompiledRead`` builds
its ``.values()`` queryset once per *shape* (what changes the SQL's text:
a slice, whether a filter is there at all), compiles it, and then runs that SQL with each
call's *parameters* (what only changes the values bound: an id), through the compiler's own
converters (decimals on SQLite, JSON), so the rows are exactly what the queryset gives.

Parameters are found by compiling the shape twice, with two different sample values of each
(``samples``): the positions where the bound values differ must be exactly where a sample
went, and the SQL must be the same text, or the read refuses to be compiled (a parameter that
changes the SQL, such as a list whose length shows, belongs in the shape). Only for fixed-shape
reads of a few rows: the SQL of every shape is kept for the life of the process.

``objects()`` is the same for a queryset of model instances (``select_related`` and ``only``
allowed: the cart's lines with their variants and products): the instances are made as the
ORM's own ``ModelIterable`` makes them (``from_db`` with the same columns, deferred fields
deferred, the related objects joined in already cached), so nothing reads them differently.
Not with ``prefetch_related`` or a related manager's queryset (``cart.lines``), which add work
after the query: those are refused.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators


class CompiledRead:
    """``build(*shape, **params)`` returns the queryset; ``samples`` names each parameter with
    two values of its type that appear nowhere else in the query (e.g. ``{"category": (-71, -72)}``)."""

    def __init__(self, build: Callable[..., QuerySet], samples: dict[str, tuple[Any, Any]] | None = None):
        self._build = build
        self._samples = samples or {}
        self._compiled: dict[tuple, _Compiled] = {}

    def rows(self, *shape, using: str = DEFAULT_DB_ALIAS, **params) -> list[dict]:
        """The rows (dicts, as ``.values()`` gives them) of this shape with these parameters."""
        return self._compiled_for(shape, params, using, ValuesIterable).run(params, using)

    def objects(self, *shape, using: str = DEFAULT_DB_ALIAS, **params) -> list:
        """The model instances (as iterating the queryset gives them) of this shape with these parameters."""
        return self._compiled_for(shape, params, using, ModelIterable).run(params, using)

    def _compiled_for(self, shape, params, using, kind) -> _Compiled:
        if set(params) != set(self._samples):
            raise TypeError(f"parameters {sorted(params)} are not {sorted(self._samples)}")
        key = (using, connections[using].vendor, shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _Compiled(self._build, shape, self._samples, using)
        if compiled.kind is not kind:
            raise TypeError("rows() is for a .values() queryset, objects() for a queryset of model instances")
        return compiled


class _Compiled:
    def __init__(self, build, shape, samples, using):
        first = {name: pair[0] for name, pair in samples.items()}
        second = {name: pair[1] for name, pair in samples.items()}
        queryset = build(*shape, **first).using(using)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        other_sql, other_params = build(*shape, **second).using(using).query.get_compiler(using).as_sql()
        slots = {}
        for name, value in first.items():
            slots[name] = [i for i, bound in enumerate(params) if bound == value]
            if not slots[name] or any(other_params[i] != second[name] for i in slots[name]):
                raise ValueError(f"parameter {name!r} is not bound as itself in {sql}")
        taken = {i for positions in slots.values() for i in positions}
        if sql != other_sql or len(params) != len(other_params) or any(
                params[i] != other_params[i] for i in range(len(params)) if i not in taken):
            raise ValueError(f"the SQL depends on the parameters' values, not only the shape: {sql}")
        self.sql, self.params, self.slots = sql, list(params), slots
        self.converters = compiler.get_converters([s[0] for s in compiler.select[0:compiler.col_count]])
        self.compiler = compiler
        self.kind = queryset._iterable_class
        query = queryset.query
        if self.kind is ValuesIterable:
            self.names = (list(query.selected) if query.selected
                          else [*query.extra_select, *query.values_select, *query.annotation_select])
        elif self.kind is ModelIterable:
            if queryset._prefetch_related_lookups or queryset._known_related_objects:
                raise TypeError("a compiled read of instances has no prefetch_related and no related manager's objects")
            # As ModelIterable does (Django 5.2): the model's columns, then each joined relation's.
            klass_info, select = compiler.klass_info, compiler.select
            first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            self.model, self.span = klass_info["model"], (first, last)
            self.init_list = [column[0].target.attname for column in select[first:last]]
            self.populators = get_related_populators(klass_info, select, using)
            self.annotations = list(compiler.annotation_col_map.items()) if compiler.annotation_col_map else []
        else:
            raise TypeError("a compiled read is a .values() queryset (its rows are dicts) or a queryset of instances")

    def run(self, values: dict, using: str) -> list:
        params = list(self.params)
        for name, positions in self.slots.items():
            for i in positions:
                params[i] = values[name]
        with connections[using].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        if self.kind is ValuesIterable:
            names = self.names
            return [dict(zip(names, row)) for row in rows]
        model, (first, last), init_list = self.model, self.span, self.init_list
        objects = []
        for row in rows:
            obj = model.from_db(using, init_list, row[first:last])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects
