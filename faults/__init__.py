"""make faults: the platform under faults (slow links, a database restart, kill -9, a full disk, two clicks at once)."""
