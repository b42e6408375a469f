# The Airflow image with Grid Pulse's pinned dependencies; the project's folders are mounted by
# docker-compose.yml, so code and configuration changes need no rebuild.
FROM apache/airflow:3.3.2-python3.11
# WeasyPrint (the bulletin's PDF) loads Pango, HarfBuzz (with its subsetter: 0.5 s a bulletin
# instead of 9.5 s) and fontconfig through cffi; the official image has none of them.
# tests/test_image.py checks this list against the libraries a real render loads. The fonts are
# the Noto SC files pip installs (pylopdf-fonts-zh-cn), named by the bulletin's CSS: no apt fonts.
USER root
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
USER airflow
COPY requirements.txt constraints.txt /tmp/gridpulse/
RUN pip install --no-cache-dir -r /tmp/gridpulse/requirements.txt -c /tmp/gridpulse/constraints.txt
ENV PYTHONPATH=/opt/gridpulse/include \
    GRIDPULSE_PROJECT_DIR=/opt/gridpulse \
    DO_NOT_TRACK=1
