"""The durable outbox: every write to the central service is queued here and delivered in the background.

``Outbox`` (``store``) keeps the jobs in SQLite, ``DeliveryWorker`` (``worker``) delivers them with
the ``RetryPolicy`` (``policy``), ``delivery`` knows each kind of job, ``uploads`` sends documents in
resumable chunks and ``secrets`` seals the personal part of every job at rest.
"""

from kiosk.outbox.delivery import HANDLERS, queue_alert, queue_dossier, queue_heartbeat, queue_rating
from kiosk.outbox.policy import Decision, JobError, RetryPolicy
from kiosk.outbox.secrets import SecretBox, SecretError, load_or_create_key
from kiosk.outbox.store import Job, JobStatus, Outbox, OutboxCounts
from kiosk.outbox.worker import DeliveryWorker, Outcome

__all__ = [
    "HANDLERS",
    "Decision",
    "DeliveryWorker",
    "Job",
    "JobError",
    "JobStatus",
    "Outbox",
    "OutboxCounts",
    "Outcome",
    "RetryPolicy",
    "SecretBox",
    "SecretError",
    "load_or_create_key",
    "queue_alert",
    "queue_dossier",
    "queue_heartbeat",
    "queue_rating",
]
