"""Tests of the quota reports."""
