"""Council workspaces (pillar 3): compartments with members, and classified documents in them.

Every read and write goes through :mod:`econsec.council.service`, which checks the actor's rights
(:mod:`econsec.security.policy`), filters in the database and appends to the audit log.
"""
