"""Storage: SQLAlchemy 2 async ORM, repositories, Alembic migrations.

    from cc112_pbx.storage import Database, upgrade
    await upgrade(url)                      # what `cc112 db upgrade` does
    db = Database(url); await db.start()    # then db.calls, db.incidents, db.recordings, db.callbacks, db.timeline,
                                            # db.seats, db.queue_config, db.audit, db.api_users
"""

from cc112_pbx.storage.database import Database, DatabaseNotStarted
from cc112_pbx.storage.migrate import head_revision, upgrade
from cc112_pbx.storage.records import RecordNotFound
from cc112_pbx.storage.repositories import DuplicateUser

__all__ = ["Database", "DatabaseNotStarted", "DuplicateUser", "RecordNotFound", "head_revision", "upgrade"]
