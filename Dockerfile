# askblog: the bot, its feed watcher and the ONNX Runtime answer engine, on CPU.
# Build: docker build -t askblog .
# Run:   docker run --env-file .env -v askblog-data:/data -v askblog-models:/models -p 3000:3000 askblog

FROM python:3.11-slim AS build
# The CPU build of PyTorch: the default one pulls several GB of CUDA libraries.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY model ./model
COPY training ./training
COPY feeds ./feeds
RUN python -m venv /venv \
 && /venv/bin/pip install --no-cache-dir --extra-index-url "$TORCH_INDEX_URL" .

FROM python:3.11-slim
RUN useradd --create-home --uid 1000 askblog \
 && mkdir -p /data /models \
 && chown askblog:askblog /data /models
COPY --from=build /venv /venv
ENV PATH=/venv/bin:$PATH \
    ASKBLOG_DB=/data/askblog.db \
    HF_HOME=/models \
    PYTHONUNBUFFERED=1
USER askblog
WORKDIR /home/askblog
VOLUME ["/data", "/models"]
ENTRYPOINT ["askblog"]
CMD ["--help"]
