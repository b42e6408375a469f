"""Registers the project's timetable with Airflow, which stores a DAG only if it knows its
timetable's class (AIRFLOW__CORE__PLUGINS_FOLDER points here: Makefile, tests, docker-compose.yml),
and the listener that writes each run's assessed month into its note (the UI shows it by the run)."""
from airflow.plugins_manager import AirflowPlugin

from gridpulse.orchestration import run_notes
from gridpulse.orchestration.timetable import AssessedMonthTimetable


class GridPulseTimetables(AirflowPlugin):
    name = "gridpulse_timetables"
    timetables = [AssessedMonthTimetable]
    listeners = [run_notes]
