"""The month's Airflow DAGs: gridpulse_monthly for a deployment of one district; for a city or
province (GRIDPULSE_DEPLOYMENT), gridpulse_monthly_<code> per district and gridpulse_rollup. The
wiring is in gridpulse.orchestration.monthly_dag, the work in gridpulse.pipeline."""
from gridpulse.orchestration.monthly_dag import deployment_dags

deployment_dags()
