"""Faust agents of crm-dq (thin) and their pure core in `agents.core`.

Flow: crm.contacts.changes -> clean_contacts (map, parse, normalize, validate, match, merge)
-> crm.contacts.cleaned | crm.contacts.rejected, plus crm.contacts.review and
crm.contacts.golden. One agent per input partition, concurrency 1, micro-batches.
"""
