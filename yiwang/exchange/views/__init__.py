"""Console pages of the exchange (/console/exchange/…) and the citizen's page of who used their data (/my/data-use/).

Each view parses its input with a form, calls one service or selector, and renders. The services decide who may
do what: their PermissionDenied becomes a 403 page, NotFound a 404, and any other error is shown on the form.
"""
