"""Real-browser tests of the built example archive (a package, so its conftest does not shadow tests/conftest.py)."""
