"""Backups: one archive with the database, uploads, stored PDFs and a manifest; a restore that checks it all."""
