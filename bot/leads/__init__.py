"""Leads: what an SME registered, why it qualifies, which cluster owns it, and its hand-off."""
