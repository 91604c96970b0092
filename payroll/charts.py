"""Server-rendered SVG geometry (no JavaScript, nothing from the internet)."""
from dataclasses import dataclass
from decimal import Decimal

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Bar:
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    kind: str  # the source's key (sales, gifts, payroll, ...): its colour
    label: str


def flow_bars(flows, width: int = 780, height: int = 240, pad: int = 30) -> dict:
    """Each week's money in, stacked by source above a middle line, and money out, stacked
    by source below it. A source with nothing that week draws no bar."""
    peak = max([f.inflow for f in flows] + [f.outflow for f in flows] + [Decimal("1")])
    half = Decimal(height - 2 * pad) / 2
    middle = pad + half
    slot = Decimal(width - 2 * pad) / max(len(flows), 1)
    bar_width = (slot * Decimal("0.7")).quantize(TENTH)
    bars, ticks = [], []
    for n, flow in enumerate(flows):
        x = (pad + n * slot + slot * Decimal("0.15")).quantize(TENTH)
        week = f"{flow.week:%b %-d}"
        up = down = Decimal("0")
        for source in flow.sources:
            if source.inflow:
                h = source.inflow / peak * half
                bars.append(Bar(x, (middle - up - h).quantize(TENTH), bar_width, h.quantize(TENTH), source.key,
                                f"Week of {week}: {source.label.lower()} in ${source.inflow:,}"))
                up += h
            if source.outflow:
                h = source.outflow / peak * half
                bars.append(Bar(x, (middle + down).quantize(TENTH), bar_width, h.quantize(TENTH), source.key,
                                f"Week of {week}: {source.label.lower()} out ${source.outflow:,}"))
                down += h
        if n % 4 == 0:
            ticks.append({"x": x, "label": week})
    return {"width": width, "height": height, "middle": middle, "bars": bars, "ticks": ticks, "peak": peak, "pad": pad}


def balance_line(flows, width: int = 780, height: int = 160, pad: int = 30) -> dict:
    """The balance at the end of each week as a line, with the zero line marked."""
    values = [f.balance for f in flows] or [Decimal("0")]
    top, bottom = max(values + [Decimal("0")]), min(values + [Decimal("0")])
    span = (top - bottom) or Decimal("1")
    slot = Decimal(width - 2 * pad) / max(len(values) - 1, 1)

    def y(value):
        return (pad + (top - value) / span * (height - 2 * pad)).quantize(TENTH)

    points = " ".join(f"{(pad + n * slot).quantize(TENTH)},{y(v)}" for n, v in enumerate(values))
    return {"width": width, "height": height, "pad": pad, "points": points, "zero": y(Decimal("0")),
            "top": top, "bottom": bottom, "below_zero": bottom < 0}
