"""CloudTrail's ``LookupEvents`` over credmint's own audit trail (AWS JSON 1.1 protocol)."""
