# The Airflow image with Grid Pulse's pinned dependencies; the project's folders are mounted by
# docker-compose.yml, so code and configuration changes need no rebuild.
FROM apache/airflow:3.3.2-python3.11
# No apt step: the bulletin's PDF is typeset by Typst, whose compiler is inside the pip wheel and
# needs only libc (tests/test_image.py checks the libraries a real render loads). WeasyPrint, which
# needed Pango, HarfBuzz and fontconfig from apt, is gone. The fonts are the Noto SC files pip
# installs (pylopdf-fonts-zh-cn): no apt fonts.
COPY requirements.txt constraints.txt /tmp/gridpulse/
RUN pip install --no-cache-dir -r /tmp/gridpulse/requirements.txt -c /tmp/gridpulse/constraints.txt
ENV PYTHONPATH=/opt/gridpulse/include \
    GRIDPULSE_PROJECT_DIR=/opt/gridpulse \
    DO_NOT_TRACK=1
