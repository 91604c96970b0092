"""The house rules that code review can miss: the one arrow, no floats near money, every e-mail from a template pair."""
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


# -- one price calculation ---------------------------------------------------------------------

PRICE_MODULE = ROOT / "shop" / "pricing.py"
RATE_TABLES = {"TaxRate", "VolumeTier"}
# May name the rate tables, never do arithmetic with them: the models that define them, the
# admin that edits them, the demo that seeds them, the selector that reads them into the
# price calculation's plain inputs (and the public tiers table), and the signals that retire the
# cached pages showing them.
RATE_TABLE_READERS = {"shop/admin/rates.py", "shop/admin/gifts.py", "shop/demo/catalog.py", "shop/selectors/pricing.py",
                      "shop/signals.py"}
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
    assert sorted(price_rule_offences(old_gift_quote, "shop/services/gifts/quote.py")) == [
        "shop/services/gifts/quote.py:1 reads TaxRate, VolumeTier itself",
        "shop/services/gifts/quote.py:3 reads VolumeTier itself",
        "shop/services/gifts/quote.py:7 multiplies or divides by rate",
    ]
    assert price_rule_offences(old_cart, "shop/pricing_copy.py") == ["shop/pricing_copy.py:2 multiplies or divides by rate"]


def test_the_price_module_is_pure_and_every_price_goes_through_it():
    tree = ast.parse(PRICE_MODULE.read_text())
    allowed = {"__future__", "collections.abc", "dataclasses", "decimal", "typing", "shop.platform.money"}
    assert set(imported_modules(PRICE_MODULE)) <= allowed, "shop/pricing.py reads no database, settings or models"
    assert any(isinstance(n, ast.FunctionDef) and n.name == "price" for n in tree.body)
    for caller in ("shop/selectors/pricing.py", "shop/services/gifts/quote.py", "shop/services/events.py"):
        calls = {n.func.id for n in ast.walk(ast.parse((ROOT / caller).read_text()))
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert "price" in calls and "shop.pricing" in set(imported_modules(ROOT / caller)), caller


# -- e-mail: every one from a template pair, through shop.platform.mail ------------------------------

def _mail_send_calls():
    for package in ("shop", "payroll"):
        for path in python_files(package):
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "send"
                        and getattr(node.func.value, "id", "") == "mail"):
                    yield path, node


