"""identity: people, unit accounts, roles, 闽政通 SSO login, sessions and signing keys,
integrity records (诚信档案)."""
