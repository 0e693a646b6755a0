"""Tests of the programme settings."""
