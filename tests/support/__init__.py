"""Test-only helpers (local servers, fakes) shared by the test suites."""
