"""The gateway: the platform's one public entry. Routes /api/<service>/… to the services,
turns the session cookie into a short-lived access token, enforces CSRF and rate limits, and
serves the browser UI."""
