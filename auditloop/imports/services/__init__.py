"""Imports' writes: `runs` (an import run's life: read, check, write, record), and one module
per kind of list it writes (`cases`, `annex_a`, `staff`)."""
