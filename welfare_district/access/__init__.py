"""Accounts, roles, grants and the authorisation policy (sign-in and sessions are served by the web layer)."""
