from yiwang.datahub.tests.conftest import registries  # noqa: F401 - the data hub's fixture, shared
