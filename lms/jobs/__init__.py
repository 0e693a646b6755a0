"""Background jobs on Huey: queued after the commit, run by the consumer beside the site or on other machines."""
