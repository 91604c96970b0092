"""Payroll's Celery tasks arrive with the wage-fund and payroll issues."""
