"""The two runs at once of test_airflow_two_runs.py on the scale-out layout of docker-compose.yml:
Airflow's metadata in PostgreSQL, the CeleryExecutor with a Celery worker taking tasks from Redis,
each component its own process, so each task runs in a process of its own and the deployment's
claim is all that keeps two runs apart. The same tests, fixtures and comparison with the CLI; only
the executor differs. Skips, saying so, where PostgreSQL or Redis is not running on loopback."""
from __future__ import annotations

import pytest
from test_airflow_celery import MISSING
from test_airflow_two_runs import (  # noqa: F401 (the fixtures and tests, collected here again)
    airflow,
    exports,
    metadata_database,
    reference,
    test_one_month_triggered_twice_5_s_apart_publishes_what_one_run_publishes,
    test_two_months_triggered_5_s_apart_both_publish_what_runs_alone_publish,
)

pytestmark = [pytest.mark.airflow, pytest.mark.month, pytest.mark.external,
              pytest.mark.skipif(MISSING is not None, reason=f"{MISSING}: the Celery layout needs PostgreSQL and Redis "
                                 "on loopback (GRIDPULSE_PG_HOST/PORT/USER, GRIDPULSE_REDIS_HOST/PORT)")]


@pytest.fixture(scope="module")
def executor() -> str:
    return "celery"
