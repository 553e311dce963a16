# syntax=docker/dockerfile:1
# Build: docker build -t interview-feedback-bot .
# Run:   docker run --env-file .env -v bot-data:/app/data interview-feedback-bot

FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --upgrade pip \
    && /opt/venv/bin/pip install ".[postgres,redis]"
COPY locales ./locales
RUN /opt/venv/bin/pybabel compile -d locales -D messages

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/bot.sqlite3
RUN useradd --create-home --uid 10001 bot
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=bot:bot bot ./bot
COPY --chown=bot:bot migrations ./migrations
COPY --from=build --chown=bot:bot /src/locales ./locales
RUN mkdir -p /app/data && chown bot:bot /app/data
USER bot
VOLUME ["/app/data"]
# `python -m bot` applies the migrations, then starts the bot.
CMD ["python", "-m", "bot"]
