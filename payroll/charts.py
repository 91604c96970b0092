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
    kind: str  # "in" or "out"
    label: str


def flow_bars(flows, width: int = 780, height: int = 240, pad: int = 30) -> dict:
    """Inflow bars above a middle line and outflow bars below it, one pair a week."""
    peak = max([f.inflow for f in flows] + [f.outflow for f in flows] + [Decimal("1")])
    half = Decimal(height - 2 * pad) / 2
    middle = pad + half
    slot = Decimal(width - 2 * pad) / max(len(flows), 1)
    bar_width = (slot * Decimal("0.7")).quantize(TENTH)
    bars, ticks = [], []
    for n, flow in enumerate(flows):
        x = (pad + n * slot + slot * Decimal("0.15")).quantize(TENTH)
        up = (flow.inflow / peak * half).quantize(TENTH)
        down = (flow.outflow / peak * half).quantize(TENTH)
        week = f"{flow.week:%b %-d}"
        bars.append(Bar(x, (middle - up).quantize(TENTH), bar_width, up, "in", f"Week of {week}: in ${flow.inflow}"))
        bars.append(Bar(x, middle.quantize(TENTH), bar_width, down, "out", f"Week of {week}: out ${flow.outflow}"))
        if n % 4 == 0:
            ticks.append({"x": x, "label": week})
    return {"width": width, "height": height, "middle": middle, "bars": bars, "ticks": ticks, "peak": peak, "pad": pad}
