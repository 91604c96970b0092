"""Payroll's pages, one module per domain (the same words as models/, services/, selectors/)."""
