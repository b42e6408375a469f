"""Registers the project's timetable with Airflow, which stores a DAG only if it knows its
timetable's class (AIRFLOW__CORE__PLUGINS_FOLDER points here: Makefile, tests, docker-compose.yml)."""
from airflow.plugins_manager import AirflowPlugin

from gridpulse.orchestration.timetable import AssessedMonthTimetable


class GridPulseTimetables(AirflowPlugin):
    name = "gridpulse_timetables"
    timetables = [AssessedMonthTimetable]
