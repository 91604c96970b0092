"""A minimal Django project (no apps, no middleware, no database): the framework's own ceiling,
the baseline ``python -m tests.bench pages`` compares every page with."""
