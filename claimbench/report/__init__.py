"""The report layer: pandas and matplotlib compile stored runs into report.md/.html, CSVs and figures.

It never measures, and it imports no code that child processes run. ``builder`` assembles a
report from its parts (``parts/``: about every claim; each family's ``report`` module: its own
plots and tables); ``document`` renders Markdown and HTML, ``plots`` draws, ``compare`` turns runs
into tables (the controls table is the core's ``control_table``, beside the claim table). This module imports nothing, so the commands can name a report
module without pandas being there yet.
"""
