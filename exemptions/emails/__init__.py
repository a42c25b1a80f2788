"""Emails by name: templates/emails/<name>-subject.txt, -body.txt and -body.html.

`rendering` turns a template name and context into a message; each area's module (`confirmation`, `decisions`,
`letters`, `reminders`) has builders that read the *current* database state and return (template name,
context), or None when there is nothing to send any more; `messages` maps every outbox kind to its builder,
explicitly; `delivery` sends one outbox row at most once.
"""
