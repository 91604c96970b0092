"""Payroll's forms, one module per domain."""
