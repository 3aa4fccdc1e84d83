"""The exploratory (EDA) report: figures with computed findings in one self-contained HTML page.

data.py           read the catalog; 0 / few-votes sentinels become NaN
distributions.py  histograms          relations.py    scatter plots
groups.py         boxplots            bars.py         bar charts
words.py          word clouds         correlations.py Pearson / Spearman heat maps
quality.py        build manifest and missing values
plots.py          matplotlib (Agg) plumbing; labels.py Spanish names and number formats
html.py           the page;           build.py        orchestration and atomic write
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .build import PLANS, Progress, ReportSummary, build_report

__all__ = ["PLANS", "Progress", "ReportSummary", "build_report"]


def __getattr__(name: str) -> Any:
    """The report's entry points, imported when first asked for: `labels` (the Spanish genre
    names the recommender uses at build time) does not need matplotlib."""
    if name in __all__:
        from . import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
