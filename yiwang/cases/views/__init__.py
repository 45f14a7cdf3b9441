"""The cases app's pages: the console (operators, dispatchers, units, grid workers) and the portal."""
