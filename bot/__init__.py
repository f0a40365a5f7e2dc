"""The S3martMed onboarding assistant's own Python package.

Configuration (`bot.config`), the contract's fixed names (`bot.definitions`),
language handling (`bot.language`, `bot.nlu`),
storage (`bot.database`, `bot.tracker_store`, `bot.conversations`), training cache (`bot.training`),
the process launcher (`bot.launcher`) and the staff portal (`bot.portal`).
Importing it has no side effects.
"""

__all__ = ["config", "definitions", "language", "training"]
