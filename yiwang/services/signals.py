"""What other apps may listen to, without the services app knowing them.

Both are sent inside the transaction that changed the application, after the change: a receiver that writes
does so in the same transaction (and is undone with it); one that schedules work uses `transaction.on_commit`.
"""

from __future__ import annotations

from django.dispatch import Signal

# An application concluded (办结): kwargs `application_id`, `status` (11, 12 or 13).
application_concluded = Signal()

# An approval was revoked (撤销, status 15): kwargs `application_id`, `reasons`.
application_revoked = Signal()
