"""The HTTP service: FastAPI app, JSON API under /v1, a small web page at /."""
