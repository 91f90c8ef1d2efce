"""`make chaos`: one email campaign through a real Celery worker while the worker is SIGKILLed and Redis and
PostgreSQL are restarted; see __main__.py and docs/delivery.md ("Delivery under chaos")."""
