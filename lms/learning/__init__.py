"""Studying: lesson progress."""
