"""``python -m tests.bench catalog``: the old name of the page benchmark, for its catalog rows
(the cached catalog and a cache miss, next to the bare view). See tests/bench/pages.py."""
import sys

from tests.bench.pages import catalog_main

if __name__ == "__main__":
    sys.exit(catalog_main())
