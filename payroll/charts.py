"""Server-rendered SVG geometry (no JavaScript, nothing from the internet)."""
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # "in" or "out"
    label: str


def flow_bars(flows, width: int = 780, height: int = 240, pad: int = 30) -> dict:
    """Inflow bars above a middle line and outflow bars below it, one pair a week."""
    peak = max([f.inflow for f in flows] + [f.outflow for f in flows] + [Decimal("1")])
    half = (height - 2 * pad) / 2
    middle = pad + half
    slot = (width - 2 * pad) / max(len(flows), 1)
    bars, ticks = [], []
    for n, flow in enumerate(flows):
        x = pad + n * slot + slot * 0.15
        up = float(flow.inflow / peak) * half
        down = float(flow.outflow / peak) * half
        bars.append(Bar(round(x, 1), round(middle - up, 1), round(slot * 0.7, 1), round(up, 1), "in", f"Week of {flow.week:%b %-d}: in ${flow.inflow}"))
        bars.append(Bar(round(x, 1), round(middle, 1), round(slot * 0.7, 1), round(down, 1), "out", f"Week of {flow.week:%b %-d}: out ${flow.outflow}"))
        if n % 4 == 0:
            ticks.append({"x": round(x, 1), "label": f"{flow.week:%b %-d}"})
    return {"width": width, "height": height, "middle": middle, "bars": bars, "ticks": ticks, "peak": peak, "pad": pad}
