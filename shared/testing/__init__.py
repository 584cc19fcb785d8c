"""Test fixtures every service's tests use: real PostgreSQL, RabbitMQ and S3 endpoints, and the
platform's processes started for end-to-end tests."""
