"""filmoteca: a clean movie catalog, a Spanish data API, a recommender and an EDA report."""

__version__ = "0.1.0"
