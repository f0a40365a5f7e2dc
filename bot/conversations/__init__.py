"""Conversations as Rasa stores them, and their erasure: the one owner of Rasa's `events` table.

`events` is the only module that knows the table: its definition and every query and deletion
on it. Over it: a conversation's `transcript` for staff, the SME's `erasure` (its leads and
events in one transaction) and the `retention` purge of conversations silent for too long.
The portal's analytics (bot.portal.funnel), the unrecognised messages of retraining
(bot.retraining.unrecognised) and the tracker store (bot.tracker_store) read and delete
through `events` too.
"""
