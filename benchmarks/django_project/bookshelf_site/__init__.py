"""The project package of the benchmark's Django project: settings and URLs."""
