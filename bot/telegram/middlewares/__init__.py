"""Middlewares: logging, one DB transaction per update, user loading, i18n."""
