"""闽政通 (mzt) simulator: a small but real OpenID Connect provider for dev and tests.

Run with ``python -m simulators.mzt``; the app factory is ``simulators.mzt.app.create_app``.
"""
