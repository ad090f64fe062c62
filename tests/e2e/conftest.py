"""E2E tests use the session fixtures `control_plane`, `crd` and `operator` of tests/conftest.py."""
