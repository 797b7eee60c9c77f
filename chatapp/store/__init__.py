"""The app's storage: SQLite through SQLAlchemy 2.0, migrated with Alembic; no Qt here."""
from chatapp.store.db import WRITE_ERRORS, DatabaseDamaged, StoreError, StoreWriteError, write_failure
from chatapp.store.records import (AttachmentRecord, ConversationInfo, KnowledgeRecord, MessageRecord, Taught,
                                   ModelVersionRecord, SearchHit, TrainingConversation,
                                   TrainingExchange, TrainingRunRecord)
from chatapp.store.store import Store

__all__ = ["Store", "StoreError", "StoreWriteError", "DatabaseDamaged", "WRITE_ERRORS", "write_failure",
           "AttachmentRecord", "ConversationInfo", "KnowledgeRecord", "MessageRecord", "Taught",
           "ModelVersionRecord", "SearchHit", "TrainingConversation",
           "TrainingExchange", "TrainingRunRecord"]
