"""AWS Organizations: organizations, OUs, member accounts, SCPs and RCPs.

The operations are in :mod:`credmint.orgs.service` (served over the JSON protocol by
``server/jsonapi.py``); :func:`control_policies` gives the request path the SCP and RCP
levels that apply to a request.
"""

from credmint.orgs.control import ControlPolicies, Guardrails, control_policies, organization_keys

__all__ = ["ControlPolicies", "Guardrails", "control_policies", "organization_keys"]
