"""Helpers and fixtures shared by every kind of test (factories, harnesses, child processes)."""
