"""The training dashboard cannot be subtracted apart (issue 24): for random programs and
counts, no hidden cell of the published table can be recovered by solving the equations a
reader has (each column's total is the sum of its rows; a shown rate times a shown whole gives
its part), checked with exact arithmetic; every count under 5 is hidden; every shown figure is
the true one; and rates show only over a whole of at least 5."""
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from payroll.selectors.training import dashboard_table

HIDDEN, NOT_APPLICABLE = "not shown", "–"
COUNTS = {"enrolled_now": "enrolled", "hours_this_year": "hours", "exited": "exited", "completed": "completed",
          "reached_6": "reached_6", "employed_6": "employed_6", "reached_12": "reached_12", "employed_12": "employed_12"}
RATES = {"completion_rate": ("completed", "exited"), "employment_rate_6": ("employed_6", "reached_6"),
         "employment_rate_12": ("employed_12", "reached_12")}
SMALL = 5


@st.composite
def program_figures(draw):
    small = st.integers(0, 12)  # mostly around the threshold, where it matters
    exited = draw(small)
    reached_6, reached_12 = draw(st.integers(0, exited)), draw(st.integers(0, exited))
    participants = draw(small)
    return {
        "enrolled": draw(small), "participants": participants,
        "hours": Decimal(draw(st.integers(1, 4000)) if participants else 0) / 4,
        "exited": exited, "completed": draw(st.integers(0, exited)),
        "reached_6": reached_6, "employed_6": draw(st.integers(0, reached_6)),
        "reached_12": reached_12, "employed_12": draw(st.integers(0, reached_12)),
    }


@st.composite
def tables(draw):
    programs = draw(st.lists(program_figures(), min_size=1, max_size=6))
    hours_only = None
    if draw(st.booleans()):
        participants = draw(st.integers(1, 8))
        hours_only = {"participants": participants, "hours": Decimal(draw(st.integers(1, 400))) / 4}
    total = {key: sum(p[key] for p in programs) for key in programs[0]}
    if hours_only:
        total["hours"] += hours_only["hours"]
        total["participants"] += hours_only["participants"]  # distinct people: at most this many
    return programs, hours_only, total


def rank(rows: list[list[Fraction]]) -> int:
    """Rank of a matrix by Gaussian elimination over the rationals (exact)."""
    rows = [r[:] for r in rows if any(r)]
    rank_, width = 0, len(rows[0]) if rows else 0
    for col in range(width):
        pivot = next((i for i in range(rank_, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank_], rows[pivot] = rows[pivot], rows[rank_]
        for i in range(len(rows)):
            if i != rank_ and rows[i][col] != 0:
                factor = rows[i][col] / rows[rank_][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank_])]
        rank_ += 1
    return rank_


def cell_number(text: str) -> Fraction:
    return Fraction(Decimal(text.rstrip("%")))


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_hidden_cell_can_be_solved_from_the_published_table(table):
    programs, hours_only, total = table
    labels = [f"Program {i}" for i in range(len(programs))]
    published = dashboard_table(labels, programs, total, hours_only)
    rows = published["rows"] + [published["total"]]
    figures = programs + ([hours_only] if hours_only else []) + [total]
    assert len(rows) == len(figures)

    # Every cell is either shown with its true value, hidden, or (the hours-only row) not applicable.
    unknowns: dict[tuple[int, str], int] = {}
    for i, (row, figs) in enumerate(zip(rows, figures)):
        for name, key in COUNTS.items():
            text = getattr(row, name)
            if figs is hours_only and key != "hours":
                assert text == NOT_APPLICABLE
                continue
            size = figs["participants"] if key == "hours" else figs[key]
            if text == HIDDEN:
                unknowns[(i, key)] = len(unknowns)
            else:
                assert size >= SMALL, f"{name} of row {i} shows a group of {size}"
                assert cell_number(text) == Fraction(figs[key])

    # The reader's equations over the hidden cells: per column, sum of rows - total = known.
    equations = []
    for key in COUNTS.values():
        members = [i for i, figs in enumerate(figures) if not (figs is hours_only and key != "hours")]
        equation = [Fraction(0)] * len(unknowns)
        for i in members:
            if (i, key) in unknowns:
                equation[unknowns[(i, key)]] += -1 if i == len(figures) - 1 else 1
        equations.append(equation)
    # A shown rate pins its part given its whole (and its whole given its part).
    for i, (row, figs) in enumerate(zip(rows, figures)):
        for name, (part, whole) in RATES.items():
            text = getattr(row, name)
            if text in (HIDDEN, NOT_APPLICABLE):
                continue
            assert figs[whole] >= SMALL and figs[part] >= SMALL
            assert (i, part) not in unknowns and (i, whole) not in unknowns, f"{name} of row {i} is over a hidden cell"
            assert cell_number(text) == int(Fraction(100 * figs[part], figs[whole]) + Fraction(1, 2))  # half up

    base = rank(equations) if unknowns else 0
    for (i, key), index in unknowns.items():
        unit = [Fraction(int(j == index)) for j in range(len(unknowns))]
        assert rank(equations + [unit]) > base, f"the hidden {key} of row {i} can be solved from the table"


def test_the_issues_example_cannot_be_subtracted():
    """All programs 9, Financial literacy 5: Sewing's 4 is hidden and so is Financial literacy's 5."""
    fin = {"enrolled": 5, "participants": 0}
    sewing = {"enrolled": 4, "participants": 0}
    published = dashboard_table(["Financial literacy", "Sewing"], [fin, sewing], {"enrolled": 9, "participants": 0})
    assert [r.enrolled_now for r in published["rows"]] == [HIDDEN, HIDDEN]
    assert published["total"].enrolled_now == "9"


def test_the_second_cell_hidden_is_the_smallest_other_one():
    figures = [{"exited": 40, "completed": 30}, {"exited": 3, "completed": 2}, {"exited": 7, "completed": 6},
               {"exited": 20, "completed": 5}]
    total = {"exited": 70, "completed": 43}
    published = dashboard_table(list("ABCD"), figures, total)
    assert [r.exited for r in published["rows"]] == ["40", HIDDEN, HIDDEN, "20"]
    assert [r.completed for r in published["rows"]] == ["30", HIDDEN, "6", HIDDEN]  # 5 < 6: D's goes
    assert [r.completion_rate for r in published["rows"]] == ["75%", HIDDEN, HIDDEN, HIDDEN]
    assert (published["total"].exited, published["total"].completed, published["total"].completion_rate) == ("70", "43", "61%")


def test_a_rate_needs_a_whole_and_a_part_of_at_least_five():
    figures = [{"exited": 10, "completed": 2}, {"exited": 10, "completed": 9}, {"exited": 10, "completed": 8}]
    published = dashboard_table(list("ABC"), figures, {"exited": 30, "completed": 19})
    # 2 of 10 would read 20% and give the 2 back: the rate is hidden, not "fewer than 5" of a percentage.
    assert [r.completion_rate for r in published["rows"]] == [HIDDEN, "90%", HIDDEN]  # C's 8 went with A's 2
