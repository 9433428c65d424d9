"""Domain events: what happened in a tenant, told to people (mail, notifications) and systems
(webhooks). ``catalog`` names them, ``derive`` writes them from the rows a change wrote (in its
transaction), ``dispatch`` hands each to the reactions of the domains, on the job queue."""
