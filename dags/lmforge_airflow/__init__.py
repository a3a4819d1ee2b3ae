"""Shared pieces of the lmforge Airflow DAGs (dags/lmforge_chunk_arrivals.py, dags/lmforge_chunk_pipeline.py).

Airflow puts the DAGs folder on sys.path, so the DAG files import this package as ``lmforge_airflow``.
``chunks`` is plain Python (no Airflow import) so its arrival-order rules are testable on their own.
"""
