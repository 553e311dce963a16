"""Domain logic: pure rules and use cases, free of aiogram."""
