"""Users, clearances and need-to-know, and the tamper-evident audit log.

* :mod:`~econsec.security.users`: users, roles, passwords (argon2), lockout, sign-in tokens,
  clearances;
* :mod:`~econsec.security.policy`: classification levels, rights of each role, and the SQL
  filters that decide what an actor may see;
* :mod:`~econsec.security.audit`: the append-only, HMAC-chained audit log, its verification
  and export;
* :mod:`~econsec.security.crypto`: the keys derived from ``ECONSEC_SECRET_KEY``.
"""
