"""Writes for administration, one module per sub-domain: `organisation` (services and teams),
`staff` (staff records), `access_requests` (changes of role that wait for a second person),
`logins` (logins and passwords); `common` holds what they share.

Every function runs in one transaction, writes one event, and refuses bad input with a
ValidationError whose message the form shows. No event ever carries a password. `by` is the
member of staff acting (None for the command line, where a service allows it).
"""
