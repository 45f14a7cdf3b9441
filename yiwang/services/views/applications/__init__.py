"""Pages of applications (办件): the applicant's (`applicant`, under /my/applications/ and an item's apply page)
and the handling department's (`console`, under /console/services/applications/); what both show is in `display`.
"""
