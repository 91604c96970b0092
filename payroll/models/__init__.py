from .ledger import Account, JournalEntry, Posting

__all__ = ["Account", "JournalEntry", "Posting"]
