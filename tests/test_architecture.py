"""The house rules that code review can miss: the one arrow, and no floats near money."""
import ast
import re
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


# -- payroll tax lines (issue 17): one definition, payroll/tax_lines.py ---------------------

TAX_LINE_DEFINITION = ROOT / "payroll" / "tax_lines.py"


def app_files(*suffixes):
    return [p for package in ("shop", "payroll", "config") for p in (ROOT / package).rglob("*")
            if p.suffix in suffixes and "migrations" not in p.parts and p != TAX_LINE_DEFINITION]


def tax_codes_named(node, codes):
    """The tax line codes that ``node`` names: as text, an attribute, a variable, a keyword
    argument, an imported name or a field of a class body."""
    named = set()
    for sub in ast.walk(node):
        candidates = []
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            candidates.append(sub.value)
        elif isinstance(sub, ast.Attribute):
            candidates.append(sub.attr)
        elif isinstance(sub, ast.Name):
            candidates.append(sub.id)
        elif isinstance(sub, ast.keyword) and sub.arg:
            candidates.append(sub.arg)
        elif isinstance(sub, ast.alias):
            candidates.append(sub.name)
        named |= codes & set(candidates)
    return named


def tax_line_relistings(source: str, codes: frozenset[str]) -> list[int]:
    """Lines where one list, call, import, sum or class body names three or more tax lines."""
    grouping = (ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Call, ast.ImportFrom, ast.BinOp, ast.ClassDef,
                ast.JoinedStr)
    return sorted({node.lineno for node in ast.walk(ast.parse(source))
                   if isinstance(node, grouping) and len(tax_codes_named(node, codes)) >= 3})


def test_the_tax_lines_are_listed_only_in_their_definition():
    """Which taxes there are is said once, in payroll/tax_lines.py; everything else loops over it."""
    from payroll.tax_lines import TAX_CODES

    codes = frozenset(TAX_CODES)
    offenders = [f"{path.relative_to(ROOT)}:{line}" for path in app_files(".py")
                 for line in tax_line_relistings(path.read_text(), codes)]
    for path in app_files(".html", ".txt"):  # a template names at most one line by its field
        named = {code for code in codes if re.search(rf"\.{code}\b", path.read_text())}
        if len(named) >= 2:
            offenders.append(f"{path.relative_to(ROOT)} names {sorted(named)}")
    assert offenders == [], "list the tax lines only in payroll/tax_lines.py and loop over TAX_LINES elsewhere"


def test_the_state_unemployment_tax_is_named_only_by_the_tax_tables():
    offenders = [str(path.relative_to(ROOT)) for path in app_files(".py", ".html", ".txt")
                 if "florida reemployment tax" in path.read_text().lower()]
    assert offenders == [], "the state's name for it comes from payroll/tax_tables/states.json"
    assert "Florida reemployment tax" in (ROOT / "payroll" / "tax_tables" / "states.json").read_text()


def test_the_relisting_check_catches_a_relisted_tax_list():
    codes = frozenset({"federal_income_tax", "social_security", "medicare", "state_unemployment"})
    assert tax_line_relistings('FIELDS = ("gross", "federal_income_tax", "social_security", "medicare")', codes) == [1]
    assert tax_line_relistings("net = stub.gross - stub.federal_income_tax - stub.social_security - stub.medicare", codes) == [1]
    assert tax_line_relistings("class T:\n    federal_income_tax = 1\n    social_security = 2\n    medicare = 3\n", codes) == [1]
    assert tax_line_relistings("x = [stub.social_security, stub.medicare]", codes) == []  # two is not a list of them
    assert tax_line_relistings("for line in TAX_LINES:\n    total += getattr(stub, line.code)", codes) == []


def test_every_csv_export_is_written_by_the_one_csv_module():
    """shop/csv_export.py neutralises formula cells; a csv.writer anywhere else would not."""
    writer_module = ROOT / "shop" / "csv_export.py"
    offenders = []
    for package in ("shop", "payroll", "config"):
        for path in python_files(package):
            if path == writer_module:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter") and \
                        getattr(node.value, "id", None) == "csv":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "write CSV with shop.csv_export (csv_response / csv_text)"
