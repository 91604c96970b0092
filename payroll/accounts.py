"""The chart of accounts. A migration creates these; ``known_accounts`` recreates any
that are missing (a wiped or flushed database), so posting never fails for want of one."""
CHART = [
    ("wage_fund", "Survivor wage fund", "net_assets", "Restricted fund that pays survivor wages; credited with each sale's wage content."),
    ("training_fund", "Training fund", "net_assets", "Restricted fund that pays for training hours."),
    ("designated_donations", "Designated donations (wage fund)", "revenue", "Gifts designated for survivor wages and job training, moved to the wage fund."),
    ("shop_revenue_clearing", "Shop revenue clearing (wage content)", "revenue", "The wage content of sales, moved from shop revenue to the wage fund."),
    ("wage_expense", "Wage expense", "expense", "Gross wages paid to survivor employees."),
    ("employer_tax_expense", "Employer payroll tax expense", "expense", "Employer Social Security, Medicare and state reemployment tax."),
    ("payroll_liabilities", "Payroll liabilities", "liability", "Taxes withheld and employer taxes owed, until paid."),
    ("payroll_cash", "Payroll cash", "asset", "The bank account payroll is paid from."),
    ("opening_balance", "Opening balances", "net_assets", "Balances brought in when the books start (grants, past sales)."),
    ("net_assets_released", "Net assets released from restriction", "revenue", "Wage and training funds spent on the wages they are for."),
]


def known_accounts(codes, Account=None) -> dict:
    """{code: Account} for the codes, creating chart accounts that are missing."""
    if Account is None:
        from payroll.models import Account
    found = {a.code: a for a in Account.objects.filter(code__in=codes)}
    missing = [row for row in CHART if row[0] in set(codes) - set(found)]
    if missing:
        Account.objects.bulk_create(
            [Account(code=code, name=name, kind=kind, description=text) for code, name, kind, text in missing],
            ignore_conflicts=True,
        )
        found = {a.code: a for a in Account.objects.filter(code__in=codes)}
    return found
