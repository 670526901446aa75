"""Indexes on django-tasks-db's result table for what Practica asks of it: the running
tasks whose lease may have expired, the finished results to prune, and the oldest ready
task for health checks (both databases accept CREATE INDEX IF NOT EXISTS)."""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
INDEXES = {
    "reliability_task_status_started": "status, started_at",
    "reliability_task_status_finished": "status, finished_at",
    "reliability_task_status_enqueued": "status, enqueued_at",
}


class Migration(migrations.Migration):
    dependencies = [
        ("reliability", "0001_submission_keys_and_heartbeats"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
