"""The assurance app's pure decisions, one module per part. No database writes, no services."""
