"""Payroll models arrive with the wage-fund and payroll issues."""
