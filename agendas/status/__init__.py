"""Status rounds: handleplaner with their indsatser, rounds that ask the tovholdere, their
answers, and the report.

Use cases: ``plans`` (plans and indsatser), ``rounds`` (open, remind, close; ``run_due`` is the
scheduler's entry), ``answers`` (the tovholder's answer and hand-over), ``report`` (the report
and the "Status på <plan>" sag), ``overview`` (the round at a glance), over the shared loaders in
``common``. Pure domain: ``draft`` (the answer being written), ``prompts`` (the outbox messages of
a round), ``schedules`` (when rounds open), ``plan_file`` (reading a plan file) and
``report_document`` (the Word report).
"""
