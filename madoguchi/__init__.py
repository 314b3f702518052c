"""Domain logic of the madoguchi site: everything that is neither a view, a form nor a model.

Modules here import neither Flask nor the app, so support tools, benchmarks and tests can use them
directly (email advice, business calendar, consent ledger hashing, policy text rendering).
"""