def _template_names(node) -> str:
    """The template a call names, when written there: a constant, or an f-string's constant prefix."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return node.values[0].value
    return ""


def test_mail_send_takes_a_template_pair_and_no_body():
    import inspect

    from shop.platform import mail

    parameters = inspect.signature(mail.send).parameters
    assert not {"text", "body", "html", "message"} & set(parameters)
    assert parameters["template"].default is inspect.Parameter.empty


def test_every_email_is_sent_from_a_template_pair():
    calls = list(_mail_send_calls())
    assert len(calls) >= 18  # the senders listed in tests/shop/platform/test_documents_readback.py
    offenders = []
    for path, call in calls:
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        keywords = {k.arg: k.value for k in call.keywords}
        if None in keywords or call.args:
            offenders.append(f"{where}: name every argument (no positional or ** arguments), so this check can read them")
        if "template" not in keywords:
            offenders.append(f"{where}: no template=")
        elif isinstance(keywords["template"], (ast.Constant, ast.JoinedStr)) and not _template_names(
                keywords["template"]).startswith(("shop/email/", "payroll/email/")):
            offenders.append(f"{where}: the template is not under shop/email/ or payroll/email/")
    assert offenders == []
    for app in ("shop", "payroll"):
        folder = ROOT / app / "templates" / app / "email"
        texts = {p.stem for p in folder.glob("*.txt")}
        htmls = {p.stem for p in folder.glob("*.html")} - {"base"}
        assert texts == htmls, f"{app}: every e-mail template is a .txt and .html pair"
        for html in folder.glob("*.html"):
            source = html.read_text()
            if html.stem != "base":
                assert source.startswith('{% extends "shop/email/base.html" %}'), f"{html.name}: use the shared layout"
            assert "http" not in source and "<img" not in source and "<script" not in source.lower(), (
                f"{html.name}: nothing loaded from the internet")


def _literal_text(node) -> str | None:
    """The literal text of an f-string, a ``"..." % x`` or a ``"...".format(...)``; None for other nodes."""
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
        return node.left.value if isinstance(node.left.value, str) else None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)):
        return node.func.value.value
    return None


def test_no_email_body_is_formatted_in_code():
    """An e-mail body has paragraphs; a formatted string with a line break is one being built in code.
    And a function that sends mail holds no line break at all (no "\\n".join, no "...\\n" + x)."""
    offenders = []
    for package in ("shop", "payroll"):
        for path in python_files(package):
            if path.relative_to(ROOT).as_posix() == "shop/platform/mail.py":
                continue
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                text = _literal_text(node)
                if text is not None and "\n" in text:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: a formatted string with a line break")
            docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                          if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                          and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
            for function in ast.walk(tree):
                if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "send"
                        and getattr(n.func.value, "id", "") == "mail" for n in ast.walk(function)):
                    offenders += [f"{path.relative_to(ROOT)}:{n.lineno}: a line break in {function.name}, which sends mail"
                                  for n in ast.walk(function) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                                  and "\n" in n.value and id(n) not in docstrings]
    assert offenders == []


# -- names that say one thing: facts, receivers, events -------------------------------------

def test_facts_are_declared_in_shop_facts_and_received_in_payroll_receivers():
    """"Events" are fundraising events; what shop announces to payroll are facts (``shop/platform/facts.py``),
    and payroll's receivers of them live in ``payroll/receivers.py``."""
    assert not (ROOT / "shop" / "events.py").exists() and not (ROOT / "payroll" / "signals.py").exists()
    declared, received = [], []
    for package in ("shop", "payroll"):
        for path in python_files(package):
            tree = ast.parse(path.read_text())
            rel = path.relative_to(ROOT).as_posix()
            declared += [rel for n in ast.walk(tree)
                         if isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", "")) == "Signal"]
            if package == "payroll":
                received += [rel for n in ast.walk(tree)
                             if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "receiver"
                             or isinstance(n, ast.Attribute) and n.attr == "connect"]
            if rel != "payroll/receivers.py" and package == "payroll":
                assert "shop.platform.facts" not in {m for m in imported_modules(path)}, f"{rel}: receive shop's facts in payroll/receivers.py"
    assert set(declared) == {"shop/platform/facts.py"}
    assert set(received) == {"payroll/receivers.py"}


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
    """shop/platform/csv_export.py neutralises formula cells; a csv.writer anywhere else would not."""
    writer_module = ROOT / "shop" / "platform" / "csv_export.py"
    offenders = []
    for package in ("shop", "payroll", "config"):
        for path in python_files(package):
            if path == writer_module:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter") and \
                        getattr(node.value, "id", None) == "csv":
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "write CSV with shop.platform.csv_export (csv_response / csv_text)"



# -- typed input (issue 19): dates in a window, ASCII digits, one CSV reader ----------------

FORM_FIELDS_MODULE = ROOT / "shop" / "platform" / "form_fields.py"
# Django's form fields that read dates and numbers as typed: shop.platform.form_fields has each,
# with the 2000-2100 window for dates and ASCII digits only.
PLATFORM_FORM_FIELDS = {"DateField", "DateTimeField", "SplitDateTimeField", "TimeField", "IntegerField", "DecimalField"}


def plain_form_field_offences(source: str, name: str) -> list[str]:
    """Where ``source`` uses django's own ``forms.DateField`` (and the like) instead of the platform's."""
    offences = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in PLATFORM_FORM_FIELDS and \
                getattr(node.value, "id", None) == "forms":
            offences.append(f"{name}:{node.lineno} forms.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in ("django.forms", "django.forms.fields"):
            offences += [f"{name}:{node.lineno} imports {alias.name} from {node.module}"
                         for alias in node.names if alias.name in PLATFORM_FORM_FIELDS]
    return offences


def test_every_form_takes_dates_and_numbers_through_the_platform_fields():
    offenders = [offence for package in APPS for path in python_files(package) if path != FORM_FIELDS_MODULE
                 for offence in plain_form_field_offences(path.read_text(), str(path.relative_to(ROOT)))]
    assert offenders == [], "use shop.platform.form_fields.DateField (and the like): the date window, ASCII digits"


def test_the_form_field_check_catches_a_plain_date_field():
    source = ("from django import forms\nfrom django.forms import DateTimeField\n"
              "class F(forms.Form):\n    day = forms.DateField()\n    n = forms.IntegerField()\n    ok = forms.CharField()\n")
    assert plain_form_field_offences(source, "f.py") == [
        "f.py:2 imports DateTimeField from django.forms", "f.py:4 forms.DateField", "f.py:5 forms.IntegerField"]


def test_every_csv_import_is_read_by_the_one_csv_module():
    """shop/platform/csv_export.py reads UTF-8 (with or without a BOM) or Windows-1252 with row numbers;
    a csv.reader anywhere else would not."""
    offenders = [f"{path.relative_to(ROOT)}:{node.lineno}"
                 for package in (*APPS, "config") for path in python_files(package)
                 if path != ROOT / "shop" / "platform" / "csv_export.py"
                 for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, ast.Attribute) and node.attr in ("reader", "DictReader", "Sniffer")
                 and getattr(node.value, "id", None) == "csv"]
    assert offenders == [], "read CSV with shop.platform.csv_export (read_records / read_rows)"

# -- one way to name a domain (issue 17): layer packages, platform in its place, tests mirror ---

APPS = ("shop", "payroll")
LAYERS = ("models", "services", "selectors", "views", "forms", "admin", "demo")
PLATFORM_DIR = ROOT / "shop" / "platform"
PLATFORM_MODULES = {"audit", "compiled", "crypto", "csv_export", "documents", "errors", "facts", "form_fields", "mail", "mfa",
                    "money", "page_cache", "ratelimit", "redact", "roles", "security", "sms", "stripe_gateway", "validators",
                    "context_processors", "template_extends"}
# A module that shares a platform module's name and is not platform code, with why.
PLATFORM_NAMESAKES = {
    "shop/models/audit.py": "the audit trail's table (a domain file in the models layer)",
    "shop/admin/audit.py": "the audit trail's admin (a domain file in the admin layer)",
    "shop/views/audit.py": "the audit trail's staff page (a domain file in the views layer)",
    "shop/templatetags/money.py": "the {% load money %} template filters, which call shop.platform.money",
    "payroll/validators.py": "payroll's SSN rule, named by its models' fields and migrations",
    "shop/services/gifts/documents.py": "a gift order's quote, invoice and certificate PDFs and CSVs, through the platform modules",
    "payroll/services/volunteers/documents.py": "a volunteer's calendar feed and hours certificate, through the platform modules",
}
# Folders of tests that are kinds of test, not code areas; and the whole-site checks at the root.
TEST_KINDS = {"integration", "browser", "bench", "load", "hostile", "support"}
WHOLE_SITE_TESTS = {"test_access.py", "test_idor.py", "test_architecture.py", "test_settings.py",
                    "test_migrations.py", "test_lock.py", "test_dev.py", "test_sqlite_concurrency.py"}


def layer_spelling_offences(root: Path) -> list[str]:
    """Root modules that spell a layer and a domain as a suffix (``forms_gifts.py``), and layers
    that are both a module and a package."""
    offences = []
    for app in APPS:
        for path in sorted((root / app).glob("*.py")):
            if re.match(rf"({'|'.join(LAYERS)})_\w+$", path.stem):
                offences.append(f"{app}/{path.name}: put it in {app}/{path.stem.split('_')[0]}/")
        for layer in LAYERS:
            if (root / app / f"{layer}.py").exists() and (root / app / layer).is_dir():
                offences.append(f"{app}/{layer}.py beside {app}/{layer}/")
    return offences


def test_each_layer_is_one_package_of_domain_files():
    assert layer_spelling_offences(ROOT) == []
    for app, layers in {"shop": ("models", "services", "selectors", "views", "forms", "admin", "demo"),
                        "payroll": ("models", "services", "selectors", "views", "forms")}.items():
        for layer in layers:
            assert (ROOT / app / layer / "__init__.py").exists(), f"{app}/{layer}/ is a package"


def test_the_layer_check_catches_the_old_spellings(tmp_path):
    # Spelled in parts, so that the import rewriter of issue 17 leaves these old names alone.
    old = [("shop", "forms_gifts"), ("shop", "admin_giving"), ("shop", "demo_events"), ("payroll", "views_training")]
    for app, stem in old:
        (tmp_path / app).mkdir(exist_ok=True)
        (tmp_path / app / f"{stem}.py").write_text("")
    (tmp_path / "payroll" / "forms").mkdir()
    (tmp_path / "payroll" / "forms" / "__init__.py").write_text("")
    (tmp_path / "payroll" / "forms.py").write_text("")
    assert layer_spelling_offences(tmp_path) == [
        "shop/admin" "_giving.py: put it in shop/admin/", "shop/demo" "_events.py: put it in shop/demo/",
        "shop/forms" "_gifts.py: put it in shop/forms/", "payroll/views" "_training.py: put it in payroll/views/",
        "payroll/forms" ".py beside payroll/forms/",
    ]


def test_platform_code_lives_only_in_shop_platform():
    present = {p.stem for p in PLATFORM_DIR.glob("*.py")} - {"__init__"}
    assert present == PLATFORM_MODULES, "shop/platform/ holds the platform modules, and only them"
    offenders = [rel for package in (*APPS, "config") for path in python_files(package)
                 if path.stem in PLATFORM_MODULES and path.parent != PLATFORM_DIR
                 and (rel := path.relative_to(ROOT).as_posix()) not in PLATFORM_NAMESAKES]
    assert offenders == [], "platform code goes in shop/platform/; a domain's own file says so in PLATFORM_NAMESAKES"
    assert all((ROOT / rel).exists() for rel in PLATFORM_NAMESAKES), "drop a namesake that is gone"


def test_tests_mirror_the_code():
    """A test file's folder is an app (``tests/shop/``), a package of it (``tests/shop/platform/``) or one of
    its domains (``tests/shop/giving/`` for ``shop/models/giving.py``), or a kind of test; the root holds
    only the whole-site checks. Helpers live in ``tests/support/``; a folder keeps its conftest and factories."""
    tests = ROOT / "tests"
    offenders = []
    for path in sorted(tests.rglob("*.py")):
        rel = path.relative_to(tests)
        parts = rel.parts[:-1]
        if parts and parts[0] in TEST_KINDS or path.name in ("__init__.py", "conftest.py", "factories.py"):
            continue
        if not path.name.startswith("test_"):
            offenders.append(f"tests/{rel}: a helper; put it in tests/support/")
        elif not parts:
            if path.name not in WHOLE_SITE_TESTS:
                offenders.append(f"tests/{rel}: put it beside the tests of the code it checks")
        elif parts[0] not in APPS or len(parts) > 2 or len(parts) == 2 and not (
                (ROOT / parts[0] / parts[1]).is_dir() or (ROOT / parts[0] / "models" / f"{parts[1]}.py").exists()):
            offenders.append(f"tests/{rel}: its folder mirrors no package or domain of shop/ or payroll/")
    assert offenders == []


LAYER_DIRS = ("shop/models", "shop/services", "shop/selectors", "shop/views", "shop/forms", "shop/admin",
              "payroll/models", "payroll/services", "payroll/selectors", "payroll/views", "payroll/forms")


def prefixed_twins(names: set[str]) -> list[tuple[str, str]]:
    """Pairs like (gifts, gift_orders): a file that spells its domain as a prefix beside the domain."""
    return sorted((domain, name) for domain in names for name in names
                  if name != domain and name.startswith(domain.removesuffix("s") + "_"))


def test_a_domain_that_outgrew_a_file_is_a_package_not_prefixed_files():
    twins = []
    for layer in LAYER_DIRS:
        folder = ROOT / layer
        names = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
        names |= {p.name for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
        twins += [f"{layer}: {name} beside {domain}" for domain, name in prefixed_twins(names)]
    assert twins == [], "make the domain a package with a file per part"


def test_the_twin_check_catches_the_old_spellings():
    assert prefixed_twins({"gifts", "gift_orders", "gift_fulfilment", "giving"}) == [
        ("gifts", "gift_fulfilment"), ("gifts", "gift_orders")]
    assert prefixed_twins({"training", "training_transcript", "time"}) == [("training", "training_transcript")]


# -- one admin base ------------------------------------------------------------------------------


def admins_not_on_the_base(site):
    """Every registered ModelAdmin and each of its inlines, Django's and allauth's included,
    that does not subclass the project's base (``shop/admin/base.py``: ids range-checked, long
    searches not run, model choice fields that refuse ids past 64 bits)."""
    from shop.admin.base import Guarded, InlineGuarded

    offenders = []
    for model, model_admin in site._registry.items():
        if not isinstance(model_admin, Guarded):
            offenders.append(f"{model._meta.label}: {type(model_admin).__module__}.{type(model_admin).__qualname__}")
        for inline in model_admin.inlines:
            if not issubclass(inline, InlineGuarded):
                offenders.append(f"{model._meta.label} inline {inline.__module__}.{inline.__qualname__}")
    return offenders


def test_every_admin_and_inline_is_on_the_one_admin_base():
    from django.contrib import admin

    assert len(admin.site._registry) > 40, "the admin site was not read"
    assert admins_not_on_the_base(admin.site) == []


def test_the_admin_base_check_catches_a_stock_admin_and_inline():
    from django.contrib import admin
    from django.contrib.auth.models import Group

    from shop.admin.base import ModelAdmin
    from shop.models import Product, ProductVariant

    class StockInline(admin.TabularInline):
        model = ProductVariant

    class OnTheBase(ModelAdmin):
        inlines = [StockInline]

    site = admin.AdminSite(name="architecture_check")
    site.register(Product, OnTheBase)
    site.register(Group, admin.ModelAdmin)
    found = admins_not_on_the_base(site)
    assert found == ["shop.Product inline tests.test_architecture."
                     "test_the_admin_base_check_catches_a_stock_admin_and_inline.<locals>.StockInline",
                     "auth.Group: django.contrib.admin.options.ModelAdmin"]
