# The bot as a container: long-polls Telegram (or serves a webhook with BOT_WEBHOOK_URL).
#   docker build -t safe-migration-bot .
#   docker run -d --env-file .env -v bot-data:/data --restart unless-stopped safe-migration-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BOT_DATA_DIR=/data \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY content ./content
COPY locales ./locales
RUN pip install -e . \
    && python -m bot content check \
    && useradd --create-home --uid 10001 bot \
    && mkdir -p /data && chown bot /data

USER bot
VOLUME ["/data"]
# Webhook mode listens here; unused when long-polling.
EXPOSE 8443
# SIGTERM (docker stop) finishes the updates in hand, then exits 0.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
