"""Pages of the cases app: the dispatch catalogue, the taxonomy and responsibility lists under
/console/cases/catalogue/, the time-limit table under /console/cases/time-limits/ and the grid cells under
/console/cases/grid/cells/ (the grid worker's own pages are in `urls_cases`)."""

from __future__ import annotations

from django.urls import URLPattern, path

from yiwang.cases.views import catalogue

CATALOGUE = "console/cases/catalogue/"
TIME_LIMITS = "console/cases/time-limits/"
GRID = "console/cases/grid/cells/"

urlpatterns: list[URLPattern] = [
    path(CATALOGUE, catalogue.catalogue_list, name="catalogue"),
    path(f"{CATALOGUE}new/", catalogue.catalogue_rule_new, name="catalogue_rule_new"),
    path(f"{CATALOGUE}<int:rule_id>/", catalogue.catalogue_rule_edit, name="catalogue_rule_edit"),
    path(f"{CATALOGUE}<int:rule_id>/delete/", catalogue.catalogue_rule_delete, name="catalogue_rule_delete"),
    path(f"{CATALOGUE}export/", catalogue.catalogue_export, name="catalogue_export"),
    path(f"{CATALOGUE}import/", catalogue.catalogue_import_page, name="catalogue_import"),
    path(f"{CATALOGUE}categories/", catalogue.catalogue_categories, name="catalogue_categories"),
    path(f"{CATALOGUE}categories/new/", catalogue.catalogue_category_new, name="catalogue_category_new"),
    path(f"{CATALOGUE}categories/<str:code>/", catalogue.catalogue_category_edit, name="catalogue_category_edit"),
    path(f"{CATALOGUE}responsibilities/", catalogue.catalogue_responsibilities, name="catalogue_responsibilities"),
    path(
        f"{CATALOGUE}responsibilities/<int:department_id>/",
        catalogue.catalogue_responsibility_edit,
        name="catalogue_responsibility",
    ),
    path(TIME_LIMITS, catalogue.time_limits, name="time_limits"),
    path(f"{TIME_LIMITS}<int:rule_id>/delete/", catalogue.time_limit_delete, name="time_limit_delete"),
    path(GRID, catalogue.grid_cells, name="grid_cells"),
    path(f"{GRID}new/", catalogue.grid_cell_new, name="grid_cell_new"),
    path(f"{GRID}<str:code>/", catalogue.grid_cell_edit, name="grid_cell_edit"),
    path(f"{GRID}<str:code>/workers/", catalogue.grid_cell_workers, name="grid_cell_workers"),
]
