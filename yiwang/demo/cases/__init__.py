"""The demo city's 12345 hotline: the taxonomy, the dispatch catalogue, the units' responsibility lists, the grid,
a history of cases for the router to learn from, and the knowledge base (`loader.load_cases_demo`)."""
