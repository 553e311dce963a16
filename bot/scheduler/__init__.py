"""Reminders: APScheduler for the timing, the database for the truth, a limiter for Telegram."""
