"""Console pages of the data hub, one module per subject (each with its own URL list)."""
