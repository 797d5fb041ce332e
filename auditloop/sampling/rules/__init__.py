"""Sampling's pure decisions: month arithmetic, sample-size statistics, the draw, sharing audits
out, and its use of the independence rule. No database writes and no services here, so each
can be tested on its own and a stored draw re-run and explained."""
