"""Stand-ins for outside systems (闽政通 SSO, …) that the dev stack and tests talk to."""
