"""Percentiles, ratios and the result table. Every figure is a ratio against the baseline
measured in the same run, because absolute timings on a shared machine mean little."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Figure:
    """One row: the baseline's and our value, and the cost ratio per repetition.

    `cost` is how many times the baseline's cost ours is: ours/baseline for times and
    memory, baseline/ours for throughput. So 1.0 is "as cheap as the baseline", above 1
    is dearer, and every target reads "cost <= target".
    """

    name: str
    unit: str
    baseline: float
    ours: float
    cost: float | None  # None: an absolute figure, judged by `limit` alone
    per_rep: list[float]
    target: str
    passed: bool
    judged: bool = True  # False: shown for what it explains, with no target of its own

    @classmethod
    def ratio(
        cls,
        name: str,
        unit: str,
        baselines: Sequence[float],
        ours: Sequence[float],
        target: float,
        higher_is_better: bool = False,
        note: str = "",
    ) -> Figure:
        """Paired repetitions (baselines[i] was measured next to ours[i])."""
        base, mine = statistics.median(baselines), statistics.median(ours)
        pairs = list(zip(baselines, ours, strict=True))
        if higher_is_better:
            cost, per_rep = base / mine, [b / o for b, o in pairs]
        else:
            cost, per_rep = mine / base, [o / b for b, o in pairs]
        target_text = note or f"<= {target:g}x"
        return cls(name, unit, base, mine, cost, per_rep, target_text, cost <= target)

    @classmethod
    def info(cls, name: str, unit: str, values: Sequence[float], why: str) -> Figure:
        """A figure shown to explain others (the spread column shows each repetition)."""
        middle = statistics.median(values)
        return cls(name, unit, 0.0, middle, None, list(values), why, True, judged=False)

    @classmethod
    def absolute(
        cls,
        name: str,
        unit: str,
        baselines: Sequence[float],
        ours: Sequence[float],
        limit: float,
    ) -> Figure:
        """A figure with an absolute limit on ours (the spread column shows ours)."""
        worst = max(ours)
        return cls(
            name,
            unit,
            statistics.median(baselines),
            statistics.median(ours),
            None,
            list(ours),
            f"< {limit:g} {unit} (ours, worst rep)",
            worst < limit,
        )


def _value(value: float, unit: str) -> str:
    return f"{value:,.1f} {unit}" if abs(value) < 100 else f"{value:,.0f} {unit}"


def _spread(values: Sequence[float], digits: int) -> str:
    low, middle, high = min(values), statistics.median(values), max(values)
    return " / ".join(f"{value:.{digits}f}" for value in (low, middle, high))


def table(figures: Sequence[Figure]) -> str:
    header = ("figure", "baseline", "ours", "ratio", "min / median / max", "target", "result")
    rows = [header]
    for figure in figures:
        if figure.cost is None:
            ratio, spread = "-", f"{_spread(figure.per_rep, 1)} {figure.unit}"
        else:
            ratio, spread = f"{figure.cost:.2f}x", _spread(figure.per_rep, 2)
        rows.append(
            (
                figure.name,
                _value(figure.baseline, figure.unit) if figure.judged else "",
                _value(figure.ours, figure.unit),
                ratio,
                spread,
                figure.target,
                ("PASS" if figure.passed else "MISS") if figure.judged else "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    title = (
        "ratio = ours/baseline (throughput: baseline/ours), so 1.00x = as cheap as the\n"
        "baseline, >1 = ours dearer, and every target reads 'ratio <= target'."
    )
    legend = (
        "PASS/MISS judges the headline ratio. baseline, ours: medians over repetitions.\n"
        "min/median/max: the ratio in each interleaved repetition (growth: ours in each)."
    )
    return "\n".join([title, "", *lines, "", legend])
