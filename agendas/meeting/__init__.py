"""Meeting mode and the protocol, one module per part: attendance and afbud, decisions per
punkt, approval and the lock, the Word documents; ``loading`` holds what they share.

Every change bumps the protocol's revision (``ProtokolState.rev``): buttons carry it, so one made
before the last change is recognised as stale. A change also clears approvals already given (the
members approved another text). Once every member present has approved, the protocol is locked;
then every change is refused (``ProtokolLocked``) until the secretary re-opens it (audited).

The approval requests, the secretaries' "all approved" notice and the decisions summary are
written to the outbox in the same transaction as the change that causes them (the round's
``sent_at``, the last approval's lock), keyed by the revision that change saved: a repeated
press finds its button stale and queues nothing; a later round or a re-approved protocol
(a new revision) is sent again.
"""
