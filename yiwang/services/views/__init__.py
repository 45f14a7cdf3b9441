"""Pages of online services: the public service guide (/services/…) and the console's item pages
(/console/services/…).

Each view parses its input with a form, calls one service or selector, and renders. The catalog's services decide
who may do what: their PermissionDenied becomes a 403 page, NotFound a 404, and any other error is shown on the page.
"""
