"""Intakes and enrolments."""
