"""wams: the integrated, coordinated approach to multiple problems (Wams bill, 2020).

The public API: :class:`Wams`, the marker :data:`hookimpl` for plugins, the records plugins
return and callers pass, and the one error family (:class:`WamsError` and its subclasses).
"""

from __future__ import annotations

from wams.core.errors import (
    AnchorError,
    ArchiveError,
    BatchBroken,
    CatalogueError,
    ChainKeyMissing,
    CommitUnknown,
    ConflictError,
    DatabaseError,
    ExcludedPurpose,
    ExportFailed,
    InputError,
    Invalid,
    KeyInUseError,
    KeyMissingError,
    NoKeyStoreError,
    NotFoundError,
    Refused,
    ScenarioError,
    SealError,
    StepInputError,
    TamperedError,
    TargetRefused,
    TokenError,
    WamsError,
)
from wams.core.law.citations import Citation
from wams.core.law.hookspecs import hookimpl
from wams.core.law.records import (
    DataCategory,
    Doel,
    Domain,
    Entry,
    EntryRequest,
    Key,
    KeyStore,
    Law,
    PartyKind,
    ProcessingActivity,
    ProvisionRule,
    Service,
    Signal,
    StepEvent,
)
from wams.core.model import Decision, Partij, Persoon

__all__ = [
    "Wams", "hookimpl", "Citation", "Decision", "Partij", "Persoon", "DataCategory", "Doel",
    "Domain", "Entry", "EntryRequest", "Law", "PartyKind", "ProcessingActivity", "ProvisionRule",
    "Service", "Signal", "StepEvent", "Key", "KeyStore",
    # the one error family (wams.core.errors): every error wams raises on purpose
    "WamsError", "InputError", "NotFoundError", "Invalid", "ScenarioError", "AnchorError",
    "TargetRefused", "Refused", "ExcludedPurpose", "ConflictError", "CatalogueError",
    "DatabaseError", "CommitUnknown", "KeyMissingError", "ChainKeyMissing", "KeyInUseError",
    "NoKeyStoreError", "SealError", "TamperedError", "TokenError", "ExportFailed",
    "StepInputError", "ArchiveError",
    "BatchBroken",
]


def __getattr__(name: str) -> object:
    # Importing the API pulls in SQLAlchemy; keep `import wams` (and `wams --help`) light.
    if name == "Wams":
        from wams.api import Wams
        return Wams
    raise AttributeError(name)
