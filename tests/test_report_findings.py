"""Every kind of finding agrees with what its figure draws: the figures are captured as
matplotlib Figure objects (`report.figures.figure`) and their plotted data read back."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from filmoteca import formats
from filmoteca.report import figures, profile, relations
from filmoteca.report.data import ReportData, load
from filmoteca.report.labels import num
from test_report import random_catalog


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> ReportData:
    return load(random_catalog(tmp_path_factory.mktemp("hallazgos") / "catalogo", n=1200, seed=9))


def test_year_runtime_finding_describes_the_plotted_median(data: ReportData) -> None:
    fig = figures.figure("year_runtime", data)
    line = next(ln for ln in fig.axes[0].lines if ln.get_label().startswith("mediana"))
    x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    known = ~np.isnan(y)
    (finding, *_) = relations.year_runtime(data).findings
    first, last = int(x[known][0]), int(x[known][-1])
    peak = int(x[known][np.argmax(y[known])])
    assert f"empieza en {first} con {num(y[known][0])} min" in finding
    assert f"termina en {last} con {num(y[known][-1])} min" in finding
    assert f"{num(y[known].max())} min, en {peak}" in finding


def test_break_even_share_is_the_same_claim_in_both_places(data: ReportData) -> None:
    scatter = relations.budget_revenue(data).findings[1]
    from filmoteca.report import distributions

    hist = " ".join(distributions.return_ratio(data).findings)
    share = re.search(r"(\d+,\d) %", scatter)
    assert share and f"{share.group(1)} %" in hist


def test_keyword_cloud_leaves_out_meta_tags(data: ReportData) -> None:
    from filmoteca.report import words
    from filmoteca.text import is_meta_keyword

    finding = words.keywords(data).findings[0]
    top = re.findall(r"«([^»]+)»", finding)
    assert top and not any(is_meta_keyword(word) for word in top)


def test_top_tables_are_ordered_by_their_figure(data: ReportData) -> None:
    rated = profile.top_rated(data)
    votes = [float(r[3].replace(".", "")) for r in rated.rows]
    averages = [float(r[2].replace(",", ".")) for r in rated.rows]
    assert averages == sorted(averages, reverse=True) and min(votes, default=2000) >= 2000
    returns = [
        float(r[2].split()[0].replace(".", "").replace(",", "."))
        for r in profile.top_return(data).rows
    ]
    assert returns == sorted(returns, reverse=True)


def test_profile_counts_match_pandas(data: ReportData) -> None:
    stats = profile.profiles(data)["runtime"]
    runtime = data.movies["runtime"]
    assert stats["count"] == runtime.notna().sum()
    assert stats["zeros"] == (runtime == 0).sum()
    assert stats["q2"] == pytest.approx(runtime.median())


def test_shared_formats() -> None:
    assert formats.count(4802) == "4.802"
    assert formats.money(12_345_678) == "12,3 M US$"
    assert formats.money(2_787_965_087) == "2.788 M US$"
    assert formats.money(850_000) == "850.000 US$"
    assert formats.date("2026-12-02T00:51:44") == "2 dic 2026"


def test_figures_are_matplotlib_figures(data: ReportData, tmp_path: Path) -> None:
    for name in figures.names():
        fig = figures.figure(name, data)
        assert fig.axes, name
