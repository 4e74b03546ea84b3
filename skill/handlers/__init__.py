"""Request handlers, one small class per intent or family of intents.

Their order is set in one place, `skill.app.REQUEST_HANDLERS`.
"""
