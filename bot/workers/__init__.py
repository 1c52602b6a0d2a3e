"""The bot's background workers; they import no handler (the composition root wires them).

- ``delivery``: the outbox worker that sends queued messages under Telegram's rate limits;
  ``pacing``: ``ChatPacer``, the session middleware that spaces a handler's own replies the same
  way; ``rate``: the overall rate, shared by every process on Redis or PostgreSQL.
- ``scheduler``: APScheduler 3 in the bot's process: deadline warnings, member reminders and
  the watch for changed punkter of released meetings.
- ``status_jobs``: the status-round tick (open rounds, prompts, reminders, closing).
"""
