"""The demo programme loaded by `flask demo load` (never in production)."""
