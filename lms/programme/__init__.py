"""The programme: countries, target, dates and allocations."""
