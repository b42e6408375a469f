# The Airflow image with Grid Pulse's pinned dependencies; the project's folders are mounted by
# docker-compose.yml, so code and configuration changes need no rebuild.
FROM apache/airflow:3.3.2-python3.11
COPY requirements.txt constraints.txt /tmp/gridpulse/
RUN pip install --no-cache-dir -r /tmp/gridpulse/requirements.txt -c /tmp/gridpulse/constraints.txt
ENV PYTHONPATH=/opt/gridpulse/include \
    GRIDPULSE_PROJECT_DIR=/opt/gridpulse \
    DO_NOT_TRACK=1
