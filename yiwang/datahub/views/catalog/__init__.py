"""Console pages of the catalog (信息资源目录): list and search, one entry with its elements and versions,
drafting with the elements editor, review and publication, authoritative sources, and Excel out and in.

Who sees what: every staff member sees the published entries (an entry being revised shows its published
version); data administrators also see their own department's working copies, drafts included; platform
administrators see every entry as it is now. Who may change what is decided again by catalog.services.
"""

from yiwang.datahub.views.catalog.drafting import catalog_create_view, catalog_edit_view
from yiwang.datahub.views.catalog.entries import catalog_detail_view, catalog_list_view
from yiwang.datahub.views.catalog.review import (
    catalog_authority_view,
    catalog_publish_view,
    catalog_return_view,
    catalog_submit_view,
)
from yiwang.datahub.views.catalog.workbook import catalog_export_view, catalog_import_view

__all__ = [
    "catalog_authority_view",
    "catalog_create_view",
    "catalog_detail_view",
    "catalog_edit_view",
    "catalog_export_view",
    "catalog_import_view",
    "catalog_list_view",
    "catalog_publish_view",
    "catalog_return_view",
    "catalog_submit_view",
]
