"""The house rules that code review can miss: the one arrow, and no floats near money."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python_files(package):
    return [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_shop_never_imports_payroll():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files("shop")
        for module in imported_modules(path)
        if module == "payroll" or module.startswith("payroll.")
    ]
    assert offenders == []


def test_no_float_in_app_code():
    offenders = []
    for package in ("shop", "payroll"):
        for path in python_files(package):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "float":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "money must be Decimal; chart geometry may use float only where marked"


# -- one price calculation ---------------------------------------------------------------------

PRICE_MODULE = ROOT / "shop" / "pricing.py"
RATE_TABLES = {"TaxRate", "VolumeTier"}
# May name the rate tables, never do arithmetic with them: the models that define them, the
# admin that edits them, the demo that seeds them, and the selector that reads them into the
# price calculation's plain inputs.
RATE_TABLE_READERS = {"shop/admin.py", "shop/demo.py", "shop/selectors/pricing.py"}
# A tax rate or a discount as the rate table, the tiers and the calculation's inputs name them.
PRICE_FIELDS = {"rate", "tax_rate", "discount_percent", "percent", "applies_to_shipping"}


def price_rule_offences(source: str, name: str) -> list[str]:
    """Where ``source`` computes tax or a discount itself: arithmetic on a tax rate or a
    discount percentage, or reaching for the rate tables outside the modules that may."""
    offences = []
    may_name_tables = name in RATE_TABLE_READERS or name.startswith("shop/models/")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div, ast.FloorDiv)):
            for operand in (node.left, node.right):
                fields = {n.attr for n in ast.walk(operand) if isinstance(n, ast.Attribute)} & PRICE_FIELDS
                if fields:
                    offences.append(f"{name}:{node.lineno} multiplies or divides by {', '.join(sorted(fields))}")
        if not may_name_tables:
            named = ({alias.name for alias in node.names} if isinstance(node, ast.ImportFrom) else
                     {node.id} if isinstance(node, ast.Name) else {node.attr} if isinstance(node, ast.Attribute) else set())
            if named & RATE_TABLES:
                offences.append(f"{name}:{node.lineno} reads {', '.join(sorted(named & RATE_TABLES))} itself")
    return offences


def test_only_the_price_module_computes_tax_or_discounts():
    offenders = [
        offence
        for path in python_files("shop")
        if path != PRICE_MODULE
        for offence in price_rule_offences(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert offenders == [], "tax and discounts are computed only in shop/pricing.py"


def test_the_price_rule_check_catches_the_engines_it_replaced():
    """The check is not vacuous: the two engines there were before issue 17 fail it."""
    old_gift_quote = (
        "from shop.models import TaxRate, VolumeTier\n"
        "def volume_discount_percent(quantity):\n"
        "    tier = VolumeTier.objects.filter(min_quantity__lte=quantity).first()\n"
        "    return tier.discount_percent\n"
        "def _tax_by_state(boxes_part, rates, state):\n"
        "    rate = rates.get(state)\n"
        "    return quantize(boxes_part * rate.rate)\n"
    )
    old_cart = (
        "def price_items(items, method, state, rate_row):\n"
        "    return quantize(shipping * rate_row.rate) if rate_row.applies_to_shipping else ZERO\n"
    )
    assert sorted(price_rule_offences(old_gift_quote, "shop/services/gifts.py")) == [
        "shop/services/gifts.py:1 reads TaxRate, VolumeTier itself",
        "shop/services/gifts.py:3 reads VolumeTier itself",
        "shop/services/gifts.py:7 multiplies or divides by rate",
    ]
    assert price_rule_offences(old_cart, "shop/pricing_copy.py") == ["shop/pricing_copy.py:2 multiplies or divides by rate"]


def test_the_price_module_is_pure_and_every_price_goes_through_it():
    tree = ast.parse(PRICE_MODULE.read_text())
    allowed = {"__future__", "collections.abc", "dataclasses", "decimal", "typing", "shop.money"}
    assert set(imported_modules(PRICE_MODULE)) <= allowed, "shop/pricing.py reads no database, settings or models"
    assert any(isinstance(n, ast.FunctionDef) and n.name == "price" for n in tree.body)
    for caller in ("shop/selectors/pricing.py", "shop/services/gifts.py", "shop/services/events.py"):
        calls = {n.func.id for n in ast.walk(ast.parse((ROOT / caller).read_text()))
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert "price" in calls and "shop.pricing" in set(imported_modules(ROOT / caller)), caller
