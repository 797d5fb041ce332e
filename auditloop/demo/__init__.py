"""The demo council: `auditloop seed-demo` builds it, `auditloop demo` shows it.

A made-up county council with services, teams, staff, children's case files (IDs only, no
names) and years of audits, built deterministically from a seed.
"""
