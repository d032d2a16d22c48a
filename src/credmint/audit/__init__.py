"""The audit trail: one CloudTrail-format record per call, written to a sink and to the store.

``record`` builds a record from the facts of one request (pure); ``sink`` writes records
as JSON lines (a file per process, or stdout); ``recorder`` is the node's one recorder,
called once per request by the server; ``query`` reads the stored records back for
CloudTrail's ``LookupEvents`` and the operator's ``credmint audit search``.
"""
