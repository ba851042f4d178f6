# The cc112 controller (this repository), for asterisk-docker/compose.yaml.
# Build context: the repository root.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN groupadd --system cc112 && useradd --system --gid cc112 --home-dir /app cc112
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cc112_pbx ./cc112_pbx
COPY config ./config
COPY dialplan ./dialplan
# Editable install: `cc112 asterisk render` finds config/templates/ and dialplan/ beside the
# package, as in a checkout.
RUN pip install --no-cache-dir -e . \
 && mkdir -p /app/var /cc112/rendered \
 && chown cc112:cc112 /app/var /cc112/rendered
# A fresh named volume mounted at /cc112/rendered takes this directory's owner, so the
# render service (running as cc112) can write there and the controller can read its secrets.
ENV CC112_CONFIG=/app/config/cc112.toml
USER cc112
EXPOSE 8112
CMD ["cc112", "serve"]
