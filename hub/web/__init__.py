"""The pages' shell: sign-in (passkeys, OpenID Connect), sessions, CSRF, security headers, the layout and the
NL Design System's static files. Each domain people use has `pages.py` beside `endpoints.py`; both call its
`service.py`, so a check or a ledger entry exists once."""
