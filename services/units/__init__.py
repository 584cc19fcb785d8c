"""units: work units (工作单位), their registration by the legal person (法人), their reviewers
(经办人), and person↔unit bindings with the unit's review."""
