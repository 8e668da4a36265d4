"""The demo and the simulation: a synthetic portfolio, its households' behaviour, synthetic bank
returns, the demo run on a database (``maatwerk demo``) and the humane-vs-classic simulation
(``maatwerk simulate``), which is that same demo on a throwaway database once per policy.

Nothing here is production code. Only :mod:`maatwerk.cli` imports this package; an
import-linter contract (``.importlinter``) keeps every production module from depending on it.
The behaviour model and its assumptions are described in ``docs/simulation-model.md``.
"""
