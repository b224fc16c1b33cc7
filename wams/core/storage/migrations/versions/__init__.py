"""One module per schema revision; ``0001_initial`` creates everything."""
