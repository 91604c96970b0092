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


def test_the_webhook_routes_by_stripe_id_not_by_guessing_the_owner():
    """``stripe_events`` finds the payment (or refund) by the Stripe id and hands it on through
    its owner table: it never queries the owner models, nor reads metadata, to decide whose it is."""
    path = ROOT / "shop" / "services" / "stripe_events.py"
    tree = ast.parse(path.read_text())
    owners = {"Donation", "Order", "GiftOrder", "RecurringGift", "EventTicket", "Sponsorship"}
    named = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    named |= {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
              for alias in node.names}
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert named & owners == set()
    assert "metadata" not in strings
    lookups = {kw.arg.split("__")[0] for node in ast.walk(tree) if isinstance(node, ast.Call)
               for kw in node.keywords if kw.arg}
    assert not lookups & {"donation", "order", "gift_order", "payment__donation", "metadata"}
