"""Texts built from data, shared by several handlers. Every string goes through gettext."""
