"""Watching a market: refresh schedules, followers, notifications, digests and webhooks."""
