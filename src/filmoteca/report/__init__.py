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

from .build import PLANS, Progress, ReportSummary, build_report

__all__ = ["PLANS", "Progress", "ReportSummary", "build_report"]
