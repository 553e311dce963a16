"""Repositories: queries only. They flush when needed but never commit."""
