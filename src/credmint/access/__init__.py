"""Who is calling, and may they.

The part between the edge and the services: the typed principal a verified request
becomes (``principal``), the sealed session tokens and their keyring (``tokens``,
``keystore``), long-term keys at the edge (``credentials``), the caller's identity
policies (``identity``), the organization's guardrails as the authorizer sees them
(``guardrails``), AssumeRoot's task bound (``root_sessions``), the request context
(``context``), the decision (``authorize``), encoded authorization messages
(``messages``), and the action table with AWS's condition keys (``actions``,
``condition_keys``).

It depends on the pure cores (``policy``) and the ``store`` only; every per-node
instance of its caches is owned by the node (``server/node.py``).
"""
