"""Notifications and outgoing mail."""
