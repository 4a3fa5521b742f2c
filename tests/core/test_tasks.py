"""Database upkeep: planner statistics, and on PostgreSQL the visibility map."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from openproms.core.tasks import database_optimise_now


@pytest.mark.django_db(transaction=True)
def test_optimise_outside_a_transaction_vacuums_on_postgresql() -> None:
    done = database_optimise_now()
    if connection.vendor == "postgresql":
        assert done == "postgresql: VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_user_tables "
                "WHERE relname = 'collection_outcomescore' AND last_vacuum IS NOT NULL"
            )
            assert cursor.fetchone() == (1,)
    else:
        assert done == "sqlite: PRAGMA optimize"


@pytest.mark.django_db(transaction=True)
def test_optimise_inside_a_transaction_only_analyses() -> None:
    with transaction.atomic():
        done = database_optimise_now()
    expected = {
        "postgresql": "postgresql: ANALYZE",
        "sqlite": "sqlite: PRAGMA optimize",
    }[connection.vendor]
    assert done == expected


@pytest.mark.django_db(transaction=True)
def test_optimise_with_autocommit_off_only_analyses() -> None:
    connection.set_autocommit(False)
    try:
        done = database_optimise_now()
    finally:
        connection.rollback()
        connection.set_autocommit(True)
    expected = {
        "postgresql": "postgresql: ANALYZE",
        "sqlite": "sqlite: PRAGMA optimize",
    }[connection.vendor]
    assert done == expected
