"""Working-day calendar: official holidays and make-up workdays (调休), with staff-maintained overrides."""
