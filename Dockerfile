# askblog: the bot, its feed watcher and the ONNX Runtime answer engine, on CPU.
#
#   docker build -t askblog .
#   docker run --env-file .env -p 3000:3000 \
#     -v askblog-data:/data -v askblog-models:/models askblog
#
# /data holds the SQLite database; /models is the Hugging Face cache, so the
# model is downloaded once. The default command is `askblog serve`.

FROM python:3.11-slim AS build
# The CPU build of PyTorch: the default wheel pulls several GB of CUDA libraries.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN /venv/bin/pip install --index-url "$TORCH_INDEX_URL" "torch==2.13.0" \
 && mkdir -p bot model training feeds && touch bot/__init__.py model/__init__.py \
    training/__init__.py feeds/__init__.py \
 && /venv/bin/pip install --extra-index-url "$TORCH_INDEX_URL" . \
 && /venv/bin/pip uninstall -y askblog
COPY bot ./bot
COPY model ./model
COPY training ./training
COPY feeds ./feeds
RUN /venv/bin/pip install --no-deps .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 askblog \
 && mkdir -p /data /models \
 && chown askblog:askblog /data /models
COPY --from=build /venv /venv
COPY examples /app/examples
ENV PATH=/venv/bin:$PATH \
    ASKBLOG_DB=/data/askblog.db \
    ASKBLOG_HTTP_HOST=0.0.0.0 \
    ASKBLOG_HTTP_PORT=3000 \
    HF_HOME=/models \
    PYTHONUNBUFFERED=1
USER askblog
WORKDIR /app
VOLUME ["/data", "/models"]
EXPOSE 3000
# /healthz answers 200 once the model is loaded and the database is open.
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('ASKBLOG_HTTP_PORT', '3000'), timeout=4)"
# SIGTERM (docker stop) lets the answers in flight finish; give it time.
STOPSIGNAL SIGTERM
ENTRYPOINT ["askblog"]
CMD ["serve"]
