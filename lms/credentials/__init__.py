"""Verifiable credentials: shipped JSON-LD contexts, Data Integrity proofs (eddsa-rdfc-2022), the programme's keys."""
