"""The platform's own library: every service imports its settings, database, event bus, auth,
errors, logging and test fixtures from here, so that all services have the same shape."""
