"""Small-number suppression for published tables: the one rule, pure and database-free.

A published table (the training dashboard and its CSV) has columns of counts; each column's
last cell is the total of the cells above it (its one equation; a count of distinct people
may be less than the sum, which only makes it harder to solve). A cell is hidden when it
counts fewer than ``SMALL_GROUP`` people (primary suppression). Then, so that no hidden cell
can be worked out by subtracting the shown cells from the total, every column with exactly
one hidden cell hides one more (complementary suppression): the smallest shown cell above
the total (the one whose loss costs the reader least), or the total when nothing else is
left. Two hidden cells in an equation leave one equation in two unknowns, which has no one
solution; a column has no other equation, so one pass suffices.

A rate (part ÷ whole) is shown only when both its part and its whole are shown: a rate over
a shown whole gives its part back (and over a shown part, its whole), so it hides with them,
and its whole is then always at least ``SMALL_GROUP``.

Every hidden cell reads the same words, ``HIDDEN``, whether it was small or hidden to protect
a small one: different words would tell the reader which cells are under 5."""
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

SMALL_GROUP = 5
HIDDEN = "not shown"
EXPLAINED = (f"To protect participants, a group of fewer than {SMALL_GROUP} people is not shown, and neither is "
             "one other figure in its column, so it cannot be worked out from the total; a rate is shown only "
             f"when the group it is out of and the people it counts are both shown (so both are at least {SMALL_GROUP}).")


def hidden_cells(values: Sequence, small: Sequence[bool]) -> list[bool]:
    """Which cells of one column to hide. ``values[-1]`` is the total of ``values[:-1]``;
    ``small[i]`` says cell ``i`` counts fewer than ``SMALL_GROUP`` people. ``None`` in
    ``small`` marks a cell that is not part of the column (not applicable): never hidden,
    never chosen."""
    hidden = [bool(s) for s in small]
    if sum(hidden) == 1:
        candidates = [i for i in range(len(values) - 1) if small[i] is False]
        if candidates:
            hidden[min(candidates, key=lambda i: (values[i], i))] = True
        elif small[-1] is False:
            hidden[-1] = True
    return hidden


def shown_rate(part: int, whole: int, part_hidden: bool, whole_hidden: bool) -> str:
    """The rate as a whole percentage, or ``HIDDEN`` unless both its part and its whole are shown."""
    if part_hidden or whole_hidden or whole < SMALL_GROUP:
        return HIDDEN
    return f"{(Decimal(100) * part / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"
