"""The app's storage: SQLite through SQLAlchemy 2.0, migrated with Alembic; no Qt here."""
from chatapp.store.db import DatabaseDamaged, StoreError
from chatapp.store.records import (AttachmentRecord, ConversationInfo, MessageRecord,
                                   ModelVersionRecord, SearchHit, TrainingConversation,
                                   TrainingExchange, TrainingRunRecord)
from chatapp.store.store import Store

__all__ = ["Store", "StoreError", "DatabaseDamaged", "AttachmentRecord", "ConversationInfo", "MessageRecord",
           "ModelVersionRecord", "SearchHit", "TrainingConversation",
           "TrainingExchange", "TrainingRunRecord"]
