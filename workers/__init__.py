"""Celery workers: the app factory and thin tasks that call docpipe's stages with ids."""
