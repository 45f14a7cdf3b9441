"""End-to-end tests of the web shell in headless Chromium.

The `browser` and `page` fixtures, and the hook that marks every test under an app's tests/e2e/ as `browser`
in the xdist group "browser", live in yiwang/conftest.py: one Chromium serves every app's browser tests.
"""
