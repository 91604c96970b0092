"""The page benchmark's two request headers (tests/bench/settings.py puts this middleware first;
a request without them passes straight through):

- ``X-Bench-Miss: catalog`` bumps the named page areas' versions (``page_cache.changed``) before
  the view runs, so the view finds no entry made under the new version: a real miss, which
  renders and writes its entry as a first visitor after a change does. It costs the request one
  extra cache round trip (the ``incr``).
- ``X-Bench-Count: 1`` answers with ``X-Bench-Queries`` (SQL statements run for the request) and
  ``X-Bench-Cache`` (cache calls, each one round trip to Redis).
"""
from django.core.cache import caches
from django.db import connections

from shop.platform import page_cache

CACHE_CALLS = ("get", "get_many", "set", "set_many", "add", "incr", "decr", "delete", "delete_many", "has_key", "touch")


class BenchMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        areas = [a for a in request.headers.get("X-Bench-Miss", "").split(",") if a in page_cache.AREAS]
        if areas:
            page_cache.changed(*areas)
        if not request.headers.get("X-Bench-Count"):
            return self.get_response(request)
        return self.counted(request)

    def counted(self, request):
        queries, trips, depth = [0], [0], [0]

        def count_query(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        backend = caches["default"]
        originals = {name: getattr(backend, name) for name in CACHE_CALLS}

        def counting(method):
            def call(*args, **kwargs):
                trips[0] += depth[0] == 0  # outermost calls only (locmem's get_many calls its get)
                depth[0] += 1
                try:
                    return method(*args, **kwargs)
                finally:
                    depth[0] -= 1
            return call

        for name, method in originals.items():
            setattr(backend, name, counting(method))
        try:
            with connections["default"].execute_wrapper(count_query):
                response = self.get_response(request)
        finally:
            for name in originals:
                delattr(backend, name)  # back to the class's methods
        response["X-Bench-Queries"] = str(queries[0])
        response["X-Bench-Cache"] = str(trips[0])
        return response
