"""Fixtures for the end-to-end tests: a fresh server installation per test (`stack`,
`make_stack`), on the same database and queue kind the suite runs with, and the output of every
process it started attached to the report of a test that fails."""

from __future__ import annotations

import secrets

import pytest

from tests.e2e.support import PostgresServer, Stack, suite_scale_out

STACKS = pytest.StashKey[list]()
OUTPUT_LIMIT = 30_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        for stack in item.stash.get(STACKS, []):
            stack.stop_all()  # first, so that their last words are in the logs
            for proc in stack.procs:
                output = proc.output()
                if len(output) > OUTPUT_LIMIT:
                    output = "[...]\n" + output[-OUTPUT_LIMIT:]
                title = f"{proc.name} (pid {proc.pid}, exit status {proc.returncode}, {stack.configuration}) output"
                report.sections.append((title, output or "(no output)"))
    return report


@pytest.fixture(scope="module")
def postgres_template(tmp_path_factory):
    """When the suite runs on PostgreSQL: a fresh, migrated database for this module on the same
    server (never the suite's own test database), from which each test gets a copy. Dropped after."""
    database_url, redis_url = suite_scale_out()
    if not database_url:
        yield None
        return
    server = PostgresServer(database_url)
    name = f"printbell_e2e_{secrets.token_hex(5)}"
    server.create(name)
    try:
        stack = Stack(tmp_path_factory.mktemp("migrate"), server.url_for(name), redis_url)
        try:
            stack.migrate()
        finally:
            stack.close()
        yield server, name
    finally:
        server.drop(name)


@pytest.fixture
def make_stack(request, tmp_path, postgres_template):
    """make_stack(migrated=True) -> a Stack with a database of its own (migrated, or empty)."""
    stacks: list[Stack] = []
    databases: list[str] = []
    request.node.stash[STACKS] = stacks

    def make(migrated: bool = True) -> Stack:
        database_url, redis_url = suite_scale_out()
        if postgres_template:
            server, template = postgres_template
            name = f"{template}_{len(databases)}"
            database_url = server.create(name, template=template if migrated else None)
            databases.append(name)
        stack = Stack(tmp_path / f"stack{len(stacks)}", database_url, redis_url)
        stacks.append(stack)
        if migrated and not postgres_template:
            stack.migrate()
        return stack

    try:
        yield make
    finally:
        try:
            for stack in stacks:
                stack.close()
        finally:
            for name in databases:
                postgres_template[0].drop(name)


@pytest.fixture
def stack(make_stack) -> Stack:
    return make_stack()
